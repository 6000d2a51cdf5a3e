"""Hidden fixtures for Exercise 2's ex02b: each isolates one mistake in finding duplicated keys."""

from datetime import datetime as dt

from ...checks import Fixture
from ...course import unkeyed_feature_table
from . import dup_check

D1, D2, D3 = dt(2025, 12, 1, 23, 59, 59), dt(2025, 12, 2, 23, 59, 59), dt(2025, 12, 3, 23, 59, 59)


def row(user, item, as_of, clicks, views, impressions):
    return (user, item, as_of, clicks, views, impressions, clicks / impressions if impressions else None)


def fixture(name, rows):
    return Fixture(name, unkeyed_feature_table(rows))


FULL_KEY = fixture("one pair on several days, one user-day with several items", [
    row(1, 10, D1, 1, 0, 1), row(1, 10, D2, 1, 1, 2), row(1, 10, D3, 0, 1, 1),   # a pair every day: no duplicate
    row(1, 11, D1, 0, 2, 2), row(2, 10, D1, 1, 0, 1),                          # same user-day / item-day: no duplicate
    row(3, 12, D2, 1, 1, 3), row(3, 12, D2, 1, 1, 3),                          # the one duplicated key
])

CLEAN = fixture("a clean table: every key once", [
    row(1, 10, D1, 1, 0, 1), row(1, 11, D1, 0, 1, 1), row(2, 10, D1, 2, 1, 3),
    row(1, 10, D2, 1, 1, 2), row(2, 11, D2, 0, 1, 1),
])

DIFFERENT_VALUES = fixture("a key written twice with different values (the rerun saw late events)", [
    row(1, 10, D2, 1, 0, 1), row(1, 10, D2, 2, 0, 2),    # same key, counts changed between runs
    row(2, 10, D2, 0, 1, 1), row(2, 10, D2, 0, 1, 1),    # exact copies
    row(3, 11, D2, 1, 1, 2),
])

COPIES = fixture("keys written three times, and copies with a NULL ctr_7d", [
    row(1, 10, D3, 1, 0, 1), row(1, 10, D3, 1, 0, 1), row(1, 10, D3, 1, 0, 1),  # three runs
    (2, 11, D3, 0, 0, 0, None), (2, 11, D3, 0, 0, 0, None),                    # zero impressions: ctr NULL
    row(2, 10, D3, 0, 1, 1),
])

ONE_DUPLICATE = fixture("a single key written twice", [
    row(1, 10, D1, 1, 1, 2), row(1, 10, D1, 1, 1, 2), row(2, 10, D1, 0, 1, 1),
])

CHECKS = [
    dup_check("groups_by_full_key", FULL_KEY, 1,
        "A key is all three columns: a pair that has a row on several days, or a user with several items on "
        "one day, is not a duplicate. GROUP BY user_id, item_id, as_of_ts"),
    dup_check("no_false_alarms", CLEAN, 1,
        "On a table where every key appears once your query still returns rows: keep only keys with more "
        "than one row (HAVING count(*) > 1)"),
    dup_check("duplicates_with_different_values", DIFFERENT_VALUES, 1,
        "A key written twice with different feature values was missed. A rerun often computes different values "
        "(late events arrived): duplicates are about the key alone, so group by the key columns only and do "
        "not DISTINCT whole rows first"),
    dup_check("n_counts_every_copy", COPIES, 1,
        "n must be the number of rows holding the key: count(*) counts rows, while count(column) skips NULLs "
        "and a key written three times has n = 3"),
    dup_check("one_row_per_key", ONE_DUPLICATE, 1,
        "Each duplicated key must come back once (with its count n), not once per copy"),
]
