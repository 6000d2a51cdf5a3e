"""The fault harness: the DuckDB facts it relies on, and its own behaviour (crash points,
schedules, retries, determinism, clean-up)."""

import os
from datetime import datetime as dt

import duckdb
import pytest

from grader.course import harness
from grader.engine import sandbox
from grader.domain.tables import JOB_KEY, Dataset, load_seed
from grader.course.harness import Backfill, BackfillCheck, CrashCheck, Scenario, Workspace, explore, interleavings, run_job
from grader.engine.notebook import SubmittedAnswer
from grader.engine.sandbox import Limits

LIMITS = Limits()
ROW = "(1, 1, TIMESTAMP '2025-12-01 23:59:59', 1, 1, 1, 1.0)"
TINY = Scenario("tiny", Dataset({"feature_job_control": [(JOB_KEY, dt(2025, 12, 2, 23, 59, 59), None)]}))


def count(db) -> int:
    return db.execute("SELECT count(*) FROM feature_table").fetchone()[0]


def test_locked_sandbox_still_reads_and_writes_its_own_database_file():
    with Workspace(TINY, LIMITS) as ws:
        path = ws.fresh()
        db = ws.open(path)
        assert db.execute("SELECT current_setting('enable_external_access')").fetchone()[0] is False
        db.execute(f"INSERT INTO feature_table VALUES {ROW}")
        db.close()
        db = ws.open(path)
        assert count(db) == 1
        with pytest.raises(duckdb.Error):  # ...and nothing else on disk
            db.execute(f"COPY feature_table TO '{ws.dir}/leak.csv'")
        db.close()


def test_duckdb_rolls_back_an_open_transaction_when_the_connection_closes():
    with Workspace(TINY, LIMITS) as ws:
        path = ws.fresh()
        db = ws.open(path)
        db.execute("BEGIN")
        db.execute(f"INSERT INTO feature_table VALUES {ROW}")
        db.close()  # no COMMIT, as a killed process leaves it
        db = ws.open(path)
        assert count(db) == 0
        db.close()


def test_a_crash_keeps_committed_statements_and_loses_the_open_transaction():
    job = [f"INSERT INTO feature_table VALUES {ROW}", "BEGIN",
           "INSERT INTO feature_table VALUES (2, 1, TIMESTAMP '2025-12-01 23:59:59', 1, 1, 1, 1.0)", "COMMIT"]
    with Workspace(TINY, LIMITS) as ws:
        path = ws.fresh()
        db = ws.open(path)
        assert run_job(db, job, {}, LIMITS, stop_after=3) is None
        db.close()
        db = ws.open(path)
        assert count(db) == 1  # the autocommitted first INSERT survived; the transaction did not
        db.close()


def test_each_run_is_its_own_session_variables_and_temp_tables_do_not_leak():
    with Workspace(TINY, LIMITS) as ws:
        db = ws.open(ws.fresh())
        assert run_job(db, ["CREATE TEMP TABLE t AS SELECT getvariable('x') AS x"], {"x": 1}, LIMITS) is None
        failure = run_job(db, ["SELECT * FROM t"], {}, LIMITS)
        assert failure is not None and failure.statement == 1
        db.close()


def test_a_failed_statement_is_reported_with_its_number_and_text():
    with Workspace(TINY, LIMITS) as ws:
        db = ws.open(ws.fresh())
        failure = run_job(db, ["SELECT 1", "SELECT * FROM nowhere"], {}, LIMITS)
        db.close()
    assert failure.statement == 2 and "nowhere" in failure.describe()


def test_workspace_removes_its_trial_files():
    with Workspace(TINY, LIMITS) as ws:
        ws.fresh()
        folder = ws.dir
        assert os.listdir(folder)
    assert not os.path.exists(folder)


