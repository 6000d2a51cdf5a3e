"""Hidden fixtures for Exercise 7: each isolates one trap of an upsert, so the failing check
names it. Ratios are dyadic (exact in FLOAT) except in the FLOAT fixture, and only the
zero-impressions fixture has 0 impressions, so a ctr mistake fails only its own check."""

from datetime import datetime as dt

from ...checks import Fixture, ResultCheck
from ...course import Dataset
from . import write_check

D1, D2, D3 = dt(2025, 12, 1, 23, 59, 59), dt(2025, 12, 2, 23, 59, 59), dt(2025, 12, 3, 23, 59, 59)


def fixture(name, feature_rows, feature_table=()):
    return Fixture(name, Dataset({"feature_rows": list(feature_rows), "feature_table": list(feature_table)}))


NEW = [(1, 10, D2, 1, 1, 2), (1, 11, D2, 1, 0, 4), (2, 10, D2, 3, 1, 4)]

RERUN = fixture("the same feature_rows written twice", NEW)

STALE = fixture("stale rows for the same keys (every feature column differs)", NEW + [(3, 12, D2, 0, 2, 2)], [
    (1, 10, D2, 3, 4, 8, 3 / 8),
    (1, 11, D2, 3, 1, 8, 3 / 8),
    (2, 10, D2, 1, 3, 8, 1 / 8),
])

KEY = fixture("the same (user, item) pairs already written for the day before", NEW, [
    (1, 10, D1, 2, 0, 2, 1.0),
    (1, 11, D1, 0, 2, 2, 0.0),
    (2, 10, D1, 1, 1, 4, 0.25),
])

OTHER_DAYS = fixture("other pairs written for the days before and after", NEW, [
    (5, 50, D1, 1, 1, 2, 0.5),
    (6, 60, D1, 0, 1, 1, 0.0),
    (5, 50, D3, 1, 0, 1, 1.0),
    (7, 70, D3, 1, 3, 4, 0.25),
])

UNRELATED = fixture("other keys of the same day that feature_rows does not mention", NEW, [
    (5, 50, D2, 1, 1, 2, 0.5),
    (6, 60, D2, 0, 1, 1, 0.0),
])

ZERO = fixture("rows with zero impressions", [
    (1, 10, D2, 0, 0, 0),
    (2, 11, D2, 0, 0, 0),
    (3, 12, D2, 1, 0, 2),
])

INT_DIVISION = fixture("click-through rates strictly between 0 and 1", [
    (1, 10, D2, 1, 1, 2),
    (1, 11, D2, 1, 2, 4),
    (2, 10, D2, 3, 0, 4),
    (2, 11, D2, 2, 0, 2),
])

FLOAT = fixture("click-through rates a FLOAT cannot hold exactly", [
    (1, 10, D2, 1, 2, 3),
    (1, 11, D2, 2, 1, 3),
    (2, 10, D2, 1, 9, 10),
    (2, 11, D2, 1, 6, 7),
])

# What feature_table's definition looks like after the script: still keyed, still DOUBLE.
SCHEMA_SQL = """
SELECT (SELECT count(*) FROM duckdb_constraints()
         WHERE table_name = 'feature_table' AND constraint_type = 'PRIMARY KEY') AS primary_keys,
       (SELECT data_type FROM duckdb_columns()
         WHERE table_name = 'feature_table' AND column_name = 'ctr_7d') AS ctr_type
"""

CHECKS = [
    write_check("rerun_is_idempotent", RERUN, 2,
        "Running the script a second time with the same feature_rows changed feature_table or failed: "
        "a rerun (a retry, an overlapping backfill) must leave exactly one unchanged row per key. "
        "Plain INSERT cannot do that; MERGE / INSERT ... ON CONFLICT DO UPDATE can, and an update "
        "must SET the new value, not add to the old one", runs=2),
    write_check("stale_rows_updated_all_columns", STALE, 2,
        "Rows already in feature_table for the same (user_id, item_id, as_of_ts) were not fully "
        "replaced: on a match, update every feature column (clicks_7d, views_7d, impressions_7d "
        "and ctr_7d), not some of them, and not DO NOTHING"),
    write_check("key_includes_as_of_ts", KEY, 2,
        "Your write matched rows on (user_id, item_id) only: the key is (user_id, item_id, as_of_ts). "
        "Without as_of_ts, yesterday's row for the pair is overwritten or deleted and today's never "
        "lands, and the feature history that training needs is lost"),
    write_check("other_days_untouched", OTHER_DAYS, 1,
        "Rows of other as-of days were changed or deleted: writing one day must not touch any other "
        "day (no DELETE of the whole table, no CREATE OR REPLACE, no range like as_of_ts >= ...)"),
    write_check("unrelated_rows_untouched", UNRELATED, 1,
        "Rows of the same as-of day whose keys are not in feature_rows were changed or deleted: "
        "feature_rows may be only part of a day (one batch or shard), so write exactly its keys; "
        "deleting the whole day first is a partition overwrite, a different contract"),
    write_check("zero_impressions_give_null_ctr", ZERO, 1,
        "ctr_7d for zero impressions must be NULL (unknown), not 0, NaN or infinity: in DuckDB "
        "0 / 0 is NaN and x / 0 is inf, so write clicks_7d / NULLIF(impressions_7d, 0) and don't "
        "COALESCE it to 0 (a 0 claims 'never clicked', which the data does not say)"),
    write_check("ctr_not_integer_division", INT_DIVISION, 1,
        "ctr_7d came out as a whole number (0 or 1 where 0.5 or 0.25 was due): integer division or a "
        "cast to an integer type truncates the rate; use / on the counts (DuckDB's / gives a DOUBLE)"),
    write_check("ctr_is_double_not_float", FLOAT, 1,
        "ctr_7d lost precision (1/3 stored as 0.3333333432674408): FLOAT is a 4-byte REAL with about "
        "7 significant digits, and feature_table.ctr_7d is DOUBLE; compute in DOUBLE (no ::FLOAT, "
        "no ROUND) so training and serving read the same value"),
    ResultCheck(
        name="feature_table_keeps_key_and_types", answer="ex07", points=1,
        fail="After your script feature_table no longer has PRIMARY KEY (user_id, item_id, as_of_ts) "
             "or ctr_7d is no longer DOUBLE: write into the table, don't drop or re-create it "
             "(CREATE TABLE ... AS copies no key, and the next overlapping write then duplicates rows)",
        fixture=RERUN, expected=lambda dataset, variables: [(1, "DOUBLE")],
        columns=["primary_keys", "ctr_type"], state_sql=SCHEMA_SQL, runs=1, shrink=False,
    ),
]
