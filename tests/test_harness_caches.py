"""The fault harness runs a job once per answer and scenario *content* (issue 23): checks declare
equal scenarios apart and several checks' shrinking tries the same subsets, so a cache keyed on
the scenario object ran the same job again; a public and a hidden check (one shrinks, one does
not) share their runs too. Anything that changes a run's outcome still runs it again."""

from __future__ import annotations

from dataclasses import replace

from grader.course import harness
from grader.course.exercises.ex08.matrix import REFERENCE
from grader.course.exercises.ex12 import A, B, SEED
from grader.domain.tables import load_seed
from grader.engine.sandbox import Limits, split_statements

STATEMENTS = split_statements(REFERENCE)


def _sample(name: str = "the workbook's sample tables") -> harness.Scenario:
    return harness.Scenario(name, load_seed())  # a new object each time, the same rows


def _ran(work) -> int:
    before = harness.COUNTS["job runs"]
    work()
    return harness.COUNTS["job runs"] - before


def test_clean_runs_on_equal_scenarios_declared_apart_run_once():
    harness._runs.clear()
    first = harness.job_runs(STATEMENTS, _sample("one check's scenario"), Limits(), 2)
    assert _ran(lambda: harness.job_runs(STATEMENTS, _sample("another's, equal"), Limits(), 2)) == 0
    again = harness.job_runs(STATEMENTS, _sample(), Limits(), 2)
    assert again.after.rows == first.after.rows and again.after.watermark == first.after.watermark


def test_a_public_and_a_hidden_check_share_their_clean_runs():
    harness._runs.clear()
    harness.job_runs(STATEMENTS, _sample(), Limits(), 2)
    assert _ran(lambda: harness.job_runs(STATEMENTS, _sample(), Limits(shrink=False), 2)) == 0


def test_whatever_changes_a_run_runs_it_again():
    harness._runs.clear()
    sc = _sample()
    harness.job_runs(STATEMENTS, sc, Limits(), 2)
    events = sc.dataset.rows("events")
    fewer = harness.Scenario(sc.name, sc.dataset.with_rows("events", events[1:]), sc.variables)
    assert _ran(lambda: harness.job_runs(STATEMENTS, fewer, Limits(), 2)) == 2  # one event fewer
    assert _ran(lambda: harness.job_runs(STATEMENTS, sc, Limits(), 3)) == 3  # another number of runs
    assert _ran(lambda: harness.job_runs(STATEMENTS, sc, Limits(timeout_s=4.0), 2)) == 2  # another time limit
    assert _ran(lambda: harness.job_runs(STATEMENTS[:-1], sc, Limits(), 2)) == 2  # another script
    moved = harness.Scenario(sc.name, sc.dataset, {"as_of_ts": events[0][-1]})
    assert _ran(lambda: harness.job_runs(STATEMENTS, moved, Limits(), 2)) == 2  # another variable


def test_backfills_in_sequence_on_equal_scenarios_run_once_and_each_caller_gets_its_own():
    from grader.course.exercises.ex12.matrix import WRONG

    statements = split_statements(WRONG["plain_insert"][0])
    twin = harness.Scenario(SEED.name + " (declared again)", replace(SEED.dataset), dict(SEED.variables))
    harness._alone_runs.clear()
    with harness.Workspace(SEED, Limits()) as ws:
        first = harness.sequential(ws, statements, {"A": A, "B": B}, "AB", Limits(), SEED)
    first.failed.clear()
    with harness.Workspace(twin, Limits(shrink=False)) as ws:
        ran = _ran(lambda: harness.sequential(ws, statements, {"A": A, "B": B}, "AB", Limits(shrink=False), twin))
        again = harness.sequential(ws, statements, {"A": A, "B": B}, "AB", Limits(), twin)
    assert ran == 0 and again.failed and again.rows == first.rows