def test_interleavings_of_long_scripts_are_chosen_without_enumerating_them():
    # Issue 16: two 14-statement scripts have C(28, 14) = 40,116,600 interleavings; building them
    # all before choosing a dozen timed the check out.
    import time

    start = time.monotonic()
    many = interleavings(14, 14, [1, 2, 3, 4])
    assert time.monotonic() - start < 0.05
    assert many == interleavings(14, 14, [1, 2, 3, 4]) and len(many) <= 4 * harness.MAX_SCHEDULES
    assert all(s.count("A") == 14 == s.count("B") for s in many)
    assert "A" * 1 + "B" * 14 + "A" * 13 in many  # B inside A right after A's first statement
    assert len(harness.schedules_for([f"INSERT INTO t VALUES ({i})" for i in range(14)])) == harness.MAX_SCHEDULES


def test_interleaving_points_are_a_transactions_edges_then_the_statements_that_write():
    statements = ["SELECT 1", "SELECT 2", "BEGIN", "DELETE FROM t", "INSERT INTO t SELECT 1", "COMMIT", "SELECT 3"]
    assert harness.boundaries(statements) == [2, 6, 3, 4, 5]


def test_interleavings_are_every_schedule_when_few_and_a_fixed_sample_otherwise():
    assert sorted(interleavings(2, 2)) == sorted(["AABB", "ABAB", "ABBA", "BAAB", "BABA", "BBAA"])
    many = interleavings(4, 4)
    assert many == interleavings(4, 4)  # deterministic
    assert "ABABABAB" in many and "BABABABA" in many and "ABBBBAAA" in many and "AABBAABB" in many
    assert all(s.count("A") == 4 == s.count("B") for s in many)


SEED = Scenario("seed", load_seed())
NEXT_ROWS = """SELECT e.user_id, e.item_id, c.last_as_of_ts + INTERVAL 1 DAY,
  count(*) FILTER (WHERE e.event_type = 'click'), count(*) FILTER (WHERE e.event_type = 'view'), count(*),
  count(*) FILTER (WHERE e.event_type = 'click')::DOUBLE / count(*)
FROM (SELECT DISTINCT * FROM events) e JOIN feature_job_control c
  ON e.event_ts <= c.last_as_of_ts + INTERVAL 1 DAY AND e.event_ts > c.last_as_of_ts - INTERVAL 6 DAY
GROUP BY ALL"""
ADVANCE = f"UPDATE feature_job_control SET last_as_of_ts = last_as_of_ts + INTERVAL 1 DAY, last_run_ts = now() WHERE job_key = '{JOB_KEY}'"
CONTROL_FIRST = [ADVANCE, f"INSERT OR REPLACE INTO feature_table {NEXT_ROWS.replace('+ INTERVAL 1 DAY', '').replace('- INTERVAL 6 DAY', '- INTERVAL 7 DAY')}"]
GOOD = ["BEGIN", f"INSERT OR REPLACE INTO feature_table {NEXT_ROWS}", ADVANCE, "COMMIT"]


def test_every_statement_boundary_is_a_crash_point_and_exploration_is_deterministic():
    first = explore(GOOD, SEED, LIMITS)
    harness._explored.clear()
    again = explore(GOOD, SEED, LIMITS)
    assert [t.crash_after for t in first] == [1, 2, 3]
    assert [(t.watermark, t.days, t.outcome) for t in first] == [(t.watermark, t.days, t.outcome) for t in again]
    assert all(not t.problem and not t.ahead for t in first)


def test_control_first_job_shows_the_watermark_ahead_of_the_data():
    trials = explore(CONTROL_FIRST, SEED, LIMITS)
    assert trials[0].watermark == dt(2025, 12, 3, 23, 59, 59) and trials[0].ahead == [dt(2025, 12, 3, 23, 59, 59)]
    assert trials[0].problem.startswith("gap: day 12-03")


def test_crash_table_lists_each_crash_point_for_the_notebook():
    df = harness.crash_table(";\n".join(CONTROL_FIRST), SEED)
    assert list(df.index) == [1]
    assert df.loc[1, "watermark ahead of data?"] == "yes: day 12-03 lost"


