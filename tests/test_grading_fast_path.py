"""The grader's fast path (answers shared within a batch, query results reused, fixture scripts
written once) decides exactly what the slow reference path decides: every check's status,
points and message on generated submissions, graded both ways."""

from __future__ import annotations

from datetime import datetime

import pytest

from grader.scale import gradebench
from grader.engine import sandbox
from grader.engine.checks import Check, Verdict
from grader.domain.tables import Dataset
from grader.grading.grade import grade_many
from grader.grading.workers import _answer_key, _Job, _shareable
from grader.engine.notebook import SubmittedAnswer
from grader.engine.results import CheckResult
from grader.engine.sandbox import Limits, SandboxError


# ---- the classes: few students, every exercise answered right and wrong ----------------------

@pytest.fixture(scope="module")
def distinct(tmp_path_factory):
    """A class whose every answer differs (grader/scale/distinct.py): one student right in every
    exercise, one wrong in every exercise (a declared wrong answer, else a typical slip or a
    blank). The wrong one is the second of its class, so its text is made unique apart from
    the right one's even where its slip changed nothing."""
    from grader.scale import distinct as distinct_class

    out = tmp_path_factory.mktemp("distinct")
    right = distinct_class.generate_distinct(out / "right", 1, seed=5, wrong_share=0.0)
    wrong = distinct_class.generate_distinct(out / "wrong", 2, seed=5, wrong_share=1.0)[1:]
    return right + wrong


@pytest.fixture(scope="module")
def sharing(distinct, tmp_path_factory):
    """The distinct pair, two students made of its notebooks (the first half of the exercises as
    one answered them, the rest as the other, and the other way round) and one who left every
    answer blank: every answer the class hands in, right or wrong, is handed in twice."""
    import shutil

    from grader.authoring.release import NOTEBOOKS

    right, wrong = distinct
    out = tmp_path_factory.mktemp("sharing")
    names = sorted(p.name for p in right.glob("ex*.ipynb"))
    half = len(names) // 2
    mixed = []
    for folder, first, second in [("mixed_a", right, wrong), ("mixed_b", wrong, right)]:
        (out / folder).mkdir()
        for i, name in enumerate(names):
            shutil.copy((first if i < half else second) / name, out / folder / name)
        mixed.append(out / folder)
    shutil.copytree(NOTEBOOKS, out / "blank")
    return [right, wrong, *mixed, out / "blank"]


@pytest.fixture(scope="module")
def reference(sharing):
    """The slow reference path's results for every student of both classes, graded once."""
    return {r.path: r for r in gradebench.grade_reference(sharing, workers=2)}


def reference_of(reference, folders):
    return [reference[str(f)] for f in folders]


def test_the_classes_answer_every_exercise_right_and_wrong(distinct, sharing, reference):
    from grader.scale import distinct as distinct_class

    declared = distinct_class.declared_answers()
    right, wrong = reference_of(reference, distinct)
    scored = lambda e: [c for c in e.checks if not c.pending]  # noqa: E731  (written answers wait for the instructor)
    for r, w in zip(right.exercises, wrong.exercises):
        assert all(c.status == "pass" for c in scored(r)), (r.id, [c.message for c in scored(r) if c.status != "pass"])
        if declared.get(w.id, {}).get("wrong"):  # a declared wrong answer fails what it declares
            assert any(c.status != "pass" for c in scored(w)), w.id
    statuses = {c.status for r in reference_of(reference, sharing) for e in r.exercises for c in e.checks}
    assert {"pass", "fail", "missing"} <= statuses


def test_fast_path_gives_the_reference_paths_verdicts(sharing, reference):
    fast = grade_many(sharing, hidden=True, workers=2)
    assert gradebench.differences(fast, reference_of(reference, sharing), limit=20) == []


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


def test_a_query_result_is_reused_for_a_fixture_holding_the_same_rows_only():
    # random() tells a reused result from a fresh run: equal rows (another object) reuse it
    sql = "SELECT random() AS r, count(*) AS n FROM events"
    first = sandbox.query(DATASET, sql).rows
    assert sandbox.query(Dataset({"events": list(DATASET.rows("events"))}), sql).rows == first
    assert sandbox.query(Dataset({"events": DATASET.rows("events"), "users": []}), sql).rows == first  # empty = absent
    # other rows, another table's rows, the same rows unkeyed, other variables: run afresh
    for other, variables in ((Dataset({"events": DATASET.rows("events") * 2}), None),
                             (Dataset({**DATASET.tables, "feature_table": []}, unkeyed=frozenset({"feature_table"})), None),
                             (DATASET, {"as_of_ts": datetime(2025, 12, 3)})):
        assert sandbox.query(other, sql, variables).rows != first


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


# ---- a class whose every answer differs (grader/scale/distinct.py): nothing to share, so the
# ---- kept fixture of read-only queries, ddmin's memory and compare's shortcut decide alone

