"""Exercise 1 as a specification: the backfill choice is judged by option key, in any order or
case; each wrong choice fails the check named for its mistake; definitions are manual."""

from pathlib import Path

import pytest

from grader.course.exercises.ex01 import OPTIONS
from helpers import failing, full_marks, grade, statuses

DEFS = (
    '"backfill_definition": "A backfill recomputes features for a range of past as-of days.", '
    '"incremental_definition": "An incremental run computes only the next as-of day after the watermark."'
)


def answer(backfill: str) -> str:
    return f"ex01 = {{'backfill': {backfill}, {DEFS}}}"


@pytest.mark.parametrize("backfill", [
    '["new_feature", "bug_fix", "new_entities"]',
    '["new_entities", "new_feature", "bug_fix"]',          # another order
    '["NEW_FEATURE", " Bug_Fix ", "new_entities"]',        # case and spaces
    '("bug_fix", "new_entities", "new_feature")',          # a tuple
    '{"bug_fix", "new_entities", "new_feature"}',          # a set
])
def test_right_situations_in_any_order_or_case_get_full_marks(backfill):
    result = grade("ex01", answer(backfill))
    assert full_marks(result), statuses(result)
    assert statuses(result)["backfill_definition"] == "manual"


@pytest.mark.parametrize("backfill,check", [
    ('["new_feature", "bug_fix"]', "backfill_when_history_changes"),                       # forgot new entities
    ('["new_feature", "new_entities"]', "backfill_when_history_changes"),                  # forgot the repair
    ('["new_feature", "bug_fix", "new_entities", "daily_run"]', "new_days_are_incremental"),
    ('["new_feature", "bug_fix", "new_entities", "missed_day"]', "new_days_are_incremental"),
    ('["new_feature", "bug_fix", "new_entities", "serving_refresh"]', "new_days_are_incremental"),
    ('["daily_run"]', "backfill_when_history_changes"),
    ('["new_feature", "bug_fixes", "new_entities"]', "backfill_when_history_changes"),   # unknown key
    ('"new_feature"', "backfill_when_history_changes"),                                   # one string
])
def test_wrong_choice_fails_the_check_named_for_its_mistake(backfill, check):
    result = grade("ex01", answer(backfill))
    assert check in failing(result), statuses(result)


def test_choosing_the_missed_day_explains_the_watermark():
    result = grade("ex01", answer('["new_feature", "bug_fix", "new_entities", "missed_day"]'))
    msg = next(c.message for c in result.checks if c.name == "new_days_are_incremental")
    assert "watermark" in msg


def test_template_is_missing_everywhere_and_scores_zero():
    result = grade("ex01", "ex01 = {'backfill': ..., 'backfill_definition': ..., 'incremental_definition': ...}")
    assert {c.status for c in result.checks} == {"missing"}
    assert result.score == 0


def test_one_word_definition_is_flagged_but_left_to_the_instructor():
    # A written answer is worth points now; a terse one may still be right, so no machine
    # takes its points: the student is told it is short, the instructor scores it.
    result = grade("ex01", "ex01 = {'backfill': ['new_feature', 'bug_fix', 'new_entities'], "
                   "'backfill_definition': 'history', 'incremental_definition': 'daily'}")
    check = next(c for c in result.checks if c.name == "backfill_definition")
    assert check.status == "manual" and "only 1 word" in check.message
    assert result.manual_pending == 2 and result.max_score == result.score


def test_every_option_key_is_shown_in_the_lesson():
    text = (Path(__file__).parent.parent / "grader/course/exercises/ex01/lesson.md").read_text()
    for key in OPTIONS:
        assert f"`{key}`" in text
