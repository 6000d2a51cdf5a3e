"""Exercise 5 as a specification: the overlap days are judged as a set of days written in any
accepted form; ex05b (the per-day audit) fails the check named for its mistake."""

import pytest

from helpers import exact_failures_test, full_marks, grade, mutation_tests, sql_cell, statuses, wrong

WRONG_TEXT = "'what_goes_wrong': 'Both jobs insert the overlap days so each key there has two rows.'"
RIGHT_SQL = """
WITH per_key AS (SELECT as_of_ts, user_id, item_id, count(*) AS n FROM feature_table GROUP BY ALL)
SELECT as_of_ts, count(*) FILTER (WHERE n > 1) AS duplicated_keys, sum(n - 1) AS extra_rows
FROM per_key GROUP BY as_of_ts HAVING max(n) > 1"""


def submit(days: str = "['2025-12-03', '2025-12-04', '2025-12-05']", sql: str = RIGHT_SQL):
    return grade("ex05", f"ex05 = {{'overlap_days': {days}, {WRONG_TEXT}}}", sql_cell("ex05b", sql))


@pytest.mark.parametrize("days", [
    "['2025-12-03', '2025-12-04', '2025-12-05']",
    "['2025-12-05', '2025-12-03', '2025-12-04']",
    "['2025-12-03 23:59:59', '2025-12-04 23:59:59', '2025-12-05 23:59:59']",
    "('2025/12/03', \"DATE '2025-12-04'\", '2025-12-05T23:59:59')",
    "['2025-12-03', '2025-12-04', '2025-12-05', '2025-12-04']",   # a repeat changes no set
])
def test_overlap_days_in_accepted_forms_get_full_marks(days):
    result = submit(days)
    assert full_marks(result), statuses(result)


@pytest.mark.parametrize("days,hint", [
    ("['2025-12-03', '2025-12-04']", "include their end days"),
    ("['2025-12-04', '2025-12-05']", "include their end days"),
    ("['2025-12-03', '2025-12-04', '2025-12-05', '2025-12-06']", "one job only"),
    ("['2025-12-01', '2025-12-02', '2025-12-03', '2025-12-04', '2025-12-05', '2025-12-06', '2025-12-07']", "one job only"),
    ("'2025-12-03 to 2025-12-05'", "could not read"),
    ("3", "list of strings"),
])
def test_wrong_overlap_fails_overlap_days_inclusive(days, hint):
    result = submit(days)
    check = next(c for c in result.checks if c.name == "overlap_days_inclusive")
    assert check.status == "fail" and hint in check.message, check.message


SAMPLE = "audit_on_sample"
RIGHT_DAYS = "['2025-12-03', '2025-12-04', '2025-12-05']"

