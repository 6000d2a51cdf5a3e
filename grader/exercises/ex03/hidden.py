"""Hidden fixtures for Exercise 3's ex03b: each isolates one mistake of a multi-step pipeline.

The point-in-time fixtures hold events from before a dimension row's timestamp (a guest session
attributed at signup, an item tested before its release) so the dimension filter visibly
matters. They are built so that a user or item dropped by that filter shares no event with a
kept row: whether the filter is applied to the grid or to the events then gives the same rows."""

from datetime import datetime as dt

from ...checks import Fixture
from ...course import Dataset, load_seed
from . import features_check

T = dt(2025, 12, 10, 23, 59, 59)
OLD = dt(2025, 1, 1)


def fixture(name, events, users=None, items=None, as_of=T):
    users = users or {}
    items = items or {}
    user_ids = sorted({e[1] for e in events} | set(users))
    item_ids = sorted({e[2] for e in events} | set(items))
    return Fixture(name, Dataset({
        "events": events,
        "users": [(u, users.get(u, OLD), "North") for u in user_ids],
        "items": [(i, items.get(i, OLD), "A") for i in item_ids],
    }), {"as_of_ts": as_of})


PIT_USERS = fixture("users who signed up after the as-of time (and one exactly at it)", [
    (1, 1, 10, dt(2025, 12, 9, 9), "click"),
    (2, 2, 11, dt(2025, 12, 8, 9), "view"),     # guest session, attributed to user 2 who signs up on 12-11
    (3, 2, 11, dt(2025, 12, 9, 9), "click"),
    (4, 3, 12, dt(2025, 12, 9, 9), "view"),     # user 3 signs up exactly at T: kept
], users={2: dt(2025, 12, 11, 8), 3: T})

PIT_ITEMS = fixture("items created after the as-of time (and one exactly at it)", [
    (1, 1, 10, dt(2025, 12, 9, 9), "click"),
    (2, 2, 11, dt(2025, 12, 9, 10), "view"),    # item 11 is released on 12-12: not yet in the catalog at T
    (3, 3, 12, dt(2025, 12, 10, 9), "click"),   # item 12 created exactly at T: kept
], items={11: dt(2025, 12, 12), 12: T})

FANOUT = fixture("pairs with several events each", [
    (1, 1, 10, dt(2025, 12, 9, 9), "click"),
    (2, 1, 10, dt(2025, 12, 9, 10), "view"),
    (3, 1, 10, dt(2025, 12, 9, 11), "view"),
    (4, 2, 11, dt(2025, 12, 8, 9), "click"),
    (5, 2, 11, dt(2025, 12, 8, 10), "click"),
])

ENTITY_LEVEL = fixture("a user with several items, an item with several users", [
    (1, 1, 10, dt(2025, 12, 9, 9), "click"),
    (2, 1, 11, dt(2025, 12, 9, 10), "view"),
    (3, 2, 12, dt(2025, 12, 9, 11), "click"),
    (4, 3, 12, dt(2025, 12, 9, 12), "view"),
])

LEAKAGE = fixture("entity events after the as-of time and older than 7 days", [
    (1, 1, 10, dt(2025, 12, 9, 9), "view"),
    (2, 1, 11, dt(2025, 12, 11, 9), "click"),               # after T: must not reach user 1's counts
    (3, 2, 10, dt(2025, 12, 12, 9), "click"),               # after T: must not reach item 10's counts
    (4, 1, 12, dt(2025, 12, 3, 23, 59, 59), "click"),       # exactly T - 7 days: out
    (5, 2, 12, dt(2025, 12, 1, 9), "click"),                # long before the window
    (6, 3, 10, T, "click"),                                 # exactly at T: in
])

RETRIES = fixture("retried events (same event_id, exact copies)", [
    (1, 1, 10, dt(2025, 12, 9, 9), "click"),
    (1, 1, 10, dt(2025, 12, 9, 9), "click"),
    (2, 1, 11, dt(2025, 12, 9, 10), "view"),
    (3, 2, 10, dt(2025, 12, 9, 11), "view"),
    (3, 2, 10, dt(2025, 12, 9, 11), "view"),
    (3, 2, 10, dt(2025, 12, 9, 11), "view"),
])

THIRDS = fixture("ratios that are not exact in single precision", [
    (1, 1, 10, dt(2025, 12, 9, 9), "click"),
    (2, 1, 10, dt(2025, 12, 9, 10), "view"),
    (3, 1, 10, dt(2025, 12, 9, 11), "purchase"),
])

OTHER_DAY = Fixture("the sample tables at another as-of time", load_seed(), {"as_of_ts": dt(2025, 12, 6, 23, 59, 59)})

CHECKS = [
    features_check("point_in_time_users", PIT_USERS, 1,
        "A user who had not signed up by the as-of time got a row (or one who signed up exactly at it did not): "
        "keep users with signup_ts <= as_of_ts. A training row must not know about a user who did not exist yet"),
    features_check("point_in_time_items", PIT_ITEMS, 1,
        "An item not yet created at the as-of time got a row (or one created exactly at it did not): keep items "
        "with created_ts <= as_of_ts"),
    features_check("no_join_fanout", FANOUT, 2,
        "Counts are multiplied: joining user events and item events to the grid before aggregating pairs every "
        "user event with every item event. Aggregate each entity to one row first, then join"),
    features_check("entity_level_counts", ENTITY_LEVEL, 1,
        "User features count ALL of the user's events in the window (on every item), item features all of the "
        "item's events (by every user); pair-level counts are a different feature"),
    features_check("entity_features_no_leakage", LEAKAGE, 2,
        "An entity feature used events outside T - 7 days < event_ts <= T: each entity aggregate needs the same "
        "window as the grid, or a user's future clicks leak into their training rows"),
    features_check("retries_deduplicated", RETRIES, 1,
        "Retried events were counted more than once: deduplicate on event_id before any aggregate"),
    features_check("ctr_is_double", THIRDS, 1,
        "A ratio is not computed in double precision: divide as DOUBLE (clicks / NULLIF(impressions, 0), "
        "or CAST(... AS DOUBLE)); FLOAT is 4 bytes in DuckDB, and // is integer division"),
    features_check("reads_as_of_parameter", OTHER_DAY, 1,
        "With another as-of time the result is wrong: read the as-of time with getvariable('as_of_ts') "
        "everywhere instead of writing a date into the query"),
]
