"""Hidden fixtures for Exercise 7: each isolates one trap of an upsert, so the failing check
names it. Each check judges only its concern: the checks about keys, untouched rows, stale
rows and reruns expect ctr_7d as the script itself computes it (WriteCheck.own_ctr), so a ctr
mistake costs the ctr checks only; the zero-impressions check judges the rows with 0
impressions, the precision check only values that lost digits (FLOAT, ROUND), and
`ctr_not_integer_division` every ratio on dyadic rates (exact in FLOAT). The ctr checks judge
the table after the first run (every key written by the INSERT path) and again after a rerun
(WriteCheck.both_paths: every key written over by the UPDATE path), so the ctr_7d of both an
upsert's branches is judged; the stale-rows check expects the ctr_7d of the UPDATE path."""

from dataclasses import replace
from datetime import datetime as dt

from grader.engine import compare
from grader.engine.checks import Fixture, ResultCheck
from grader.domain.tables import Dataset
from grader.course.exercises.ex07 import next_batch_check, write_check

CTR, IMPRESSIONS, CLICKS = 6, 5, 3  # positions in a feature_table row
COUNTS = slice(3, 6)


def ctr_judged(d) -> list[tuple]:
    """The changed rows whose counts were written right: there a wrong ctr_7d is the formula's.
    Where the counts are wrong too (a key that leaves out item_id writes another pair's row over
    this one), the ctr_7d follows them: that is the key and rerun checks' finding, not a ctr one."""
    return [(e, g) for e, g in d.changed
            if all(compare.values_equal(a, b) for a, b in zip(e[COUNTS], g[COUNTS]))]


def zero_impression_rows(d, fixture):
    """ctr_7d where NULLIF decides it (every row must still be written): the rows with 0
    impressions (NULL, not 0, NaN or inf) and the rows shown but never clicked (0, not NULL: NULLIF
    on clicks_7d, or on the ratio, makes them NULL)."""
    return replace(d.only(unexpected=False, changed=False, duplicated=False),
                   changed=[(e, g) for e, g in ctr_judged(d) if e[IMPRESSIONS] == 0 or e[CLICKS] == 0])


def ctr_rows(d, fixture):
    """ctr_7d only (every row must still be written): the counts are other checks' concern."""
    return replace(d.only(unexpected=False, changed=False, duplicated=False),
                   changed=[(e, g) for e, g in ctr_judged(d) if not compare.values_equal(e[CTR], g[CTR])])


def lost_precision(expected, got) -> bool:
    """`got` is `expected` with digits lost: stored as a 4-byte FLOAT, or rounded or cut to a
    few decimals (not a wrong formula, not a whole number)."""
    if not isinstance(expected, float) or not isinstance(got, (int, float)) or compare.values_equal(expected, got):
        return False
    import struct
    if abs(struct.unpack("f", struct.pack("f", expected))[0] - got) <= 1e-12:
        return True
    return any(abs(got - f(expected * 10**n) / 10**n) <= 1e-12 for n in range(1, 9) for f in (round, int))


def precision_rows(d, fixture):
    """ctr_7d values that lost precision (every row must still be written)."""
    return replace(d.only(unexpected=False, changed=False, duplicated=False),
                   changed=[(e, g) for e, g in ctr_judged(d) if lost_precision(e[CTR], g[CTR])])

D1, D2, D3 = dt(2025, 12, 1, 23, 59, 59), dt(2025, 12, 2, 23, 59, 59), dt(2025, 12, 3, 23, 59, 59)


def fixture(name, feature_rows, feature_table=()):
    return Fixture(name, Dataset({"feature_rows": list(feature_rows), "feature_table": list(feature_table)}))


NEW = [(1, 10, D2, 1, 1, 2), (1, 11, D2, 1, 0, 4), (2, 10, D2, 3, 1, 4)]

RERUN = fixture("the same feature_rows written twice", NEW)
# The next run's feature_rows: pairs of their own (a write keyed without as_of_ts is
# key_includes_as_of_ts' finding, not this one's).
NEXT = [(3, 12, D3, 1, 1, 2), (3, 13, D3, 0, 2, 2)]

