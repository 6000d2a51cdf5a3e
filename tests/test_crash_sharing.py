"""Crash points that leave the committed state an earlier one left take that one's outcome
(grader/course/harness/crash.py `same_as_earlier`): a crash inside a transaction rolls it back,
so every crash from BEGIN up to its COMMIT leaves what a crash just before BEGIN leaves.

Held against every job the course declares (each exercise's matrix of wrong jobs, its correct
formulations and its solution) on every crash check's scenario: the trials, outcomes and
verdicts with sharing equal those with every crash point run."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest

from grader.course import exercises
from grader.course.harness import crash
from grader.course.harness.crash import CrashCheck, same_as_earlier
from grader.course.harness.workspace import COUNTS, _statements
from grader.engine import sandbox
from grader.engine.lockdown import Limits
from grader.engine.notebook import extract_answers
from helpers import cells

LIMITS = Limits()


def _crash_checks():
    for ex in exercises.all_exercises():
        found = [c for c in ex.all_checks() if isinstance(c, CrashCheck)]
        if found:
            yield ex, found


def _crash_checks_by_id():
    return [(ex.id, found) for ex, found in _crash_checks()]


def _declared_jobs():
    """(exercise, label, answers) for every declared job of an exercise with crash checks."""
    matrices = exercises.matrices()
    for ex, _ in _crash_checks():
        module = matrices.get(ex.id)
        for name, wrong in sorted(getattr(module, "MATRIX", {}).items()):
            yield ex, f"wrong:{name}", extract_answers(cells(*wrong.cells))[0]
        template = next(iter(getattr(module, "MATRIX", {}).values()), None)
        for name, sql in sorted((getattr(module, "CORRECT", None) or {}).items()):
            if template is not None and isinstance(sql, str):
                sources = [c if not c.startswith("%%sql") else f"{c.split(chr(10), 1)[0]}\n{sql}" for c in template.cells]
                yield ex, f"correct:{name}", extract_answers(cells(*sources))[0]


JOBS = list(_declared_jobs())


def test_the_declared_jobs_are_collected():
    # a rename would silently empty the equivalence test below
    assert {ex.id for ex, _, _ in JOBS} >= {"ex08", "ex10"}
    assert any(label.startswith("correct:") for _, label, _ in JOBS)
    # and many of them are transactional jobs whose crash points are shared: the test compares something
    sharing = [label for ex, label, answers in JOBS for check in dict(_crash_checks_by_id())[ex.id][:1]
               if check.answer in answers and answers[check.answer].sql
               and same_as_earlier(sandbox.split_statements(answers[check.answer].sql))]
    assert len(sharing) >= 10, sharing


def _explore_both_ways(statements, scenario):
    crash._explored.clear()
    shared = crash.explore(statements, scenario, LIMITS)
    crash._explored.clear()
    saved = crash.SHARE_EQUAL_CRASHES
    crash.SHARE_EQUAL_CRASHES = False
    try:
        every = crash.explore(statements, scenario, LIMITS)
    finally:
        crash.SHARE_EQUAL_CRASHES = saved
        crash._explored.clear()
    return shared, every


def _fields(trial):
    d = dataclasses.asdict(trial)
    d["diff"] = trial.diff.summary() if trial.diff else None
    return d


@pytest.mark.parametrize("ex,label,answers", JOBS, ids=[f"{e.id}-{label}" for e, label, _ in JOBS])
def test_shared_crash_points_give_every_declared_job_the_same_trials(ex, label, answers):
    checks = dict(_crash_checks_by_id())[ex.id]
    seen = set()
    for check in checks:
        answer = answers.get(check.answer)
        if answer is None or (check.answer, id(check.scenario)) in seen:
            continue
        seen.add((check.answer, id(check.scenario)))
        try:
            statements = _statements(answer, check.answer)
        except sandbox.SandboxError:
            continue
        # as written, and (where crash points are shared) with a comment before every statement
        commented = [f"-- step {i}: why\n{st}" for i, st in enumerate(statements, 1)]
        for job in [statements] + ([commented] if same_as_earlier(statements) else []):
            shared, every = _explore_both_ways(job, check.scenario)
            assert [_fields(t) for t in shared] == [_fields(t) for t in every], (check.name, job)


def test_a_transactional_job_runs_one_crash_for_its_whole_transaction():
    job = ["BEGIN", "DELETE FROM feature_table WHERE as_of_ts = TIMESTAMP '2025-12-04'",
           "INSERT INTO feature_table SELECT 1, 1, TIMESTAMP '2025-12-04', 0, 0, 0, 0.0",
           "UPDATE feature_job_control SET last_as_of_ts = TIMESTAMP '2025-12-04'", "COMMIT"]
    # crashes after BEGIN, DELETE, INSERT and UPDATE all leave the state before BEGIN
    assert same_as_earlier(job) == {2: 1, 3: 1, 4: 1}


def test_comments_before_the_transaction_keywords_are_read_past():
    job = ["-- the day's rows, all or nothing\nBEGIN;", "DELETE FROM feature_table;",
           "/* then the watermark */ UPDATE feature_job_control SET last_as_of_ts = now();",
           "-- done\n  commit transaction;", "SELECT 1;"]
    assert same_as_earlier(job) == {2: 1, 3: 1}


def test_autocommit_statements_each_leave_their_own_state():
    job = ["DELETE FROM feature_table", "INSERT INTO feature_table SELECT 1, 1, now(), 0, 0, 0, 0.0",
           "UPDATE feature_job_control SET last_as_of_ts = now()"]
    assert same_as_earlier(job) == {}


def test_a_crash_just_before_begin_is_the_one_the_transaction_shares():
    job = ["DELETE FROM feature_rows", "BEGIN TRANSACTION", "DELETE FROM feature_table",
           "COMMIT", "UPDATE feature_job_control SET last_as_of_ts = now()", "SELECT 1"]
    assert same_as_earlier(job) == {2: 1, 3: 1}


@pytest.mark.parametrize("word", ["CREATE SEQUENCE ids", "SELECT nextval('ids')", "SELECT setval('ids', 9)",
                                  "ATTACH ':memory:' AS other", "USE memory"])
def test_a_job_touching_what_a_rollback_keeps_runs_every_crash(word):
    assert same_as_earlier(["BEGIN", word, "DELETE FROM feature_table", "COMMIT"]) == {}


def test_premise_a_rollback_keeps_a_sequences_value():
    # why sequences are excluded: the job's next run would see another id than after a crash before BEGIN
    con = duckdb.connect()
    con.execute("CREATE SEQUENCE ids")
    con.execute("BEGIN")
    con.execute("SELECT nextval('ids')")
    con.execute("ROLLBACK")
    assert con.execute("SELECT nextval('ids')").fetchone()[0] == 2


def test_premise_a_rollback_undoes_the_transactions_tables_and_rows():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a INT)")
    con.execute("INSERT INTO t VALUES (1)")
    con.execute("BEGIN")
    con.execute("DELETE FROM t")
    con.execute("CREATE TABLE u AS SELECT 2 AS a")
    con.execute("DROP TABLE t")
    con.execute("ROLLBACK")
    assert con.execute("SELECT * FROM t").fetchall() == [(1,)]
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'u'").fetchone()[0] == 0


def test_a_job_whose_first_run_fails_runs_every_crash():
    ex, checks = next(iter(_crash_checks()))
    scenario = checks[0].scenario
    failing = ["BEGIN", "DELETE FROM feature_table", "INSERT INTO nowhere SELECT 1", "COMMIT"]
    assert same_as_earlier(failing) == {2: 1, 3: 1}  # the text alone would share; the failed run forbids it
    crash._explored.clear()
    COUNTS.clear()
    trials = crash.explore(failing, scenario, LIMITS)
    assert COUNTS["crash points"] == len(trials) == 3


def test_sharing_runs_fewer_crash_points_for_a_transactional_job():
    ex, checks = next(iter(_crash_checks()))
    scenario = checks[0].scenario
    job = ["BEGIN", "DELETE FROM feature_table WHERE as_of_ts > (SELECT last_as_of_ts FROM feature_job_control)",
           "UPDATE feature_job_control SET last_as_of_ts = last_as_of_ts + INTERVAL 1 DAY", "COMMIT"]
    COUNTS.clear()
    shared, every = _explore_both_ways(job, scenario)
    assert [t.crash_after for t in shared] == [1, 2, 3]
    assert [t.outcome for t in shared] == [t.outcome for t in every]
    assert COUNTS["crash points"] == 1 + 3  # one run with sharing, three without
