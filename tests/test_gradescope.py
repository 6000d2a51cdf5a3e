"""Gradescope: the real autograder.zip's run_autograder, run on a temporary /autograder-shaped
tree, writes a results.json that follows Gradescope's specification (tests/schemas/)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from grader.grading.platforms import gradescope
from test_feedback_page import HOSTILE, failing_notebook

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "schemas" / "gradescope_results.schema.json").read_text())


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    return gradescope.build_zip(tmp_path_factory.mktemp("release"))


def tree(tmp_path: Path, zip_path: Path, config: dict | None = None) -> Path:
    """/autograder as Gradescope lays it out: source/ holds the unzipped autograder."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
    if config:
        path = root / "source" / gradescope.CONFIG_NAME
        path.write_text(json.dumps({**json.loads(path.read_text()), **config}))
    return root


def run_autograder(root: Path, python: str = sys.executable, address_space_mb: int | None = None) -> dict:
    """The shipped run_autograder, with this venv's Python standing in for /autograder/venv."""
    env = {**os.environ, gradescope.ROOT_ENV: str(root), "WEEK12_PYTHON": python}
    env.pop("MALLOC_ARENA_MAX", None)  # run_autograder must set what it needs itself

    def cap() -> None:
        if address_space_mb:
            import resource

            limit = address_space_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd=root, env=env, check=True,
                   capture_output=True, timeout=600, preexec_fn=cap)
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    return data


# The autograder runs that several tests read, each run once: a failing submission with the
# default configuration, and the solutions (without a memory cap) under one fixture secret.
SOLUTIONS_SECRET = "test-gradescope"


@pytest.fixture(scope="module")
def failing_results(tmp_path_factory, autograder_zip) -> dict:
    root = tree(tmp_path_factory.mktemp("failing"), autograder_zip)
    failing_notebook(root / "submission" / "week12.ipynb")
    return run_autograder(root)


