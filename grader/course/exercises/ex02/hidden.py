"""Hidden fixtures for Exercise 2's ex02b: each isolates one mistake in finding duplicated keys.

Each check judges only its concern (checks.ResultCheck): which duplicated keys come back
(`groups_by_full_key`, `duplicates_with_different_values`), keys written once that come back
(`no_false_alarms`), the count n and the keys whose copies hold a NULL (`n_counts_every_copy`), a key returned once per copy
(`one_row_per_key`). Outside DIFFERENT_VALUES a duplicated key has two identical copies and a
third with other values (a rerun saw late events), or the n check's keys are all of one kind
and n is judged for the keys returned (a key of mixed copies, two identical and one not, only
on coming back): a query that DISTINCTs whole rows first, or groups by every column, then still
finds each key and loses `duplicates_with_different_values` (and n, where n is the count of its
copies). Each user has one item per day and each pair one day,
except in FULL_KEY: a query that groups by fewer columns loses `groups_by_full_key` only."""

from datetime import datetime as dt

from grader.engine.checks import Fixture, duplicates_only, extra_rows_only
from grader.domain.tables import unkeyed_feature_table
from grader.course.exercises.ex02 import dup_check

D1, D2, D3 = dt(2025, 12, 1, 23, 59, 59), dt(2025, 12, 2, 23, 59, 59), dt(2025, 12, 3, 23, 59, 59)
N = 3  # position of n in a result row


def row(user, item, as_of, clicks, views, impressions):
    return (user, item, as_of, clicks, views, impressions, clicks / impressions if impressions else None)


def fixture(name, rows):
    return Fixture(name, unkeyed_feature_table(rows))


def duplicated_keys_returned(d, fixture):
    """Which duplicated keys come back: missing ones, and extra keys with n > 1 (a key written
    once coming back is `no_false_alarms`' concern, n's value `n_counts_every_copy`'s, a key
    once per copy `one_row_per_key`'s)."""
    narrowed = d.only(changed=False, duplicated=False)
    narrowed.unexpected = [r for r in narrowed.unexpected if not (isinstance(r[N], int) and r[N] <= 1)]
    return narrowed


def n_of_keys_returned(d, fixture):
    """n of the duplicated keys that came back, and whether a key whose copies hold a NULL comes
    back at all: count(column) skips NULLs, in n or in HAVING (where it drops the key). Which
    other keys come back is other checks' concern. A key whose copies are mixed (two identical,
    one not) is judged only on coming back: DISTINCT whole rows, or grouping by every column,
    miscounts its n, and that is `duplicates_with_different_values`' concern."""
    copies: dict = {}
    for r in fixture.dataset.rows("feature_table"):
        copies.setdefault(tuple(r[:N]), []).append(tuple(r))
    mixed = {k for k, rows in copies.items() if 1 < len(set(rows)) < len(rows)}
    with_null = {k for k in mixed if any(None in r for r in copies[k])}
    narrowed = d.only(unexpected=False, duplicated=False, columns=["n"])
    narrowed.changed = [(e, g) for e, g in narrowed.changed if tuple(e[:N]) not in mixed]
    narrowed.missing = [r for r in narrowed.missing if tuple(r[:N]) in with_null]
    return narrowed


FULL_KEY = fixture("one pair on several days, one user-day with several items", [
    row(1, 10, D1, 1, 0, 1), row(1, 10, D2, 1, 1, 2), row(1, 10, D3, 0, 1, 1),   # a pair every day: no duplicate
    row(1, 11, D1, 0, 2, 2), row(2, 10, D1, 1, 0, 1),                          # same user-day / item-day: no duplicate
    row(3, 12, D2, 1, 1, 3), row(3, 12, D2, 1, 1, 3), row(3, 12, D2, 1, 2, 4),  # the one duplicated key
])

CLEAN = fixture("keys written once beside one duplicated key", [
    row(1, 10, D1, 1, 0, 1), row(2, 11, D1, 0, 1, 1), row(3, 12, D1, 2, 1, 3),
    row(4, 13, D2, 1, 1, 2), row(5, 14, D2, 0, 1, 1), row(5, 14, D2, 0, 1, 1), row(5, 14, D2, 0, 2, 2),
])

DIFFERENT_VALUES = fixture("a key written twice with different values (the rerun saw late events)", [
    row(1, 10, D2, 1, 0, 1), row(1, 10, D2, 2, 0, 2),    # same key, counts changed between runs
    row(2, 10, D2, 0, 1, 1), row(2, 10, D2, 0, 1, 1),    # exact copies
    row(3, 11, D2, 1, 1, 2),
])

COPIES = fixture("keys written three times, and copies with a NULL ctr_7d", [
    row(1, 10, D3, 1, 0, 1), row(1, 10, D3, 1, 1, 2), row(1, 10, D3, 2, 1, 3),  # three runs
    (2, 11, D3, 0, 0, 0, None), row(2, 11, D3, 1, 0, 1),                       # zero impressions: ctr NULL
    # written twice before its first event arrived, once after: count(ctr_7d) > 1 leaves it out
    (5, 14, D3, 0, 0, 0, None), (5, 14, D3, 0, 0, 0, None), row(5, 14, D3, 1, 0, 1),
    row(3, 12, D3, 0, 1, 1), row(3, 12, D3, 0, 1, 1),                          # exact copies
    row(4, 13, D3, 0, 1, 1),
])

ONE_DUPLICATE = fixture("a single key written three times", [
    row(1, 10, D1, 1, 1, 2), row(1, 10, D1, 1, 1, 2), row(1, 10, D1, 1, 2, 3), row(2, 11, D1, 0, 1, 1),
])

CHECKS = [
    dup_check("groups_by_full_key", FULL_KEY, 1,
        "A key is all three columns: a pair that has a row on several days, or a user with several items on "
        "one day, is not a duplicate. GROUP BY user_id, item_id, as_of_ts", aspect=duplicated_keys_returned),
    dup_check("no_false_alarms", CLEAN, 1,
        "Keys held by one row are no duplicates: keep only keys with more than one row (HAVING count(*) > 1)",
        aspect=extra_rows_only),
    dup_check("duplicates_with_different_values", DIFFERENT_VALUES, 1,
        "A key written twice is a duplicate whether or not its copies hold the same values (a rerun often "
        "computes different values when late events arrived): group by the key columns only and do not "
        "DISTINCT whole rows first", aspect=duplicated_keys_returned),
    dup_check("n_counts_every_copy", COPIES, 1,
        "n is the number of rows holding the key: count(*) counts rows, while count(column) skips NULLs "
        "(in HAVING it leaves out a key whose copies hold NULLs), and a key written three times has n = 3", aspect=n_of_keys_returned),
    dup_check("one_row_per_key", ONE_DUPLICATE, 1,
        "Each duplicated key comes back once (with its count n), not once per copy", aspect=duplicates_only),
]


# What earns a written answer's points, for the person scoring (`grader manual export`).
# Kept here, out of the student bundle: a rubric says the answer.
RUBRICS = {
    "why_not_both_insert": "1: the overlapping days get each (user_id, item_id, as_of_ts) twice, so reads double-count or pick a copy; MERGE or a partition overwrite on the key fixes it. 0: 'it is slow' or no duplicate named.",
}
