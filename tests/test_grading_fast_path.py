"""The grader's fast path (answers shared within a batch, query results reused, fixture scripts
written once) decides exactly what the slow reference path decides: every check's status,
points and message on generated submissions, graded both ways."""

from __future__ import annotations

from datetime import datetime

import pytest

from grader.scale import gradebench
from grader.engine import sandbox
from grader.engine.checks import Check, Verdict
from grader.course.tables import Dataset
from grader.grading.grade import grade_many
from grader.grading.workers import _answer_key, _Job, _shareable
from grader.engine.notebook import SubmittedAnswer
from grader.engine.results import CheckResult
from grader.engine.sandbox import Limits, SandboxError


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    # seed 11: kept, mutated and blank answers mixed, several students sharing each answer
    return gradebench.generate(tmp_path_factory.mktemp("batch"), 6, seed=11)


def test_fast_path_gives_the_reference_paths_verdicts(generated):
    fast = grade_many(generated, hidden=True, workers=2)
    slow = gradebench.grade_reference(generated, workers=2)
    assert gradebench.differences(fast, slow, limit=20) == []
    # not vacuous: the batch holds passes and failures
    statuses = {c.status for r in fast for e in r.exercises for c in e.checks}
    assert {"pass", "fail", "missing"} <= statuses


def test_one_students_different_answer_never_takes_anothers_result(tmp_path):
    import shutil

    import nbformat

    from grader.authoring.release import SOLUTIONS

    # the solutions twice in one batch, the second with ex06 returning nothing
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(SOLUTIONS, a)
    shutil.copytree(SOLUTIONS, b)
    nb = nbformat.read(b / "ex06.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("%%sql --save ex06"))
    cell.source = "%%sql --save ex06\nSELECT * FROM feature_table WHERE false"
    nbformat.write(nb, b / "ex06.ipynb")
    ra, rb = grade_many([a, b], hidden=True, workers=1)  # one worker: b is graded knowing a's results
    ex06_a = next(e for e in ra.exercises if e.id == "ex06")
    ex06_b = next(e for e in rb.exercises if e.id == "ex06")
    assert all(c.status == "pass" for c in ex06_a.checks if c.points > 0)
    assert not [c.name for c in ex06_b.checks if c.points > 0 and c.status == "pass"]
    # every other exercise: the same answers, the same results
    others = lambda r: [v for v in gradebench.verdicts([r])[0][2] if v[0] != "ex06"]  # noqa: E731
    assert others(ra) == others(rb)


@pytest.mark.parametrize("status,message,shared", [
    ("pass", "", True), ("fail", "wrong rows", True), ("missing", "no answer", True),
    ("timeout", "stopped after 5 s", False),
    ("error", "internal grader error: KeyError()", False),
    ("error", "ex06: ran out of memory: the query builds far more rows", False),
    ("error", "ex06 (statement 1): Binder Error (details withheld)", True),
])
def test_only_verdicts_on_the_answer_itself_are_shared(status, message, shared):
    assert _shareable(CheckResult("c", status, 0.0, 1.0, message)) is shared


def test_answer_key_separates_secrets_checks_and_answer_content(monkeypatch):
    from grader.course import exercises

    ex = exercises.get("ex06")
    check, other = ex.all_checks(True)[:2]
    job = _Job(0, None, ["ex06"], True, Limits(), False)
    one = SubmittedAnswer("ex06", "sql", sql="SELECT 1", cell=3)
    same_elsewhere = SubmittedAnswer("ex06", "sql", sql="SELECT 1", cell=9)  # another cell, same text
    key = _answer_key(ex, check, one, job)
    assert key == _answer_key(ex, check, same_elsewhere, job)
    assert key != _answer_key(ex, check, SubmittedAnswer("ex06", "sql", sql="SELECT 1 "), job)
    assert key != _answer_key(ex, other, one, job)
    assert key != _answer_key(ex, check, None, job)
    shown = _Job(0, None, ["ex06"], True, Limits(), True)
    assert key != _answer_key(ex, check, one, shown)
    monkeypatch.setenv("GRADER_FIXTURE_SECRET", "another term")
    assert key != _answer_key(ex, check, one, job)


DATASET = Dataset({"events": [(1, 10, 100, datetime(2025, 12, 1, 9), "click")]})


def test_a_reused_query_result_is_the_same_fixture_objects_and_sqls_only():
    sql = "SELECT count(*) AS n FROM events"
    assert sandbox.query(DATASET, sql).rows == [(1,)]
    twin = Dataset({"events": DATASET.rows("events") * 2})  # another fixture, another result
    assert sandbox.query(twin, sql).rows == [(2,)]
    assert sandbox.query(DATASET, sql).rows == [(1,)]
    # a script that writes runs on its own fresh database each time: reuse changes nothing
    writes = "INSERT INTO events SELECT * FROM events; SELECT count(*) AS n FROM events"
    assert sandbox.query(DATASET, writes).rows == [(2,)]
    assert sandbox.query(DATASET, writes).rows == [(2,)]
    assert sandbox.query(DATASET, sql).rows == [(1,)]


def test_a_reused_error_says_the_same_and_a_time_limit_is_never_reused():
    bad = "SELECT nope FROM events"
    with pytest.raises(SandboxError) as first:
        sandbox.query(DATASET, bad)
    with pytest.raises(SandboxError) as again:
        sandbox.query(DATASET, bad)
    assert (str(again.value), again.value.kind) == (str(first.value), first.value.kind)
    slow = "SELECT count(*) AS n FROM range(100000000000)"
    quick = Limits(timeout_s=0.2)
    for _ in range(2):
        with pytest.raises(SandboxError) as exc:
            sandbox.query(DATASET, slow, None, quick)
        assert exc.value.kind == "timeout"
    assert not [k for k in sandbox._results if k[1] == slow]
