"""Hidden feature tables for Exercise 5's ex05b: each isolates one mistake of the per-day audit.

Every table holds duplicated keys, so one counting mistake would show on all of them; each check
therefore judges only its concern (checks.ResultCheck): the days that come back, one count
column, or the answer against its own result on the same table with the trap taken out (the
keys written once removed and the duplicated keys given users and items of their own; the copies
of a key made identical). The copies of a key hold
different values (a rerun saw late events) except in DIFFERENT_VALUES, which holds both kinds:
an audit that DISTINCTs whole rows first loses only `duplicates_with_different_values`."""

from collections import Counter
from datetime import datetime as dt

from grader.engine.checks import Fixture, keys_only, no_extra_rows, only_columns
from grader.domain.tables import unkeyed_feature_table
from grader.course.exercises.ex05 import audit_check

D1, D2, D3 = dt(2025, 12, 1, 23, 59, 59), dt(2025, 12, 2, 23, 59, 59), dt(2025, 12, 3, 23, 59, 59)


def row(user, item, as_of, clicks=1, views=0, impressions=1):
    return (user, item, as_of, clicks, views, impressions, clicks / impressions if impressions else None)


def fixture(name, rows):
    return Fixture(name, unkeyed_feature_table(rows))


BUSY_CLEAN_DAYS = fixture("busy days without duplicates beside a quiet day with one", [
    row(1, 10, D1), row(1, 11, D1), row(2, 10, D1), row(2, 11, D1),   # many rows, every key once
    row(1, 10, D2), row(2, 10, D2), row(3, 10, D2),
    row(1, 10, D3), row(1, 10, D3, 1, 1, 2),                            # the only duplicate
])

KEYS_NOT_ROWS = fixture("three duplicated keys on one day, one written three times, beside unique keys", [
    row(1, 10, D2), row(1, 10, D2, 1, 1, 2),
    row(2, 11, D2), row(2, 11, D2, 2, 0, 2),
    row(5, 13, D2), row(5, 13, D2, 1, 1, 2), row(5, 13, D2, 1, 2, 3),   # 3 keys, 4 surplus rows, 7 rows
    row(3, 12, D2), row(4, 12, D2),
])

THREE_COPIES = fixture("keys written three times (a rerun of an overlapping job), one first with zero impressions", [
    row(1, 10, D3), row(1, 10, D3, 1, 1, 2), row(1, 10, D3, 1, 2, 3),
    row(4, 11, D3, 0, 0, 0), row(4, 11, D3), row(4, 11, D3, 1, 1, 2),   # its first copy's ctr_7d is NULL
    row(2, 10, D3), row(2, 10, D3, 2, 0, 2),
    row(3, 10, D3),
])

USER_AND_ITEM = fixture("a user with several items on a day, two of them duplicated, and an item duplicated by two users", [
    row(1, 10, D1), row(1, 11, D1), row(1, 11, D1, 2, 0, 2), row(1, 12, D1), row(1, 12, D1, 1, 1, 2),
    row(2, 12, D1), row(2, 12, D1, 0, 1, 1),
    row(2, 10, D1),
])

DIFFERENT_VALUES = fixture("copies with different values (job B ran after late events arrived)", [
    row(1, 10, D2, 1, 0, 1), row(1, 10, D2, 2, 1, 3),
    row(2, 10, D2, 0, 1, 1), row(2, 10, D2, 0, 1, 1),
    row(3, 11, D2, 1, 1, 2),
])

KEY = slice(0, 3)


def duplicated_keys_apart(fixture: Fixture) -> Fixture:
    """Only the rows of keys held more than once, each such key given a user and an item of its
    own: the keys written once change no count, and neither does whether two duplicated keys
    share a user or an item (counting distinct users or items would)."""
    rows = fixture.dataset.rows("feature_table")
    n = Counter(r[KEY] for r in rows)
    keys = sorted({r[KEY] for r in rows if n[r[KEY]] > 1}, key=repr)
    user, item = max(r[0] for r in rows), max(r[1] for r in rows)
    apart = {k: (user + i + 1, item + i + 1) for i, k in enumerate(keys)}
    return fixture.with_tables({"feature_table": [(*apart[r[KEY]], *r[2:]) for r in rows if n[r[KEY]] > 1]})


def identical_copies(fixture: Fixture) -> Fixture:
    """Every copy of a key made identical to its first row: whether copies hold the same values
    changes no count."""
    first: dict = {}
    rows = [first.setdefault(r[KEY], r) for r in fixture.dataset.rows("feature_table")]
    return fixture.with_tables({"feature_table": rows})


CHECKS = [
    audit_check("only_days_with_duplicates", BUSY_CLEAN_DAYS, 1,
        "Exactly the days where some key has more than one row come back: a busy day without a duplicate "
        "is not a broken one, nor is a pair's row on another day a copy (the key holds as_of_ts)", aspect=keys_only),
    audit_check("duplicated_keys_counts_keys", KEYS_NOT_ROWS, 1,
        "duplicated_keys is the number of KEYS with more than one row, not the number of rows holding them "
        "nor the surplus rows (that is extra_rows: a key written three times is one key, with 2 surplus rows)",
        aspect=only_columns("duplicated_keys")),
    audit_check("extra_rows_are_surplus_copies", THREE_COPIES, 1,
        "extra_rows is the number of rows to delete to get back to one row per key: rows minus distinct keys "
        "(a key written three times contributes 2, whatever its copies hold: count(*) counts every copy, while "
        "count(ctr_7d) skips a copy whose ctr_7d is NULL)", aspect=only_columns("extra_rows")),
    audit_check("key_is_user_and_item", USER_AND_ITEM, 1,
        "Within a day the key is (user_id, item_id): counting distinct users (or items) alone undercounts keys, "
        "and a user's other items, written once, change no count",
        control=duplicated_keys_apart, aspect=no_extra_rows,
        control_note="with the keys written once removed and each duplicated key given a user and an item of its own"),
    audit_check("duplicates_with_different_values", DIFFERENT_VALUES, 1,
        "A key is duplicated whatever values its copies hold (a rerun after late events computes other "
        "values): a duplicate is about the key, not the whole row, so do not DISTINCT whole rows first",
        control=identical_copies, control_note="with every key's copies made identical"),
]


# What earns a written answer's points, for the person scoring (`grader manual export`).
# Kept here, out of the student bundle: a rubric says the answer.
RUBRICS = {
    "what_goes_wrong": "1: the shared days (12-03..12-05) hold two rows per key, so training and lookups double-count or read an arbitrary copy. +1: the fix, MERGE on the key or overwriting each day's partition. 0: no duplicate named.",
}
