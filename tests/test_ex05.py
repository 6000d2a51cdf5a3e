"""Exercise 5 as a specification: the overlap days are judged as a set of days written in any
accepted form; ex05b (the per-day audit) fails the check named for its mistake."""

import pytest

from helpers import full_marks, grade, mutation_tests, sql_cell, statuses
from grader.course.exercises.ex05.matrix import CORRECT, MATRIX, RIGHT_DAYS, RIGHT_SQL, SAMPLE, WRONG, WRONG_TEXT  # noqa: F401


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


# MATRIX is graded by tests/test_matrix.py, with every exercise folder's.
_, test_correct_query_gets_full_marks = mutation_tests(submit, {}, CORRECT)


def test_sample_duplicates_are_exactly_the_overlap_days():
    from grader.domain.tables import unkeyed_feature_table
    from grader.course.exercises.ex05 import OVERLAP, audit, sample_feature_rows

    assert {r[0].date() for r in audit(unkeyed_feature_table(sample_feature_rows()), {})} == OVERLAP


def test_copies_counted_across_days_are_told_a_pair_on_another_day_is_no_copy():
    # a window over (user_id, item_id) without as_of_ts counts a pair's rows on other days as copies
    result = submit(sql="""
        WITH c AS (SELECT as_of_ts, user_id, item_id, count(*) OVER (PARTITION BY user_id, item_id) AS n FROM feature_table)
        SELECT as_of_ts, count(DISTINCT (user_id, item_id)) FILTER (WHERE n > 1) AS duplicated_keys,
               count(*) FILTER (WHERE n > 1) - count(DISTINCT (user_id, item_id)) FILTER (WHERE n > 1) AS extra_rows
        FROM c GROUP BY as_of_ts HAVING max(n) > 1""")
    check = next(c for c in result.checks if c.name == "only_days_with_duplicates")
    assert check.status == "fail" and "another day" in check.message, check.message


def test_template_scores_zero():
    result = grade("ex05", "ex05 = {'overlap_days': ..., 'what_goes_wrong': ...}",
                   sql_cell("ex05b", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"))
    assert {c.status for c in result.checks} == {"missing"}
    assert result.score == 0


def test_a_counterexample_shows_only_rows_wrong_on_the_whole_sample():
    # days compared with DATEs: 12-05's 23:59:59 lies past DATE '2025-12-05', so that day is missing.
    # Shrinking once kept 12-04 with (0, 0) "that should not be there": right on the whole sample.
    sql = """WITH per_key AS (SELECT as_of_ts, user_id, item_id, count(*) AS n FROM feature_table GROUP BY ALL)
SELECT as_of_ts, count(*) FILTER (WHERE n > 1) AS duplicated_keys, sum(n - 1) AS extra_rows
FROM per_key WHERE as_of_ts BETWEEN DATE '2025-12-03' AND DATE '2025-12-05' GROUP BY as_of_ts"""
    check = next(c for c in submit(sql=sql).checks if c.name == "audit_on_sample")
    shown = {t.caption: t.rows for t in check.tables}
    assert "returned but not expected" not in shown and "wrong values" not in shown, shown
    assert [r[0].day for r in shown["expected but missing"]] == [5]