STALE = fixture("stale rows for the same keys, on two as-of days (every feature column differs, or all but clicks and ctr)",
                NEW + [(3, 12, D2, 0, 2, 2), (4, 13, D2, 0, 3, 3), (5, 15, D1, 2, 0, 2)], [
    # feature_rows may hold more than one as-of day (Exercise 6 computes several): a write that
    # replaces only the latest day's keys leaves this one stale
    (5, 15, D1, 0, 2, 2, 0.0),
    (1, 10, D2, 3, 4, 8, 3 / 8),
    (1, 11, D2, 3, 1, 8, 3 / 8),
    (2, 10, D2, 1, 3, 8, 1 / 8),
    # the same clicks_7d and ctr_7d, the other counts stale: an update made only WHEN the
    # clicks or the rate changed leaves it
    (4, 13, D2, 0, 1, 1, 0.0),
])

KEY = fixture("the same (user, item) pairs already written for the day before", NEW, [
    (1, 10, D1, 2, 0, 2, 1.0),
    (1, 11, D1, 0, 2, 2, 0.0),
    (2, 10, D1, 1, 1, 4, 0.25),
    (5, 50, D1, 1, 1, 2, 0.5),     # other pairs that day: a key mistake leaves them alone
    (6, 60, D1, 0, 1, 1, 0.0),
])


def _key(row):
    return tuple(compare._norm(v) for v in row)


def same_pairs(d, fixture):
    """The rows of the pairs being written. When rows of other pairs of the day before were hit
    too, the write is broader than a key mistake (other_days_untouched judges that): only
    today's rows landing is judged then."""
    new = fixture.dataset.rows("feature_rows")
    pairs, keys = {_key(r[:2]) for r in new}, {_key(r[:3]) for r in new}
    hit = [*d.missing, *(e for e, _ in d.changed)]
    broad = any(_key(r[:2]) not in pairs for r in hit)
    return d.where(lambda r: _key(r[:3]) in keys) if broad else d

# A row an older job wrote with its ctr_7d through a FLOAT (the digits it kept): a row this write
# does not own keeps it. An UPDATE of ctr_7d with no WHERE on the batch's keys rewrites it; on a row
# whose ctr_7d is already the ratio the same UPDATE changes nothing, so it would not show.
OLDER_FLOAT_CTR = 0.3333333432674408  # (1 / 3)::FLOAT::DOUBLE

OTHER_DAYS = fixture("other pairs written for the days before and after", NEW, [
    (5, 50, D1, 1, 1, 2, 0.5),
    (6, 60, D1, 0, 1, 1, 0.0),
    (8, 80, D1, 1, 2, 3, OLDER_FLOAT_CTR),
    (5, 50, D3, 1, 0, 1, 1.0),
    (7, 70, D3, 1, 3, 4, 0.25),
])

UNRELATED = fixture("other keys of the same day that feature_rows does not mention", NEW, [
    (5, 50, D2, 1, 1, 2, 0.5),
    (6, 60, D2, 0, 1, 1, 0.0),
    # other keys of the same users and items: a write that clears the day's rows of the users
    # (or items) in feature_rows first overwrites a batch, not exactly its keys
    (1, 12, D2, 1, 0, 1, 1.0),
    (3, 10, D2, 0, 2, 2, 0.0),
    # a user and an item of feature_rows, but not as a pair: a DELETE matching the key column by
    # column (user_id IN ... AND item_id IN ... AND as_of_ts IN ...) removes it
    (2, 11, D2, 2, 1, 3, 2 / 3),
    (8, 80, D2, 1, 2, 3, OLDER_FLOAT_CTR),
])