def test_crash_check_plugs_into_check_run():
    check = CrashCheck(name="control_updated_after_write", answer="job", points=1, fail="Control updated before write",
                       scenario=SEED, aspect="control_after_write")
    result = check.run({"job": SubmittedAnswer("job", "sql", sql=";\n".join(CONTROL_FIRST))})
    assert result.status == "fail" and "statement 1" in result.message and result.tables


DAYS = "SELECT unnest(generate_series(getvariable('start_ts'), getvariable('end_ts'), INTERVAL 1 DAY)) AS d"
BACKFILL = f"""BEGIN;
DELETE FROM feature_table WHERE as_of_ts BETWEEN getvariable('start_ts') AND getvariable('end_ts');
INSERT INTO feature_table SELECT e.user_id, e.item_id, x.d, count(*) FILTER (WHERE e.event_type = 'click'),
  count(*) FILTER (WHERE e.event_type = 'view'), count(*), count(*) FILTER (WHERE e.event_type = 'click')::DOUBLE / count(*)
FROM (SELECT DISTINCT * FROM events) e JOIN ({DAYS}) x ON e.event_ts <= x.d AND e.event_ts > x.d - INTERVAL 7 DAY GROUP BY ALL;
COMMIT;"""


def test_a_transaction_conflict_between_two_backfills_is_retried():
    a = Backfill("A", dt(2025, 12, 1, 23, 59, 59), dt(2025, 12, 3, 23, 59, 59))
    b = Backfill("B", dt(2025, 12, 2, 23, 59, 59), dt(2025, 12, 4, 23, 59, 59))
    statements = sandbox.split_statements(BACKFILL)
    with Workspace(SEED, LIMITS) as ws:
        out = harness.run_schedule(ws, statements, {"A": a, "B": b}, "ABABABAB", LIMITS, SEED)
    assert out.notes and "retried" in out.notes[0]  # both inserted 12-02/12-03: the second commit conflicts
    assert not out.failed and out.diff.equal


def test_counts_record_what_a_grading_explored():
    harness.COUNTS.clear()
    check = BackfillCheck(name="x", answer="job", points=1, fail="f", scenario=SEED,
                          jobs=[Backfill("A", dt(2025, 12, 1, 23, 59, 59), dt(2025, 12, 2, 23, 59, 59)),
                                Backfill("B", dt(2025, 12, 2, 23, 59, 59), dt(2025, 12, 3, 23, 59, 59))],
                          interleave=True)
    check.run({"job": SubmittedAnswer("job", "sql", sql=BACKFILL)})
    # 4 statements each: lockstep, one inside the other and both side by side, both ways, each
    # once as DuckDB runs it (a BEGIN counts from its job's next statement)
    assert harness.COUNTS["interleavings"] == len(harness.schedules_for(sandbox.split_statements(BACKFILL))) >= 8


def test_grading_in_forked_children_leaves_no_database_files_behind(tmp_path, monkeypatch):
    import glob
    import tempfile

    from grader.course import exercises
    from grader.grading.grade import grade_exercise

    # a temp folder of this test's own: other test workers create harness folders too
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    pattern = os.path.join(tempfile.gettempdir(), "week12-harness-*")
    before = set(glob.glob(pattern))
    job = f"INSERT OR REPLACE INTO feature_table {NEXT_ROWS};\n{ADVANCE};"
    result = grade_exercise(exercises.get("ex08"), {"ex08": SubmittedAnswer("ex08", "sql", sql=job)}, isolate=True)
    assert result.checks and set(glob.glob(pattern)) <= before