def test_distinct_answers_get_the_reference_paths_verdicts(distinct, reference):
    fast = grade_many(distinct, hidden=True, workers=2)
    assert gradebench.differences(fast, reference_of(reference, distinct), limit=20) == []


def test_a_distinct_class_has_no_two_students_with_the_same_sql(distinct):
    unique, pairs = gradebench.distinct_answers([type("R", (), {"path": str(p)}) for p in distinct])
    # only blank answers (the same for everyone: an exercise without declared wrong answers
    # is sometimes left blank) may repeat; every answer written is the student's own
    assert pairs - unique <= len(distinct) * 2, (unique, pairs)


def test_the_declared_answers_reach_the_class_generator():
    from grader.scale import distinct as distinct_class

    declared = distinct_class.declared_answers()
    assert {"ex06", "ex07", "ex08", "ex12"} <= set(declared)
    assert all(pool["wrong"] for pool in declared.values())
    assert sum(len(pool["right"]) for pool in declared.values()) >= 10


def test_unique_sql_keeps_the_meaning_and_differs_per_student():
    from grader.scale.distinct import unique_sql

    sql = "SELECT user_id, 'a  b' AS s\nFROM events\nWHERE event_type = 'click'\nGROUP BY ALL"
    seen = {unique_sql(sql, n) for n in range(1, 200)}
    assert len(seen) == 199
    con = sandbox.open_sandbox(DATASET)
    try:
        want = sorted(con.execute(sql).fetchall())
        assert all(sorted(con.execute(s).fetchall()) == want for s in list(seen)[:20])
    finally:
        con.close()


def test_a_read_only_query_sees_exactly_its_own_fixture_on_the_kept_database():
    from grader.engine import readonly

    sql = "SELECT count(*) AS n, (SELECT count(*) FROM users) AS u FROM events"
    assert readonly.is_read_only(sql)
    users = Dataset({"events": DATASET.rows("events"), "users": [(10, datetime(2025, 1, 1), "eu")]})
    for ds, want in [(DATASET, (1, 0)), (users, (1, 1)), (Dataset({}), (0, 0)), (DATASET, (1, 0))]:
        assert sandbox._query(ds, sql, None, Limits()).rows == [want]  # no cached result: run each time


@pytest.mark.parametrize("sql", [
    "INSERT INTO events SELECT * FROM events; SELECT count(*) FROM events",
    "CREATE TABLE t AS SELECT 1 AS n; SELECT * FROM t",
    "UPDATE events SET user_id = 0; SELECT count(*) FROM events",
])
def test_statements_that_write_never_run_on_the_kept_database(sql):
    from grader.engine import readonly

    assert not readonly.is_read_only(sql)


def test_the_kept_database_refuses_writes_even_from_a_select():
    from grader.engine import readonly

    with readonly.session(DATASET, None, Limits()) as con:
        with pytest.raises(Exception, match="read-only"):
            con.execute("INSERT INTO events VALUES (2, 1, 1, NULL, 'view')")
    assert sandbox._query(DATASET, "SELECT count(*) FROM events", None, Limits()).rows == [(1,)]


def test_a_worker_starts_each_submission_on_a_fresh_kept_database():
    from grader.engine import readonly
    from grader.grading.workers import _fresh_sandbox

    sql = "SELECT count(*) AS n FROM events"
    sandbox.CACHE_RESULTS = False
    try:
        assert sandbox.query(DATASET, sql).rows == [(1,)]
        kept = list(readonly._kept.values())
        assert kept
        _fresh_sandbox(sandbox)  # between two submissions
        assert not readonly._kept
        with pytest.raises(Exception):
            kept[0].base.execute("SELECT 1")  # closed, not merely forgotten
        assert sandbox.query(DATASET, sql).rows == [(1,)] and readonly._kept  # the next one starts afresh
    finally:
        sandbox.CACHE_RESULTS = True


def test_ddmin_with_memory_finds_what_plain_ddmin_finds():
    from grader.engine.shrink import ddmin

    calls = []

    def fails(rows):
        calls.append(tuple(rows))
        return 3 in rows and 17 in rows

    assert ddmin(list(range(30)), fails) == [3, 17]
    assert len(calls) == len(set(calls))  # no candidate run twice


def test_graders_forked_after_an_interrupted_read_only_query_still_grade(distinct):
    # the kept instance the parent used (and interrupted) is inherited by each forked worker,
    # which must leave it alone (closing it there waits forever) and keep its own
    with pytest.raises(SandboxError):
        sandbox.query(DATASET, "SELECT count(*) AS n FROM range(100000000000)", None, Limits(timeout_s=0.2))
    (result,) = grade_many(distinct[:1], hidden=True, workers=1, only=["ex02"], budget_s=20)
    assert not [c.message for e in result.exercises for c in e.checks if c.status == "timeout"]
