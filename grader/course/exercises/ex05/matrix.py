"""Exercise 5's matrix: known-wrong answers and the exact checks each fails, and
other correct formulations (tests/test_matrix.py grades both). Never released: it names
the hidden checks."""

from grader.engine.matrix import sql_cell, wrong

WRONG_TEXT = "'what_goes_wrong': 'Both jobs insert the overlap days so each key there has two rows.'"


RIGHT_SQL = """
WITH per_key AS (SELECT as_of_ts, user_id, item_id, count(*) AS n FROM feature_table GROUP BY ALL)
SELECT as_of_ts, count(*) FILTER (WHERE n > 1) AS duplicated_keys, sum(n - 1) AS extra_rows
FROM per_key GROUP BY as_of_ts HAVING max(n) > 1"""


SAMPLE = "audit_on_sample"


RIGHT_DAYS = "['2025-12-03', '2025-12-04', '2025-12-05']"


WRONG = {
    # the days as DATEs: the sample check says the type is not the course's; the others read the day
    "days_as_dates": ({SAMPLE}, RIGHT_SQL.replace("SELECT as_of_ts, count(*) FILTER", "SELECT CAST(as_of_ts AS DATE) AS as_of_ts, count(*) FILTER")),
    "every_day": ({SAMPLE, "only_days_with_duplicates"}, """
        WITH k AS (SELECT as_of_ts, user_id, item_id, count(*) AS n FROM feature_table GROUP BY ALL)
        SELECT as_of_ts, count(*) FILTER (WHERE n > 1) AS duplicated_keys, sum(n - 1) AS extra_rows
        FROM k GROUP BY as_of_ts"""),
    # and the surplus rows as the number of duplicated keys (a key written three times counts 2)
    "busy_days": ({SAMPLE, "only_days_with_duplicates", "duplicated_keys_counts_keys"}, """
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
    # the surplus rows (rows minus distinct keys) as the number of duplicated keys
    "duplicated_keys_as_surplus_rows": ({SAMPLE, "duplicated_keys_counts_keys"}, """
        SELECT as_of_ts, count(*) - count(DISTINCT (user_id, item_id)) AS duplicated_keys,
               count(*) - count(DISTINCT (user_id, item_id)) AS extra_rows
        FROM feature_table GROUP BY as_of_ts HAVING count(*) > count(DISTINCT (user_id, item_id))"""),
    # the users holding a duplicated key, not the keys: a user with two duplicated items counts once
    "duplicated_keys_as_distinct_users": ({SAMPLE, "key_is_user_and_item"}, """
        WITH k AS (SELECT as_of_ts, user_id, item_id, count(*) AS n FROM feature_table GROUP BY ALL)
        SELECT as_of_ts, count(DISTINCT user_id) FILTER (WHERE n > 1) AS duplicated_keys, sum(n - 1) AS extra_rows
        FROM k GROUP BY as_of_ts HAVING max(n) > 1"""),
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
    # count(ctr_7d) per key: a copy whose ctr_7d is NULL (zero impressions) is not counted, so a key
    # written with a NULL ctr_7d loses copies, or drops out of the audit
    "counts_a_nullable_column": ({SAMPLE, "extra_rows_are_surplus_copies"}, """
        WITH k AS (SELECT as_of_ts, user_id, item_id, count(ctr_7d) AS n FROM feature_table GROUP BY ALL)
        SELECT as_of_ts, count(*) FILTER (WHERE n > 1) AS duplicated_keys, sum(n - 1) AS extra_rows
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
