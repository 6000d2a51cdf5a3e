"""Exercise 2's matrix: known-wrong answers and the exact checks each fails, and
other correct formulations (tests/test_matrix.py grades both). Never released: it names
the hidden checks."""

from grader.engine.matrix import sql_cell, wrong

WHY = "'why_not_both_insert': 'Both jobs insert the same key so the table holds two rows per key.'"


RIGHT_SQL = """SELECT user_id, item_id, as_of_ts, count(*) AS n FROM feature_table
GROUP BY user_id, item_id, as_of_ts HAVING count(*) > 1"""


def key_answer(key: str) -> str:
    return f"ex02 = {{'write_key': {key}, {WHY}}}"


SAMPLE = "finds_duplicated_keys_on_sample"


RIGHT_KEY = '["user_id", "item_id", "as_of_ts"]'


WRONG = {
    # as_of_ts as a DATE: the sample check says the type is not the course's; the others read the day
    "as_of_ts_as_a_date": ({SAMPLE}, RIGHT_SQL.replace("item_id, as_of_ts, count(*)", "item_id, as_of_ts::DATE AS as_of_ts, count(*)", 1)),
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
    # count(column) in HAVING: a key whose copies hold a NULL ctr_7d is left out altogether
    "having_counts_a_nullable_column": (
        {SAMPLE, "n_counts_every_copy"},
        """SELECT user_id, item_id, as_of_ts, count(*) AS n FROM feature_table
           GROUP BY user_id, item_id, as_of_ts HAVING count(ctr_7d) > 1"""),
    "counts_extra_copies": (
        {SAMPLE, "n_counts_every_copy"},
        """SELECT user_id, item_id, as_of_ts, count(*) - 1 AS n FROM feature_table
           GROUP BY user_id, item_id, as_of_ts HAVING count(*) > 1"""),
    # one row per extra copy (row_number() > 1): right for a key written twice, once too often
    # for one written three times (the sample's key fixed by hand)
    "one_row_per_extra_copy": (
        {SAMPLE, "n_counts_every_copy", "one_row_per_key"},
        """SELECT user_id, item_id, as_of_ts, rn AS n FROM (
               SELECT *, row_number() OVER (PARTITION BY user_id, item_id, as_of_ts) AS rn FROM feature_table)
           WHERE rn > 1"""),
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