WRONG = {
    "every_day": ({SAMPLE, "only_days_with_duplicates"}, """
        SELECT as_of_ts, count(*) - count(DISTINCT (user_id, item_id)) AS duplicated_keys,
               count(*) - count(DISTINCT (user_id, item_id)) AS extra_rows
        FROM feature_table GROUP BY as_of_ts"""),
    "busy_days": ({SAMPLE, "only_days_with_duplicates"}, """
        SELECT as_of_ts, count(*) - count(DISTINCT (user_id, item_id)) AS duplicated_keys,
               count(*) - count(DISTINCT (user_id, item_id)) AS extra_rows
        FROM feature_table GROUP BY as_of_ts HAVING count(*) > 2"""),
    "counts_rows_of_duplicated_keys": ({SAMPLE, "duplicated_keys_counts_keys"}, """
        WITH k AS (SELECT as_of_ts, user_id, item_id, count(*) AS n FROM feature_table GROUP BY ALL)
        SELECT as_of_ts, sum(n) FILTER (WHERE n > 1) AS duplicated_keys, sum(n - 1) AS extra_rows
        FROM k GROUP BY as_of_ts HAVING max(n) > 1"""),
    # the lesson's "days where rows and distinct keys differ", read as a count of distinct keys
    "duplicated_keys_as_distinct_keys": ({SAMPLE, "duplicated_keys_counts_keys", "key_is_user_and_item"}, """
        SELECT as_of_ts, count(DISTINCT (user_id, item_id)) AS duplicated_keys,
               count(*) - count(DISTINCT (user_id, item_id)) AS extra_rows
        FROM feature_table GROUP BY as_of_ts HAVING count(*) > count(DISTINCT (user_id, item_id))"""),
    "extra_rows_as_duplicated_keys": ({SAMPLE, "extra_rows_are_surplus_copies"}, """
        WITH k AS (SELECT as_of_ts, user_id, item_id, count(*) AS n FROM feature_table GROUP BY ALL)
        SELECT as_of_ts, count(*) FILTER (WHERE n > 1) AS duplicated_keys, count(*) FILTER (WHERE n > 1) AS extra_rows
        FROM k GROUP BY as_of_ts HAVING max(n) > 1"""),
    "extra_rows_as_rows_of_duplicated_keys": ({SAMPLE, "extra_rows_are_surplus_copies"}, """
        WITH k AS (SELECT as_of_ts, user_id, item_id, count(*) AS n FROM feature_table GROUP BY ALL)
        SELECT as_of_ts, count(*) FILTER (WHERE n > 1) AS duplicated_keys, sum(n) FILTER (WHERE n > 1) AS extra_rows
        FROM k GROUP BY as_of_ts HAVING max(n) > 1"""),
    "distinct_users_as_keys": ({SAMPLE, "key_is_user_and_item"}, """
        WITH k AS (SELECT as_of_ts, user_id, item_id, count(*) AS n FROM feature_table GROUP BY ALL)
        SELECT as_of_ts, count(*) FILTER (WHERE n > 1) AS duplicated_keys,
               (SELECT count(*) FROM feature_table f WHERE f.as_of_ts = k.as_of_ts)
               - (SELECT count(DISTINCT user_id) FROM feature_table f WHERE f.as_of_ts = k.as_of_ts) AS extra_rows
        FROM k GROUP BY as_of_ts HAVING max(n) > 1"""),
    "distinct_rows_first": ({SAMPLE, "duplicates_with_different_values"}, """
        WITH k AS (SELECT as_of_ts, user_id, item_id, count(*) AS n FROM (SELECT DISTINCT * FROM feature_table) GROUP BY ALL)
        SELECT as_of_ts, count(*) FILTER (WHERE n > 1) AS duplicated_keys, sum(n - 1) AS extra_rows
        FROM k GROUP BY as_of_ts HAVING max(n) > 1"""),
    # audits nothing: every day with constant zero counts agrees with itself on any control, so
    # no control check may pass it
    "every_day_with_zero_counts": ({SAMPLE, "only_days_with_duplicates", "duplicated_keys_counts_keys",
                                    "extra_rows_are_surplus_copies", "key_is_user_and_item",
                                    "duplicates_with_different_values"},
        "SELECT DISTINCT as_of_ts, 0 AS duplicated_keys, 0 AS extra_rows FROM feature_table"),
}

CORRECT = {
    "two_level_group_by": RIGHT_SQL,
    "rows_minus_distinct_keys": """
        SELECT d.as_of_ts, k.duplicated_keys, d.rows - d.keys AS extra_rows
        FROM (SELECT as_of_ts, count(*) AS rows, count(DISTINCT (user_id, item_id)) AS keys
              FROM feature_table GROUP BY as_of_ts) d
        JOIN (SELECT as_of_ts, count(*) AS duplicated_keys FROM (
                SELECT as_of_ts FROM feature_table GROUP BY as_of_ts, user_id, item_id HAVING count(*) > 1)
              GROUP BY as_of_ts) k USING (as_of_ts)
        ORDER BY d.as_of_ts""",
    "row_number_copies": """
        WITH numbered AS (SELECT as_of_ts,
                                 row_number() OVER (PARTITION BY user_id, item_id, as_of_ts ORDER BY ctr_7d) AS copy
                          FROM feature_table)
        SELECT as_of_ts AS AS_OF_TS, count(*) FILTER (WHERE copy = 2) AS duplicated_keys,
               count(*) FILTER (WHERE copy > 1) AS extra_rows, 'repair' AS action
        FROM numbered GROUP BY as_of_ts HAVING count(*) FILTER (WHERE copy > 1) > 0""",
}


# Every known-wrong audit and the exact checks it fails (the overlap days answered right).
MATRIX = {name: wrong("ex05", fails, f"ex05 = {{'overlap_days': {RIGHT_DAYS}, {WRONG_TEXT}}}", sql_cell("ex05b", sql))
          for name, (fails, sql) in WRONG.items()}

test_wrong_query_fails_exactly_its_checks = exact_failures_test(MATRIX)
_, test_correct_query_gets_full_marks = mutation_tests(submit, {}, CORRECT)


def test_sample_duplicates_are_exactly_the_overlap_days():
    from grader.domain.tables import unkeyed_feature_table
    from grader.course.exercises.ex05 import OVERLAP, audit, sample_feature_rows

    assert {r[0].date() for r in audit(unkeyed_feature_table(sample_feature_rows()), {})} == OVERLAP


def test_template_scores_zero():
    result = grade("ex05", "ex05 = {'overlap_days': ..., 'what_goes_wrong': ...}",
                   sql_cell("ex05b", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"))
    assert {c.status for c in result.checks} == {"missing"}
    assert result.score == 0