ZERO = fixture("rows with zero impressions, and one shown but never clicked", [
    (1, 10, D2, 0, 0, 0),
    (2, 11, D2, 0, 0, 0),
    (3, 12, D2, 1, 0, 2),
    (4, 13, D2, 0, 2, 2),   # a rate of 0, not unknown: NULLIF on clicks_7d makes it NULL
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

# What feature_table's definition looks like after the script: still keyed, still DOUBLE, and
# holding feature_rows' keys (a script that writes nothing keeps the key trivially: no point).
SCHEMA_SQL = """
SELECT (SELECT count(*) FROM duckdb_constraints()
         WHERE table_name = 'feature_table' AND constraint_type = 'PRIMARY KEY') AS primary_keys,
       (SELECT data_type FROM duckdb_columns()
         WHERE table_name = 'feature_table' AND column_name = 'ctr_7d') AS ctr_type,
       (SELECT count(*) FROM feature_rows r WHERE EXISTS (
           SELECT 1 FROM feature_table t
           WHERE t.user_id = r.user_id AND t.item_id = r.item_id AND t.as_of_ts = r.as_of_ts)) AS keys_written
"""

CHECKS = [
    write_check("rerun_is_idempotent", RERUN, 2,
        "Running the script a second time with the same feature_rows must leave feature_table as one "
        "run does: a rerun (a retry, an overlapping backfill) must leave exactly one unchanged row per key. "
        "Plain INSERT cannot do that; MERGE / INSERT ... ON CONFLICT DO UPDATE can, and an update "
        "must SET the new value, not add to the old one", runs=2),
    next_batch_check("next_batch_is_written", RERUN, NEXT, 1,
        "Run again with the next batch in feature_rows, your script must write that batch: it writes "
        "whatever feature_rows holds when it runs (a staging table made once with CREATE TABLE IF NOT "
        "EXISTS, never refreshed, writes the first batch again)"),
    write_check("stale_rows_updated_all_columns", STALE, 2,
        "Rows already in feature_table for the same (user_id, item_id, as_of_ts) must be fully "
        "replaced: on a match, update every feature column (clicks_7d, views_7d, impressions_7d "
        "and ctr_7d), not some of them, and not DO NOTHING", own_ctr_runs=2),
    write_check("key_includes_as_of_ts", KEY, 2,
        "The write key is (user_id, item_id, as_of_ts), not (user_id, item_id): matched without "
        "as_of_ts, yesterday's row for the pair is overwritten or deleted and today's never "
        "lands, and the feature history that training needs is lost", aspect=same_pairs),
    write_check("other_days_untouched", OTHER_DAYS, 1,
        "Writing one day must not change or delete the rows of other as-of days, nor touch any other "
        "day (no DELETE or UPDATE of the whole table, no CREATE OR REPLACE, no range like as_of_ts >= ...)"),
    write_check("unrelated_rows_untouched", UNRELATED, 1,
        "Rows of the same as-of day whose keys are not in feature_rows must stay as they are: "
        "feature_rows may be only part of a day (one batch or shard), so write (and UPDATE) exactly its keys; "
        "deleting the whole day first is a partition overwrite, a different contract"),
    write_check("zero_impressions_give_null_ctr", ZERO, 1,
        "ctr_7d for zero impressions must be NULL (unknown), not 0, NaN or infinity: in DuckDB "
        "0 / 0 is NaN and x / 0 is inf, so write clicks_7d / NULLIF(impressions_7d, 0) and don't "
        "COALESCE it to 0 (a 0 claims 'never clicked', which the data does not say); and where the pair was "
        "shown and never clicked ctr_7d is 0, not NULL: NULLIF goes on the denominator, not on clicks_7d or the "
        "ratio; the same goes for the ctr_7d an update writes over an existing row",
        own_ctr=False, aspect=zero_impression_rows, both_paths=True, runs=2, each_run=True),
    write_check("ctr_not_integer_division", INT_DIVISION, 1,
        "ctr_7d is clicks_7d / impressions_7d as a DOUBLE (0.5, 0.25, ...): integer division (//) or a "
        "cast to an integer type truncates the rate to 0 or 1; use / on the counts (DuckDB's / gives a DOUBLE), "
        "both where a new row is inserted and where an existing one is updated",
        own_ctr=False, aspect=ctr_rows, both_paths=True, runs=2, each_run=True),
    write_check("ctr_is_double_not_float", FLOAT, 1,
        "ctr_7d keeps every digit of a DOUBLE: a FLOAT is a 4-byte REAL with about 7 significant digits "
        "(1/3 becomes 0.3333333432674408) and ROUND cuts digits, while feature_table.ctr_7d is DOUBLE; "
        "compute in DOUBLE (no ::FLOAT, no ROUND) so training and serving read the same value", own_ctr=False, aspect=precision_rows,
        both_paths=True, runs=2, each_run=True),
    ResultCheck(
        name="feature_table_keeps_key_and_types", answer="ex07", points=1,
        fail="After your script feature_table must still have PRIMARY KEY (user_id, item_id, as_of_ts) "
             "and ctr_7d DOUBLE, and hold every key of feature_rows: write into the table, don't drop "
             "or re-create it (CREATE TABLE ... AS copies no key, and the next overlapping write then "
             "duplicates rows)",
        fixture=RERUN, expected=lambda dataset, variables: [(1, "DOUBLE", len({r[:3] for r in dataset.rows("feature_rows")}))],
        columns=["primary_keys", "ctr_type", "keys_written"], state_sql=SCHEMA_SQL, runs=1, shrink=False,
    ),
]
