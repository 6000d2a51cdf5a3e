"""A hidden check whose rows are withheld is not shrunk (issue 23): the fewest rows that show a
mistake cost most of a wrong answer's grading, and on a hidden check they would be dropped
before anyone sees them. The verdict stays; its message speaks of the whole hidden fixture.
With --feedback-hidden-rows (the instructor sees them) and on public checks, failures shrink."""

from __future__ import annotations

import dataclasses

import pytest

from grader.course import exercises
from grader.engine.checks import ResultCheck
from grader.engine.notebook import extract_answers
from grader.engine.results import CheckResult
from grader.engine.sandbox import Limits
from grader.grading import grade
from grader.grading.steps import limits_for
from helpers import cells, sql_cell
from hostile_submissions.cases import write_notebook
from grader.course.exercises.ex06.matrix import MATRIX as EX06_WRONG, RIGHT_WINDOW, cell as ex06_cell, counts
from grader.course.exercises.ex12.matrix import WRONG as EX12_WRONG

NO_SHRINK = Limits(shrink=False)
EDGE_INCLUSIVE = EX06_WRONG["window_closed_at_start"].cells[0]  # fails the hidden window_edges check
RIGHT = ex06_cell(counts(RIGHT_WINDOW))


def _check(exercise_id: str, name: str):
    return next(c for c in exercises.get(exercise_id).all_checks(True) if c.name == name)


def test_limits_for_withholds_shrinking_only_where_rows_are_withheld():
    hidden = next(c for c in exercises.get("ex06").all_checks(True) if c.hidden)
    public = next(c for c in exercises.get("ex06").all_checks(True) if not c.hidden)
    assert limits_for(hidden, Limits(), show_hidden_rows=False).shrink is False
    assert limits_for(hidden, Limits(), show_hidden_rows=True).shrink is True
    assert limits_for(public, Limits(), show_hidden_rows=False).shrink is True
    assert limits_for(hidden, Limits(timeout_s=3), show_hidden_rows=False).timeout_s == 3  # nothing else changes


def test_an_unshrunk_result_check_keeps_its_verdict_and_shows_the_whole_fixture():
    check = next(c for c in exercises.get("ex06").all_checks(True) if isinstance(c, ResultCheck) and c.hidden
                 and c.name == "window_edges")
    answers, _ = extract_answers(cells(EDGE_INCLUSIVE))
    shrunk, whole = check.run(answers, Limits()), check.run(answers, NO_SHRINK)
    assert shrunk.status == whole.status == "fail"
    assert shrunk.tables[0].caption.startswith("events: the fewest rows")
    assert whole.tables[0].caption == "events" and len(whole.tables[0].rows) == len(check.fixture.dataset.rows("events"))
    assert len(whole.tables[0].rows) > len(shrunk.tables[0].rows)
    assert check.fail in whole.message  # the same explanation, after a finding about the whole fixture


def test_a_correct_answer_and_an_empty_one_are_judged_the_same_either_way():
    check = _check("ex06", "window_edges")
    for source, status in ((RIGHT, "pass"), (ex06_cell("SELECT 1 AS user_id WHERE false"), "fail")):
        answers, _ = extract_answers(cells(source))
        shrunk, whole = check.run(answers, Limits()), check.run(answers, NO_SHRINK)
        assert (shrunk.status, shrunk.points) == (whole.status, whole.points) and whole.status == status, whole.message


def test_an_unshrunk_backfill_failure_shows_no_shrunk_events():
    check = _check("ex12", "overlapping_backfills_both_orders")
    answers, _ = extract_answers(cells(sql_cell("ex12b", EX12_WRONG["plain_insert"][0])))
    shrunk, whole = check.run(answers, Limits()), check.run(answers, NO_SHRINK)
    assert shrunk.status == whole.status == "fail"
    assert any(t.caption.startswith("events: the fewest rows") for t in shrunk.tables)
    assert not any("fewest rows" in t.caption for t in whole.tables)


def _reporting_limits(check, answers, limits) -> CheckResult:
    """A run_check step that says which limits it was handed instead of running anything."""
    return CheckResult(check.name, "pass", check.points, check.points, f"shrink={limits.shrink}", check.hidden)


@pytest.mark.parametrize("show_hidden_rows", [False, True])
def test_the_batch_hands_hidden_checks_no_shrinking_unless_their_rows_are_shown(tmp_path, show_hidden_rows):
    write_notebook(tmp_path / "ada" / "ex06.ipynb", EDGE_INCLUSIVE)
    steps = dataclasses.replace(grade.STEPS, run_check=_reporting_limits)
    [forked] = grade.grade_many(grade.find_submissions([tmp_path / "ada"]), only=["ex06"], steps=steps,
                                show_hidden_rows=show_hidden_rows, share=False)
    [here] = grade.grade_here([tmp_path / "ada"], only=["ex06"], steps=steps, show_hidden_rows=show_hidden_rows)
    for result in (forked, here):
        said = {c.name: (c.hidden, c.message) for e in result.exercises for c in e.checks}
        assert any(hidden for hidden, _ in said.values()) and not all(hidden for hidden, _ in said.values())
        for name, (hidden, message) in said.items():
            assert message.startswith(f"shrink={not hidden or show_hidden_rows}"), (name, message)