def test_crash_trials_in_memory_and_on_files_reach_the_same_verdicts(monkeypatch):
    """Grading crashes sessions on in-memory databases for speed; a killed process on a database
    file must look the same to every job: known-wrong and correct alike. Only the crash checks
    (of Exercises 8 and 10) depend on the medium, so only they are run both ways, each declared
    with its medium, and the files are counted: the "file" half must really open files."""
    import dataclasses

    from grader.course import exercises
    from grader.course.exercises.ex08 import matrix as ex08
    from grader.course.harness.workspace import Workspace

    crash_checks = [c for ex in ("ex08", "ex10") for c in exercises.get(ex).all_checks()
                    if isinstance(c, CrashCheck)]
    # The jobs the crash checks are declared to fail, and every correct form (which they must pass
    # on both media); the other wrong jobs' mistakes are not about crashes.
    names = {c.name for c in crash_checks}
    jobs = [sql for sql, fails, _ in ex08.WRONG.values() if set(fails) & names]
    jobs += list(ex08.CORRECT.values())
    assert len(jobs) > len(ex08.CORRECT)
    fresh_files = []
    real_fresh = Workspace.fresh
    monkeypatch.setattr(Workspace, "fresh", lambda ws: fresh_files.append(real_fresh(ws)) or fresh_files[-1])
    verdicts, files = {}, {}
    for medium in ("file", "memory"):
        harness._explored.clear()
        fresh_files.clear()
        checks = [dataclasses.replace(c, medium=medium) for c in crash_checks]
        verdicts[medium] = [
            [(c.name, c.run({"ex08": SubmittedAnswer("ex08", "sql", sql=job)}).status) for c in checks]
            for job in jobs
        ]
        files[medium] = len(fresh_files)
    assert verdicts["file"] == verdicts["memory"]
    # on files, every crash trial starts from a fresh database file; in memory, none does
    assert files["memory"] == 0
    assert files["file"] >= len(jobs)
    # the jobs exercise both verdicts of every crash check
    for i, check in enumerate(crash_checks):
        assert {v[i][1] for v in verdicts["memory"]} == {"pass", "fail"}, check.name


def test_the_crash_medium_comes_from_the_environment_unless_a_check_declares_it(monkeypatch):
    from grader.course.harness import crash

    monkeypatch.setenv("WEEK12_CRASH_MEDIUM", "file")
    assert crash.default_medium() == "file"
    monkeypatch.delenv("WEEK12_CRASH_MEDIUM")
    assert crash.default_medium() == "memory"
    monkeypatch.setenv("WEEK12_CRASH_MEDIUM", "disk")
    with pytest.raises(ValueError, match="file, memory"):
        crash.default_medium()


def job_scenarios() -> dict[str, Scenario]:
    """Every scenario a job check of any exercise runs on (its fixture, its gate, its watermark
    scenarios), found from the declarations."""
    import dataclasses

    from grader.course import exercises

    found = {}
    for ex in exercises.all_exercises():
        for check in ex.all_checks():
            for f in dataclasses.fields(check):
                value = getattr(check, f.name)
                if isinstance(value, Scenario):
                    found[f"{ex.id}.{check.name}.{f.name}"] = value
    return found


def test_job_scenarios_hold_the_dimension_rows_of_their_events():
    # Issue 10: a learner's point-in-time join to users / items must keep every event, so each
    # user and item exists (signed up / created) no later than its first event.
    scenarios = job_scenarios()
    assert len(scenarios) >= 15
    for where, sc in scenarios.items():
        users = {u: ts for u, ts, _ in sc.dataset.rows("users")}
        items = {i: ts for i, ts, _ in sc.dataset.rows("items")}
        for e in sc.events:
            assert e[1] in users and users[e[1]] <= e[3], (where, e)
            assert e[2] in items and items[e[2]] <= e[3], (where, e)


def test_incremental_job_scenarios_have_exactly_one_control_row_for_the_job():
    # the incremental job (ex08, re-run by ex10) reads its watermark from this row
    scenarios = {w: sc for w, sc in job_scenarios().items() if w.startswith(("ex08.", "ex10."))}
    assert scenarios
    for where, sc in scenarios.items():
        assert [r[0] for r in sc.dataset.rows("feature_job_control")].count(JOB_KEY) == 1, where
