"""Which interleavings the concurrency check runs (grader/course/harness/schedules.py): both runs
side by side at a boundary as well as one inside the other, and no two that DuckDB cannot tell
apart (a BEGIN deferred to its job's next statement), nor one run simply after the other."""

from __future__ import annotations

import duckdb

from grader.course.exercises.ex12 import EXERCISE
from grader.course.exercises.ex12.matrix import REFERENCE, WRONG
from grader.course.harness import MAX_SCHEDULES, begins_deferred, interleavings, schedules_for
from grader.engine.lockdown import Limits
from grader.engine.statements import split_statements, transaction_word

CONCURRENT = next(c for c in EXERCISE.checks if c.name == "concurrent_backfills_converge")


def test_duckdb_starts_a_transactions_snapshot_at_its_first_statement_not_at_begin():
    # what begins_deferred relies on: a BEGIN alone fixes nothing another session can race with
    con = duckdb.connect()
    con.execute("CREATE TABLE t (x INT)")
    a, b = con.cursor(), con.cursor()
    for begin in ("BEGIN", "BEGIN TRANSACTION", "START TRANSACTION"):
        a.execute(begin)
        b.execute("INSERT INTO t VALUES (1)")
        seen = a.execute("SELECT count(*) FROM t").fetchone()[0]
        b.execute("INSERT INTO t VALUES (1)")
        assert a.execute("SELECT count(*) FROM t").fetchone()[0] == seen  # fixed from its first statement
        a.execute("COMMIT")
        assert seen == con.execute("SELECT count(*) FROM t").fetchone()[0] - 1


def test_transaction_words_are_read_past_comments_and_case():
    assert [transaction_word(s) for s in ("-- the job\nbegin;", "START TRANSACTION", "commit transaction", "END",
                                          "ROLLBACK", "SELECT 'BEGIN'", "DELETE FROM t")] == \
        ["BEGIN", "BEGIN", "COMMIT", "COMMIT", "COMMIT", None, None]


def test_a_begin_runs_with_its_jobs_next_statement():
    statements = ["BEGIN", "DELETE FROM t", "INSERT INTO t VALUES (1)", "COMMIT"]
    assert begins_deferred("ABABABAB", statements) == "AABBABAB"
    assert begins_deferred("ABBBBAAA", statements) == "BBBBAAAA"  # B whole inside A's open BEGIN: B, then A
    assert begins_deferred("AABBAABB", ["DELETE FROM t"] * 4) == "AABBAABB"  # nothing to defer


def test_schedules_are_distinct_interleavings_never_one_run_after_the_other():
    statements = split_statements(REFERENCE)
    chosen = schedules_for(statements)
    assert 0 < len(chosen) <= MAX_SCHEDULES and len(set(chosen)) == len(chosen)
    assert all(s.count("AB") + s.count("BA") > 1 for s in chosen)
    assert chosen == [s for s in dict.fromkeys(begins_deferred(c, statements) for c in interleavings(
        len(statements), len(statements), [1, 2, 3])) if s.count("AB") + s.count("BA") > 1][:MAX_SCHEDULES]


def test_both_runs_staging_their_rows_before_either_writes_is_tried():
    # a staging table shared by every run and refreshed by each: A stages, B wipes A's rows and
    # stages its own, A writes B's rows over its range; only that shape shows it
    script = WRONG["shared_staging_refreshed_each_run"][0]
    statements = split_statements(script)
    assert "AAABBBAAAABBBB" in schedules_for(statements)
    bad = [o for o in CONCURRENT.outcomes(statements, Limits()) if not o.diff.equal]
    assert bad and all(o.schedule.startswith("AAABBB") or o.schedule.startswith("BBBAAA") for o in bad)


def test_deferring_a_begin_changes_no_outcome_of_the_courses_transactional_backfills():
    scripts = [REFERENCE] + [sql for sql, _ in WRONG.values() if "BEGIN" in sql.upper()][:2]
    for script in scripts:
        statements = split_statements(script)
        raw = interleavings(len(statements), len(statements), [1, 2, 3])[:8]
        for schedule in raw:
            one, two = (CONCURRENT.__class__(**{**CONCURRENT.__dict__, "schedules": [s]}).outcomes(statements, Limits())[0]
                        for s in (schedule, begins_deferred(schedule, statements)))
            assert sorted(one.rows) == sorted(two.rows) and one.failed == two.failed, (script[:40], schedule)
