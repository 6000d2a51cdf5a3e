"""Exercise 2 as a specification: the write key is judged as a set of columns; ex02b (duplicated
keys with their row count) fails the check named for its mistake and accepts other correct forms."""

import pytest

from helpers import exact_failures_test, failing, full_marks, grade, mutation_tests, sql_cell, statuses, wrong

WHY = "'why_not_both_insert': 'Both jobs insert the same key so the table holds two rows per key.'"
RIGHT_SQL = """SELECT user_id, item_id, as_of_ts, count(*) AS n FROM feature_table
GROUP BY user_id, item_id, as_of_ts HAVING count(*) > 1"""


def key_answer(key: str) -> str:
    return f"ex02 = {{'write_key': {key}, {WHY}}}"


def submit(key: str = '["user_id", "item_id", "as_of_ts"]', sql: str = RIGHT_SQL):
    return grade("ex02", key_answer(key), sql_cell("ex02b", sql))


@pytest.mark.parametrize("key", [
    '["user_id", "item_id", "as_of_ts"]',
    '["as_of_ts", "user_id", "item_id"]',
    '("ITEM_ID", "User_Id", " as_of_ts")',
    '{"user_id", "item_id", "as_of_ts"}',
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


SAMPLE = "finds_duplicated_keys_on_sample"
RIGHT_KEY = '["user_id", "item_id", "as_of_ts"]'

WRONG = {
    "groups_by_pair_only": (
        {SAMPLE, "groups_by_full_key"},
        """SELECT user_id, item_id, max(as_of_ts) AS as_of_ts, count(*) AS n FROM feature_table
           GROUP BY user_id, item_id HAVING count(*) > 1"""),
    "groups_by_user_and_day": (
        {SAMPLE, "groups_by_full_key"},
        """SELECT user_id, min(item_id) AS item_id, as_of_ts, count(*) AS n FROM feature_table
           GROUP BY user_id, as_of_ts HAVING count(*) > 1"""),
    "no_having": (
        {SAMPLE, "no_false_alarms"},
        "SELECT user_id, item_id, as_of_ts, count(*) AS n FROM feature_table GROUP BY user_id, item_id, as_of_ts"),
    "distinct_rows_first": (
        {SAMPLE, "duplicates_with_different_values"},
        """SELECT user_id, item_id, as_of_ts, count(*) AS n FROM (SELECT DISTINCT * FROM feature_table)
           GROUP BY user_id, item_id, as_of_ts HAVING count(*) > 1"""),
    "groups_by_every_column": (
        {SAMPLE, "duplicates_with_different_values"},
        """SELECT user_id, item_id, as_of_ts, count(*) AS n FROM feature_table
           GROUP BY user_id, item_id, as_of_ts, clicks_7d, views_7d, impressions_7d, ctr_7d HAVING count(*) > 1"""),
    "counts_a_nullable_column": (
        {SAMPLE, "n_counts_every_copy"},
        """SELECT user_id, item_id, as_of_ts, count(ctr_7d) AS n FROM feature_table
           GROUP BY user_id, item_id, as_of_ts HAVING count(*) > 1"""),
    "counts_extra_copies": (
        {SAMPLE, "n_counts_every_copy"},
        """SELECT user_id, item_id, as_of_ts, count(*) - 1 AS n FROM feature_table
           GROUP BY user_id, item_id, as_of_ts HAVING count(*) > 1"""),
    "one_row_per_copy": (
        {SAMPLE, "one_row_per_key"},
        """SELECT user_id, item_id, as_of_ts, count(*) OVER (PARTITION BY user_id, item_id, as_of_ts) AS n
           FROM feature_table QUALIFY n > 1"""),
}

CORRECT = {
    "group_by_having": RIGHT_SQL,
    "window_then_distinct": """
        SELECT DISTINCT user_id, item_id, as_of_ts, n FROM (
            SELECT user_id, item_id, as_of_ts, count(*) OVER (PARTITION BY user_id, item_id, as_of_ts) AS n
            FROM feature_table) WHERE n > 1 ORDER BY as_of_ts""",
    "filter_an_aggregate_subquery": """
        WITH per_key AS (SELECT user_id AS USER_ID, item_id, as_of_ts, sum(1) AS N, 'x' AS note
                         FROM feature_table GROUP BY 1, 2, 3)
        SELECT * FROM per_key WHERE N >= 2""",
    "self_join_on_row_number": """
        WITH numbered AS (SELECT user_id, item_id, as_of_ts,
                                 row_number() OVER (PARTITION BY user_id, item_id, as_of_ts) AS rn
                          FROM feature_table)
        SELECT user_id, item_id, as_of_ts, max(rn) AS n FROM numbered
        GROUP BY user_id, item_id, as_of_ts HAVING max(rn) > 1""",
}


# Every known-wrong query and the exact checks it fails (the write key answered right).
MATRIX = {name: wrong("ex02", fails, key_answer(RIGHT_KEY), sql_cell("ex02b", sql)) for name, (fails, sql) in WRONG.items()}

test_wrong_query_fails_exactly_its_checks = exact_failures_test(MATRIX)
_, test_correct_query_gets_full_marks = mutation_tests(submit, {}, CORRECT)


def test_sample_fixture_really_has_no_primary_key():
    from grader.course.exercises.ex02 import duplicated_keys, sample

    assert len(duplicated_keys(sample(), {})) > 0


def test_template_scores_zero():
    result = grade("ex02", "ex02 = {'write_key': ..., 'why_not_both_insert': ...}",
                   sql_cell("ex02b", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"))
    assert {c.status for c in result.checks} == {"missing"}
    assert result.score == 0