@pytest.fixture(scope="module")
def solutions_results(tmp_path_factory, autograder_zip) -> dict:
    root = tree(tmp_path_factory.mktemp("solutions"), autograder_zip)
    shutil.copytree(ROOT / "solutions", root / "submission", dirs_exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRADER_FIXTURE_SECRET", SOLUTIONS_SECRET)
        return run_autograder(root)


def test_zip_holds_setup_and_run_autograder_at_its_root_executable(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as z:
        names = set(z.namelist())
        assert {"setup.sh", "run_autograder", "requirements.txt", gradescope.CONFIG_NAME} <= names
        assert any(n.startswith("wheels/week12_workbook-") and n.endswith(".whl") for n in names)
        for script in ("setup.sh", "run_autograder"):
            assert (z.getinfo(script).external_attr >> 16) & stat.S_IXUSR, script
        requirements = z.read("requirements.txt").decode().split()
    # exact pins only, and the grading dependencies are among them
    assert all("==" in line for line in requirements)
    assert {line.split("==")[0].lower() for line in requirements} >= {"duckdb", "sqlglot", "nbformat"}


def test_failing_submission_gets_a_spec_results_json(failing_results):
    data = failing_results
    tests = data["tests"]
    scored = [t for t in tests if "score" in t]
    assert data["score"] == pytest.approx(sum(t["score"] for t in scored))
    assert 0 < data["score"] < sum(t["max_score"] for t in scored)
    assert len({t["number"] for t in tests}) == len(tests)  # numbers are unique ("6.2")
    sample = next(t for t in tests if t["name"] == "ex06 matches_reference_on_sample")
    assert sample["status"] == "failed" and sample["score"] == 0 and sample["max_score"] > 0
    assert sample["output_format"] == "html" and "<table>" in sample["output"]  # the counterexample
    assert sample["tags"] == ["ex06"] and sample["visibility"] == "visible"
    for t in tests:
        assert t["visibility"] == ("after_published" if "(hidden)" in t["name"] else "visible")
        assert t["tags"] and t["tags"][0] == t["name"].split()[0]
        assert "<script" not in t["output"].lower()
    assert isinstance(data["execution_time"], (int, float)) and data["output_format"] in ("md", "html", "text")


def test_written_answer_waiting_is_an_unscored_test_never_a_zero(failing_results):
    data = failing_results
    waiting = [t for t in data["tests"] if "to be scored" in t["name"]]
    assert {t["name"].split()[1] for t in waiting} >= {"backfill_definition", "explains_the_rerun"}
    assert all("score" not in t and "status" not in t for t in waiting)
    assert "written answers, to be scored" in data["output"]


def test_hidden_visibility_and_rows_are_configurable(tmp_path, autograder_zip):
    root = tree(tmp_path, autograder_zip, {"hidden_visibility": "after_due_date"})
    failing_notebook(root / "submission" / "week12.ipynb")
    data = run_autograder(root)
    hidden = [t for t in data["tests"] if "(hidden)" in t["name"]]
    assert hidden and all(t["visibility"] == "after_due_date" for t in hidden)


def test_hidden_checks_rows_stay_out_of_the_results_by_default():
    from test_feedback_page import with_hidden_counterexample
    from grader.grading.grade import grade_path
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        r = with_hidden_counterexample(grade_path(failing_notebook(Path(tmp) / "ada.ipynb"), only=["ex06"]))
    secret = next(t for t in gradescope.results_json(r)["tests"] if "secret_fixture_check" in t["name"])
    assert "424242" not in secret["output"] and "<table>" not in secret["output"]
    shown = next(t for t in gradescope.results_json(r, hidden_rows=True)["tests"] if "secret_fixture_check" in t["name"])
    assert "424242" in shown["output"]


@pytest.mark.parametrize("case, content, says", [
    ("not_json", b"this is not a notebook", "JSON"),
    ("empty_folder", None, "no notebook"),
    ("two_students", "two", "separate submissions"),
])
def test_invalid_submission_yields_results_that_say_why(tmp_path, autograder_zip, case, content, says):
    root = tree(tmp_path, autograder_zip)
    if content == "two":
        failing_notebook(root / "submission" / "ada.ipynb")
        failing_notebook(root / "submission" / "bob.ipynb")
    elif content is not None:
        (root / "submission" / "week12.ipynb").write_bytes(content)
    data = run_autograder(root)
    assert data["score"] == 0 and data["tests"] == []
    assert says.lower() in data["output"].lower(), data["output"]


def test_a_python_that_cannot_start_still_leaves_results(tmp_path, autograder_zip):
    root = tree(tmp_path, autograder_zip)
    failing_notebook(root / "submission" / "week12.ipynb")
    data = run_autograder(root, python=str(tmp_path / "no-such-python"))
    assert data["score"] == 0 and "could not start" in data["output"]


def test_full_submission_scores_exactly_as_grader_check_does(solutions_results, monkeypatch):
    from grader.course import exercises
    from grader.engine.exercise import SECRET_ENV
    from grader.grading.grade import grade_path

    # `grader check` disguises hidden fixtures with a secret; both sides get the same one
    monkeypatch.setenv(SECRET_ENV, SOLUTIONS_SECRET)
    exercises.get.cache_clear()
    data = solutions_results
    local = grade_path(ROOT / "solutions")
    exercises.get.cache_clear()
    assert data["score"] == pytest.approx(local.score)
    expected = {f"{e.id} {c.name}": c.status for e in local.exercises for c in e.checks if not c.pending}
    got = {t["name"].replace(" (hidden)", ""): t["status"] for t in data["tests"] if "score" in t}
    assert got == {k: ("passed" if v == "pass" else "failed") for k, v in expected.items()}
    assert sum(t["max_score"] for t in data["tests"] if "score" in t) == pytest.approx(local.max_score)


def test_instructor_scores_of_written_answers_reach_gradescope(tmp_path, autograder_zip):
    root = tree(tmp_path, autograder_zip)
    failing_notebook(root / "submission" / "week12.ipynb")
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": "ada@uni.edu", "name": "Ada"}]}))
    (root / "source" / "manual.csv").write_text(
        "student,path,exercise,check,answer,max_points,score,comment,text\n"
        "ada@uni.edu,.,ex10,explains_the_rerun,ex10['how'],3,2,Say when the control row moves.,x\n")
    data = run_autograder(root)
    rerun = next(t for t in data["tests"] if t["name"].startswith("ex10 explains_the_rerun"))
    assert rerun["score"] == 2 and rerun["max_score"] == 3 and rerun["status"] == "failed"
    assert "Say when the control row moves." in rerun["output"]


def test_grading_fits_gradescopes_768_mb_with_the_same_verdicts(tmp_path, autograder_zip, solutions_results, monkeypatch):
    # Gradescope's default container has 768 MB. Under that address-space limit every check
    # must reach the same verdict as without it (not an error from a failed allocation).
    monkeypatch.setenv("GRADER_FIXTURE_SECRET", SOLUTIONS_SECRET)
    root = tree(tmp_path, autograder_zip)
    shutil.copytree(ROOT / "solutions", root / "submission", dirs_exist_ok=True)
    verdicts = []
    for data in (solutions_results, run_autograder(root, address_space_mb=768)):
        verdicts.append({t["name"]: t.get("status") for t in data["tests"]})
        verdicts.append(data["score"])
    assert verdicts[0] == verdicts[2] and verdicts[1] == verdicts[3]


def test_the_always_visible_summary_gives_no_hidden_verdict_away():
    import tempfile

    from grader.grading.grade import grade_path

    with tempfile.TemporaryDirectory() as tmp:
        r = grade_path(failing_notebook(Path(tmp) / "ada.ipynb"), only=["ex06"])
    public = [c for c in r.exercises[0].checks if not c.hidden]
    public_total = f"{sum(c.points for c in public):g} / {sum(c.max_points for c in public):g}"
    assert any(c.hidden and c.status == "fail" for c in r.exercises[0].checks)
    summary = gradescope.results_json(r)["output"]
    assert public_total in summary and f"{r.score:g} / {r.max_score:g}" not in summary
    shown = gradescope.results_json(r, hidden_visibility="visible")["output"]
    assert f"{r.score:g} / {r.max_score:g}" in shown


def test_a_corrupt_notebook_among_twelve_is_named_in_its_own_tests(tmp_path):
    """Before: every ex07 test said "no answer named ex07", the cause only in a footnote."""
    from grader.grading.platforms import grade_one

    student = tmp_path / "submission"
    student.mkdir()
    for nb in sorted((ROOT / "solutions").glob("ex*.ipynb")):
        (student / nb.name).write_bytes(nb.read_bytes())
    (student / "ex07.ipynb").write_bytes(b'{"cells": [')  # truncated
    data = gradescope.results_json(grade_one(student))
    jsonschema.validate(data, SCHEMA)
    ex07 = [t for t in data["tests"] if "ex07" in t["tags"]]
    assert ex07 and all("ex07.ipynb could not be read (not a notebook" in t["output"] for t in ex07)
    assert all(t["status"] == "passed" for t in data["tests"] if "ex06" in t["tags"])  # the others unaffected
    assert not any("ex07.ipynb could not be read" in t["output"] for t in data["tests"] if "ex06" in t["tags"])


def test_points_to_enter_are_computed_from_the_declarations():
    from grader.course import exercises
    from grader.engine.checks import ManualCheck

    auto = sum(ex.max_points() for ex in exercises.all_exercises())
    written = sum(c.points for ex in exercises.all_exercises() for c in ex.all_checks() if isinstance(c, ManualCheck))
    auto -= written
    lines = gradescope.points_note()
    assert f"Gradescope: {auto:g} " in lines[0] and f"{written:g} more points" in lines[1]
    assert f"Gradescope: {auto + written:g} " in gradescope.points_note(manual=True)[0]
    ex06 = exercises.get("ex06").max_points()
    assert gradescope.points_note(["ex06"])[0].startswith(f"Autograder points to enter in Gradescope: {ex06:g} ")


def test_one_uploaded_notebook_a_browser_renamed_is_graded_as_the_notebook(tmp_path):
    # Safari saves `ex06.ipynb.json`; uploaded as it is, it is the student's notebook all the same
    from grader.grading.platforms import grade_one

    upload = tmp_path / "ex06.ipynb.json"
    upload.write_bytes((ROOT / "solutions" / "ex06.ipynb").read_bytes())
    r = grade_one(upload, only=["ex06"], hidden=False)
    assert r.status == "graded" and r.score == r.max_score > 0, r.reason
    assert any("ex06.ipynb.json is read as ex06.ipynb" in n for n in r.notes)
    (tmp_path / "ex06.pdf").write_bytes(b"%PDF-1.4")
    other = grade_one(tmp_path / "ex06.pdf", only=["ex06"], hidden=False)
    assert other.status == "invalid" and "is not a notebook" in other.reason
