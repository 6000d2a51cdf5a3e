"""Exercise 2 as a specification: the write key is judged as a set of columns; ex02b (duplicated
keys with their row count) fails the check named for its mistake and accepts other correct forms."""

import pytest

from helpers import failing, full_marks, grade, mutation_tests, sql_cell, statuses
from grader.course.exercises.ex02.matrix import CORRECT, MATRIX, RIGHT_KEY, RIGHT_SQL, SAMPLE, WHY, WRONG, key_answer  # noqa: F401


def submit(key: str = '["user_id", "item_id", "as_of_ts"]', sql: str = RIGHT_SQL):
    return grade("ex02", key_answer(key), sql_cell("ex02b", sql))


@pytest.mark.parametrize("key", [
    '["user_id", "item_id", "as_of_ts"]',
    '["as_of_ts", "user_id", "item_id"]',
    '("ITEM_ID", "User_Id", " as_of_ts")',
    '{"user_id", "item_id", "as_of_ts"}',
    '"user_id/item_id/as_of_ts"',                             # slashes or bars between the names
    '"user_id | item_id | as_of_ts"',
])
def test_write_key_in_any_order_or_case_is_accepted(key):
    result = submit(key)
    assert full_marks(result), statuses(result)


@pytest.mark.parametrize("key", [
    '["user_id", "item_id"]',                                 # no as_of_ts: history overwritten
    '["user_id", "as_of_ts"]',
    '["user_id", "item_id", "as_of_ts", "ctr_7d"]',           # a feature value in the key
    '"user_id"',
    '[1, 2, 3]',
])
def test_wrong_write_key_fails_write_key_is_entity_and_as_of(key):
    result = submit(key)
    assert failing(result) == {"write_key_is_entity_and_as_of"}, statuses(result)


def test_missing_as_of_message_explains_history():
    result = submit('["user_id", "item_id"]')
    msg = next(c.message for c in result.checks if c.name == "write_key_is_entity_and_as_of")
    assert "as_of_ts" in msg and "earlier time" in msg


# MATRIX is graded by tests/test_matrix.py, with every exercise folder's.
_, test_correct_query_gets_full_marks = mutation_tests(submit, {}, CORRECT)


def test_sample_fixture_really_has_no_primary_key():
    from grader.course.exercises.ex02 import duplicated_keys, sample

    assert len(duplicated_keys(sample(), {})) > 0


def test_template_scores_zero():
    result = grade("ex02", "ex02 = {'write_key': ..., 'why_not_both_insert': ...}",
                   sql_cell("ex02b", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"))
    assert {c.status for c in result.checks} == {"missing"}
    assert result.score == 0
