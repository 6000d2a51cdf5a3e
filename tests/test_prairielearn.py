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
    waiting = [t for t in data["tests"] if "scored by your instructor" in t["description"]]
    assert waiting and all(t["points"] == 0 and t["max_points"] == 0 for t in waiting)
    assert "written answers are scored by your instructor" in data["message"]


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
