"""A backfill replaces every day of its range (issue 21): stale rows on its first and last day
are overwritten, keys the recomputation no longer produces are removed, and a failure under
overlap, rerun or concurrency is shown on the fewest events and starting rows."""

import pytest

from grader.domain import semantics
from grader.course.exercises.ex12 import C
from grader.course.exercises.ex12.hidden import STALE_SCENARIO
from helpers import failing, grade, sql_cell
from grader.course.exercises.ex12.matrix import CORRECT, END, EXPLAINED, IN_RANGE, MERGE, START, STRUCTURED, WRONG, rows


def check(result, name):
    return next(c for c in result.checks if c.name == name)


def ex12(sql: str):
    return grade("ex12", sql_cell("ex12b", sql), STRUCTURED, EXPLAINED)


def test_the_stale_scenario_holds_stale_rows_on_every_day_of_the_range():
    days = {r[2] for r in STALE_SCENARIO.initial_rows}
    assert days == set(C.days)  # the first and the last day included
    produced = {r[:3] for r in semantics.feature_rows(STALE_SCENARIO.events, C.days)}
    # and on every day a key the recomputation no longer produces
    assert {r[2] for r in STALE_SCENARIO.initial_rows if r[:3] not in produced} == set(C.days)


# A DELETE that stops short of the INSERT's range, with a write that skips existing keys: the day
# it does not reach keeps its stale rows, whichever end it is.
SHORT = {
    "last_day": (f"as_of_ts >= {START} AND as_of_ts < {END}", "INSERT OR IGNORE INTO feature_table", "", "12-07"),
    "first_day": (f"as_of_ts > {START} AND as_of_ts <= {END}", "INSERT INTO feature_table", " ON CONFLICT DO NOTHING", "12-01"),
    "both_ends": (f"as_of_ts > {START} AND as_of_ts < {END}", "INSERT OR IGNORE INTO feature_table", "", "12-01, 12-07"),
    "a_day_by_date": (f"CAST(as_of_ts AS DATE) BETWEEN CAST({START} AS DATE) AND CAST({END} AS DATE) - 1",
                      "INSERT OR IGNORE INTO feature_table", "", "12-07"),
}


@pytest.mark.parametrize("name", sorted(SHORT))
def test_a_delete_short_of_the_range_with_a_skipping_write_fails_overwrites_stale_rows(name):
    where, insert, tail, days = SHORT[name]
    result = ex12(f"BEGIN;\nDELETE FROM feature_table WHERE {where};\n{insert} {rows()}{tail};\nCOMMIT;")
    # (the sample's feature_table holds stale rows on 12-01 and 12-07 too: backfill_matches_reference may see it)
    assert "overwrites_stale_rows" in failing(result) <= {"overwrites_stale_rows", "backfill_matches_reference"}, \
        [(c.name, c.message) for c in result.checks]
    said = check(result, "overwrites_stale_rows").message
    # shown on the fewest starting rows: one end day's stale row is enough
    assert any(f"stale rows kept on {d}" in said for d in days.split(", ")), said


@pytest.mark.parametrize("sql", [MERGE, f"INSERT OR REPLACE INTO feature_table {rows()};"])
def test_a_write_that_keeps_keys_no_longer_produced_fails_overwrites_stale_rows(sql):
    result = ex12(sql)
    # the sample's first and last days hold such a key too: backfill_matches_reference shows it in public
    assert failing(result) == {"backfill_matches_reference", "overwrites_stale_rows"}
    assert "rows of keys your backfill no longer produces kept on" in check(result, "backfill_matches_reference").message
    said = check(result, "overwrites_stale_rows").message
    assert "rows of keys your backfill no longer produces kept on" in said, said


@pytest.mark.parametrize("name", sorted(n for n in CORRECT if "delete" in n or "merge" in n))
def test_a_backfill_that_replaces_its_range_passes(name):
    assert check(ex12(CORRECT[name]), "overwrites_stale_rows").status == "pass"


@pytest.mark.parametrize("name,check_name", [
    ("plain_insert", "overlapping_backfills_both_orders"),
    ("plain_insert", "rerun_backfill_is_idempotent"),
    ("shared_staging_table", "concurrent_backfills_converge"),
    ("delete_stops_a_day_short_insert_or_ignore", "overwrites_stale_rows"),
    ("merge_keeps_keys_no_longer_produced", "overwrites_stale_rows"),
])
def test_schedule_failures_are_shown_on_the_fewest_events_and_starting_rows(name, check_name):
    c = check(ex12(WRONG[name][0]), check_name)
    assert c.status == "fail"
    events = next(t for t in c.tables if t.caption.startswith("events: the fewest rows"))
    assert len(events.rows) == 1, events.rows
    start = [t for t in c.tables if t.caption.startswith("feature_table before")]
    assert all(len(t.rows) <= 1 for t in start), [t.rows for t in start]


def test_the_interleaving_is_replayed_on_the_shrunk_events():
    c = check(ex12(WRONG["shared_staging_table"][0]), "concurrent_backfills_converge")
    assert "interleaved as" in c.message and "expected row(s) missing" in c.message, c.message


def test_a_backfill_writing_no_rows_on_a_value_fixture_is_not_told_a_value_mistake():
    # a range written in: right on the sample's days, nothing on the value fixtures' days
    days = "SELECT unnest(generate_series(TIMESTAMP '2025-12-01 23:59:59', TIMESTAMP '2025-12-07 23:59:59', INTERVAL 1 DAY)) AS as_of_ts"
    result = ex12(f"BEGIN;\nDELETE FROM feature_table WHERE {IN_RANGE};\nINSERT INTO feature_table {rows(days=days)};\nCOMMIT;")
    for name in ("window_edges", "retries_deduplicated", "all_types_in_impressions"):
        c = check(result, name)
        if c.status != "pass":
            assert c.message.startswith("Could not be judged"), c.message


def test_the_lesson_says_a_backfill_replaces_every_day_of_its_range():
    from pathlib import Path

    text = (Path(__file__).parents[1] / "grader/course/exercises/ex12/lesson.md").read_text()
    assert "replaces* every day of its range" in text and "no longer produces" in text
    assert "WHEN NOT MATCHED BY SOURCE" in text


def test_whole_jobs_in_sequence_run_once_per_answer_and_each_caller_gets_its_own_outcome():
    # overlapping_backfills_both_orders and concurrent_backfills_converge both run A then B
    from grader.course import harness
    from grader.course.exercises.ex12 import A, B, SEED
    from grader.engine.sandbox import Limits, split_statements

    statements = split_statements(WRONG["plain_insert"][0])
    jobs = {"A": A, "B": B}
    harness._alone_runs.clear()
    runs = harness.COUNTS["job runs"]
    with harness.Workspace(SEED, Limits()) as ws:
        first = harness.sequential(ws, statements, jobs, "AB", Limits(), SEED)
        ran = harness.COUNTS["job runs"] - runs  # A, then B and its retries (a duplicate key)
        assert ran >= 2 and first.failed
        first.notes.append("a caller's own note")
        first.failed.clear()
        again = harness.sequential(ws, statements, jobs, "AB", Limits(), SEED)
        assert harness.COUNTS["job runs"] == runs + ran  # not run again
        assert again.notes == [] and again.failed and again.rows == first.rows
        other = harness.sequential(ws, statements, jobs, "BA", Limits(), SEED)  # another order runs
        assert harness.COUNTS["job runs"] > runs + ran and other.schedule == "BA"
