"""PrairieLearn: `grader check --format prairielearn` writes the external grader's results.json
(validated against tests/schemas/prairielearn_results.schema.json, written from PL's docs)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from grader import cli
from grader.grading.platforms import prairielearn
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult, Table
from test_feedback_page import failing_notebook

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "schemas" / "prairielearn_results.schema.json").read_text())


def grade_cli(student: Path, out: Path, *extra: str) -> dict:
    assert cli.main(["check", str(student), "--format", "prairielearn", "--results", str(out), *extra]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    assert len(out.read_bytes()) <= prairielearn.MAX_BYTES
    return data


def test_failing_submission_scores_a_fraction_with_one_test_per_check(tmp_path):
    student = tmp_path / "student"
    failing_notebook(student / "week12.ipynb")
    data = grade_cli(student, tmp_path / "results.json")
    assert data["gradable"] is True and 0 < data["score"] < 1
    tests = data["tests"]
    scored = [t for t in tests if t["max_points"] > 0]
    assert data["score"] == pytest.approx(sum(t["points"] for t in scored) / sum(t["max_points"] for t in scored), abs=1e-6)
    sample = next(t for t in tests if t["name"] == "ex06 matches_reference_on_sample")
    assert sample["points"] == 0 and sample["max_points"] > 0
    assert "expected" in sample["output"] and "got" in sample["output"]  # the counterexample, as text
    assert {"name", "description", "points", "max_points", "message", "output"} <= set(sample)


def test_written_answers_waiting_are_not_zero_of_n_and_are_announced(tmp_path):
    student = tmp_path / "student"
    failing_notebook(student / "week12.ipynb")
    data = grade_cli(student, tmp_path / "results.json")
    waiting = [t for t in data["tests"] if "scored by course staff" in t["description"]]
    assert waiting and all(t["points"] == 0 and t["max_points"] == 0 for t in waiting)
    assert "written answers are scored by course staff" in data["message"]
    rerun = next(t for t in waiting if t["name"] == "ex10 explains_the_rerun")
    assert "advance the control row only after the write commits" in rerun["output"]  # what staff will read


@pytest.mark.parametrize("content", [b"{not json", b'{"nbformat": 3, "worksheets": []}', None])
def test_unreadable_notebook_is_not_gradable_so_no_attempt_is_lost(tmp_path, content):
    student = tmp_path / "student"
    student.mkdir()
    if content is not None:
        (student / "week12.ipynb").write_bytes(content)
    data = grade_cli(student, tmp_path / "results.json")
    assert data["gradable"] is False and data["format_errors"]
    assert "score" not in data or data["score"] == 0


def test_root_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(prairielearn.ROOT_ENV, str(tmp_path / "grade"))
    student = tmp_path / "grade" / "student"
    failing_notebook(student / "week12.ipynb")
    assert cli.main(["check", str(student), "--format", "prairielearn"]) == 0
    jsonschema.validate(json.loads((tmp_path / "grade" / "results" / "results.json").read_text()), SCHEMA)


def test_results_are_capped_under_one_megabyte_without_touching_the_scores():
    # 90 failing checks each with many wide tables of long cells: far over 1 MB uncapped
    wide = Table("rows", [f"c{i}" for i in range(20)], [["x" * 200] * 20 for _ in range(30)])
    checks = [CheckResult(f"check_{i}", "fail", 0.0, 2.0, "m" * 2000, tables=[wide] * 8) for i in range(90)]
    checks[0] = CheckResult("check_0", "pass", 2.0, 2.0, "ok")
    r = SubmissionResult("p", "ada", "graded", [ExerciseResult("ex06", "t", checks)])
    assert len(json.dumps(prairielearn.results_json(r)).encode()) > prairielearn.MAX_BYTES
    data = prairielearn.capped(r)
    jsonschema.validate(data, SCHEMA)
    assert len(json.dumps(data, ensure_ascii=False).encode()) <= prairielearn.MAX_BYTES
    assert data["score"] == pytest.approx(2 / 180) and sum(t["points"] for t in data["tests"]) == 2


def test_more_than_one_submission_is_bad_usage(tmp_path):
    a, b = failing_notebook(tmp_path / "a.ipynb"), failing_notebook(tmp_path / "b.ipynb")
    assert cli.main(["check", str(a), str(b), "--format", "prairielearn", "--results", str(tmp_path / "r.json")]) == 2


# ---------- one question per exercise (how PrairieLearn courses are built) ----------

def ex06_only(folder: Path, name: str = "ex06.ipynb") -> Path:
    """A question's /grade/student: only the exercise's notebook (the class's leaky ex06 answer)."""
    return failing_notebook(folder / name)


def ex06_fraction() -> float:
    from grader.grading.grade import grade_path

    r = grade_path(failing_notebook(Path(__import__("tempfile").mkdtemp()) / "x.ipynb"), only=["ex06"])
    return r.score / r.max_score


def test_a_folder_holding_only_ex06_is_scored_over_ex06_only(tmp_path):
    student = tmp_path / "student"
    ex06_only(student)
    data = grade_cli(student, tmp_path / "results.json")
    assert {t["name"].split()[0] for t in data["tests"]} == {"ex06"}
    assert 0 < data["score"] < 1 and data["score"] == pytest.approx(ex06_fraction())  # not over 126 points


def test_one_uploaded_file_is_accepted_and_graded_on_its_exercise(tmp_path):
    upload = ex06_only(tmp_path / "student")
    data = grade_cli(upload, tmp_path / "results.json")
    assert data["gradable"] is True and data["score"] == pytest.approx(ex06_fraction())


def test_a_right_ex06_alone_gets_full_score_and_a_blank_one_nothing(tmp_path):
    right = tmp_path / "right"
    right.mkdir()
    (right / "ex06.ipynb").write_bytes((ROOT / "solutions" / "ex06.ipynb").read_bytes())
    assert grade_cli(right, tmp_path / "r.json")["score"] == 1.0
    blank = tmp_path / "blank"
    blank.mkdir()
    (blank / "ex06.ipynb").write_bytes((ROOT / "notebooks" / "ex06.ipynb").read_bytes())
    data = grade_cli(blank, tmp_path / "b.json")
    assert data["gradable"] is True and data["score"] == 0  # an unanswered notebook is read, and earns nothing


def test_an_exercise_named_by_the_entrypoint_scopes_the_grading(tmp_path):
    student = tmp_path / "student"
    failing_notebook(student / "week12.ipynb")  # one notebook holding answers to several exercises
    out = tmp_path / "r.json"
    assert prairielearn.main([str(student), "--exercises", "ex10", "--results", str(out)]) == 0
    data = json.loads(out.read_text())
    jsonschema.validate(data, SCHEMA)
    assert {t["name"].split()[0] for t in data["tests"]} == {"ex10"}


def test_written_answers_are_manual_points_left_out_of_the_auto_score(tmp_path):
    student = tmp_path / "student"
    student.mkdir()
    (student / "ex10.ipynb").write_bytes((ROOT / "solutions" / "ex10.ipynb").read_bytes())
    data = grade_cli(student, tmp_path / "r.json")
    assert data["score"] == 1.0  # 9 / 9 automatic: the 3 written points are PrairieLearn's manualPoints
    (written,) = [t for t in data["tests"] if t["name"] == "ex10 explains_the_rerun"]
    assert written["max_points"] == 0 and "Only after that write" in written["output"]


def test_hide_hidden_details_folds_hidden_checks_into_points_only(tmp_path):
    student = tmp_path / "student"
    ex06_only(student)
    shown = grade_cli(student, tmp_path / "a.json")
    folded = grade_cli(student, tmp_path / "b.json", "--hide-hidden-details")
    assert folded["score"] == shown["score"]
    hidden_names = [t["name"] for t in shown["tests"] if "(hidden check)" in t["description"]]
    assert hidden_names and not any(n in json.dumps(folded) for n in hidden_names)
    (line,) = [t for t in folded["tests"] if t["name"] == "ex06 hidden checks"]
    assert line["max_points"] == sum(t["max_points"] for t in shown["tests"] if t["name"] in hidden_names)
    assert line["points"] == sum(t["points"] for t in shown["tests"] if t["name"] in hidden_names)


def test_a_corrupt_upload_is_not_gradable_and_says_why(tmp_path):
    student = tmp_path / "student"
    student.mkdir()
    (student / "ex06.ipynb").write_bytes(b'{"cells": [')
    data = grade_cli(student / "ex06.ipynb", tmp_path / "r.json")
    assert data["gradable"] is False and "JSON" in " ".join(data["format_errors"])


# ---------- grader release prairielearn ----------

QUESTION_SCHEMA = json.loads((ROOT / "tests" / "schemas" / "prairielearn_question_info.schema.json").read_text())
ASSESSMENT_SCHEMA = json.loads((ROOT / "tests" / "schemas" / "prairielearn_assessment_info.schema.json").read_text())


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    out = tmp_path_factory.mktemp("pl")
    assert cli.main(["release", "prairielearn", str(out), "--image", "example/week12-grader:1"]) == 0
    return out


def test_release_writes_one_valid_question_per_exercise(released):
    from grader.course import exercises
    from grader.grading.workers import DEFAULT_BUDGET_S

    infos = {}
    for ex_id in exercises.IDS:
        info = json.loads((released / "questions" / "week12" / ex_id / "info.json").read_text())
        jsonschema.validate(info, QUESTION_SCHEMA)
        opts = info["externalGradingOptions"]
        assert info["gradingMethod"] == "External" and opts["image"] == "example/week12-grader:1"
        assert DEFAULT_BUDGET_S < opts["timeout"] <= 600  # above the grader's budget (PL's default 30 s is not)
        assert opts["entrypoint"].startswith("/grade/serverFilesCourse/week12/grade.sh --exercises " + ex_id)
        assert (released / "serverFilesCourse" / opts["serverFilesCourse"][0] / "grade.sh").is_file()
        html = (released / "questions" / "week12" / ex_id / "question.html").read_text()
        assert f'<pl-file-upload file-names="{ex_id}.ipynb">' in html and "<pl-external-grader-results>" in html
        infos[ex_id] = info
    assert len({i["uuid"] for i in infos.values()}) == 12  # one question each, uuids stable per exercise
    from grader.authoring.prairielearn_release import question_uuid

    assert infos["ex06"]["uuid"] == question_uuid("ex06")


def test_assessment_splits_auto_and_manual_points_as_declared(released):
    from grader.course import exercises
    from grader.engine.checks import ManualCheck

    data = json.loads((released / "courseInstances" / "Week12" / "assessments" / "week12" / "infoAssessment.json").read_text())
    jsonschema.validate(data, ASSESSMENT_SCHEMA)
    by_id = {q["id"]: q for z in data["zones"] for q in z["questions"]}
    for ex in exercises.all_exercises():
        written = sum(c.points for c in ex.all_checks() if isinstance(c, ManualCheck))
        q = by_id[f"week12/{ex.id}"]
        assert (q["autoPoints"], q.get("manualPoints", 0)) == (ex.max_points() - written, written)


def test_the_image_installs_exactly_the_project_pins(released):
    import tomllib

    pins = {re_name(d): d for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    required = [line for line in (released / "image" / "requirements.txt").read_text().split() if line]
    for line in required:
        name = re_name(line)
        if name in pins:
            assert pins[name].split("#")[0].strip() == line, line
    assert {"duckdb", "sqlglot", "sqlparse", "nbformat"} <= {re_name(r) for r in required}
    docker = (released / "image" / "Dockerfile").read_text()
    copies = [line for line in docker.splitlines() if line.startswith(("COPY", "ADD"))]
    assert copies == ["COPY requirements.txt /opt/week12/requirements.txt"]  # nothing of the course: may be public


def re_name(pin: str) -> str:
    import re

    return re.split(r"[=<>!~\[ ;]", pin.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_release_refuses_a_budget_past_prairielearns_limit(tmp_path):
    assert cli.main(["release", "prairielearn", str(tmp_path / "x"), "--budget", "590"]) == 2


def test_the_questions_entrypoint_grades_a_grade_tree_as_prairielearn_runs_it(released, tmp_path):
    """The question's own entrypoint, run as PrairieLearn would: /grade/serverFilesCourse copied
    in, the student's one upload in /grade/student, results.json created with its folder."""
    import shutil
    import subprocess
    import sys

    info = json.loads((released / "questions" / "week12" / "ex06" / "info.json").read_text())
    grade = tmp_path / "grade"
    shutil.copytree(released / "serverFilesCourse", grade / "serverFilesCourse")
    ex06_only(grade / "student")
    command = info["externalGradingOptions"]["entrypoint"].replace("/grade/", f"{grade}/").split()
    env = {"PATH": "/usr/bin:/bin", "PRAIRIELEARN_GRADE_ROOT": str(grade), "WEEK12_PYTHON": sys.executable,
           "HOME": str(tmp_path)}
    subprocess.run(["sh", *command], env=env, cwd=tmp_path, check=True, timeout=300)
    data = json.loads((grade / "results" / "results.json").read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["score"] == pytest.approx(ex06_fraction()) and {t["name"][:4] for t in data["tests"]} == {"ex06"}
    assert not list((grade / "serverFilesCourse").rglob("__pycache__"))  # nothing written beside the course's files
    probe = subprocess.run([sys.executable, "-c", "import grader; print(grader.__file__)"], capture_output=True,
                           text=True, cwd=grade / "serverFilesCourse" / "week12", env=env, check=True)
    assert probe.stdout.startswith(str(grade / "serverFilesCourse" / "week12" / "grader"))  # the copy grade.sh puts first
