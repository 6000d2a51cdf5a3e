"""`grader bench profile`: where grading a distinct class spends its CPU time, by kind of check,
and what shrinking counterexamples costs (issue 23)."""

from __future__ import annotations

import json

from grader import cli
from grader.course import exercises
from grader.engine import spent


def test_profile_puts_every_check_under_its_kind_and_prices_shrinking(tmp_path, capsys):
    out = tmp_path / "profile.json"
    assert cli.main(["bench", "profile", "--submissions", "1", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    graded, plain = figures["passes"]["as graded"], figures["passes"]["no counterexamples shrunk"]
    every_check = sum(len(exercises.get(i).all_checks(True)) for i in exercises.IDS)
    assert sum(graded["checks_per_submission"].values()) == every_check
    assert {"ResultCheck", "CleanRunsCheck", "CrashCheck", "BackfillCheck"} <= set(graded["by_kind_s_per_submission"])
    # the kinds and reading are the whole of the grading, give or take the assembling of results
    kinds = sum(graded["by_kind_s_per_submission"].values())
    assert 0.9 * graded["cpu_s_per_submission"] <= kinds <= graded["cpu_s_per_submission"]
    assert graded["by_kind_s_per_submission"]["reading the notebooks"] > 0
    # about half the generated answers are wrong: their counterexamples cost time, not verdicts
    assert plain["cpu_s_per_submission"] < graded["cpu_s_per_submission"]
    assert figures["statuses_equal_unshrunk"] is True and figures["shrinking_share"] > 0
    assert graded["harness_counts_per_submission"]["job runs"] > 0
    # DuckDB's work by purpose: each place that hands it work is timed, and together they are
    # part of the grading's CPU time, not more
    work = graded["duckdb_work_s_per_submission"]
    assert set(work) == set(spent.PURPOSES) and all(v > 0 for v in work.values()), work
    assert sum(work.values()) < graded["cpu_s_per_submission"]
    # and how often: every purpose was handed work, each time costing less than the whole
    handed = graded["duckdb_handed_per_submission"]
    assert set(handed) == set(spent.PURPOSES) and all(v >= 1 for v in handed.values()), handed
    assert handed[spent.LEARNER] > handed[spent.BUILDING] > 0
    printed = capsys.readouterr().out
    assert "CrashCheck" in printed and "shrinking counterexamples:" in printed
    assert "the learner's statements alone, on 2 workers:" in printed
    assert "learner statements (" in printed and "databases built (" in printed
    assert "ms a database, those statements and databases alone would take" in printed
    # each check's own cost, the costliest named: they add up to the kinds' (every check is one kind)
    by_check = graded["by_check_s_per_submission"]
    assert len(by_check) == every_check
    assert abs(sum(by_check.values()) - (kinds - graded["by_kind_s_per_submission"]["reading the notebooks"])) < 0.01
    assert "costliest checks" in printed and max(by_check, key=by_check.get) in printed
    assert set(graded["submissions_failing"]) == set(by_check)


def test_the_check_timing_cell_runs_against_this_code(capsys):
    # the bench runs this cell in a kernel, where a failing import only shows as a missing figure
    from types import SimpleNamespace

    from grader.scale.gradebench import CHECK_TIMING_CELL

    calls = []
    namespace = {"check": lambda exercise: calls.append(exercise) or SimpleNamespace(passed=True)}
    exec(CHECK_TIMING_CELL.format(exercise="ex06"), namespace)
    assert calls == ["ex06"] * 6
    assert capsys.readouterr().out.startswith("CHECK_SECONDS ")
