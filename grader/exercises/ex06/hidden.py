"""Hidden fixtures for Exercise 6: each isolates one mistake, so the failing check names it.
Only LEAKAGE and EDGES hold events after the first as-of time: a leaky window fails those two,
not every check."""

from datetime import datetime as dt

from ...checks import Fixture
from ...course import Dataset
from . import counts_check

T1, T2 = dt(2025, 12, 2, 23, 59, 59), dt(2025, 12, 3, 23, 59, 59)


def fixture(name, events):
    return Fixture(name, Dataset({"events": events}))


LEAKAGE = fixture("events after the as-of time", [
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (2, 1, 10, dt(2025, 12, 3, 8), "view"),      # after T1: counts only for T2
    (3, 2, 10, dt(2025, 12, 3, 12), "click"),    # pair (2,10) exists only from T2 on
    (4, 1, 10, dt(2025, 12, 4, 9), "click"),     # after both as-of times
    (5, 3, 11, dt(2025, 12, 5, 9), "view"),      # future-only pair
    (6, 2, 11, dt(2025, 11, 30, 9), "view"),
])

EDGES = fixture("events exactly on the window's edges", [
    (1, 1, 10, T1, "click"),                            # exactly at T1: counts for T1
    (2, 1, 11, dt(2025, 11, 25, 23, 59, 59), "view"),   # exactly T1 - 7 days: out for T1
    (3, 1, 12, dt(2025, 11, 26, 0, 0, 0), "view"),      # one second inside T1's window
    (4, 2, 10, dt(2025, 12, 2, 23, 59, 59, 500000), "click"),  # half a second after T1: T2 only
    (5, 2, 11, dt(2025, 11, 26, 23, 59, 59), "view"),   # exactly T2 - 7 days: in T1, out of T2
    (6, 3, 10, dt(2025, 12, 1, 12), "view"),
])

RETRIES = fixture("retried events (same event_id, exact copies)", [
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (2, 1, 10, dt(2025, 12, 2, 9), "view"),
    (2, 1, 10, dt(2025, 12, 2, 9), "view"),
    (2, 1, 10, dt(2025, 12, 2, 9), "view"),
    (3, 2, 10, dt(2025, 12, 2, 9), "click"),
    (4, 2, 10, dt(2025, 12, 2, 10), "click"),   # a real second click, not a retry
    (4, 2, 10, dt(2025, 12, 2, 10), "click"),
])

EVENT_TYPES = fixture("event types other than click and view", [
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (2, 1, 10, dt(2025, 12, 1, 9, 5), "purchase"),
    (3, 1, 10, dt(2025, 12, 2, 9), "add_to_cart"),
    (4, 2, 11, dt(2025, 12, 2, 9), "purchase"),    # a pair with no click or view at all
    (5, 2, 10, dt(2025, 12, 2, 11), "view"),
])

GRID = Fixture("pairs active only outside the window, users and items without events", Dataset({
    "events": [
        (1, 1, 10, dt(2025, 12, 1, 9), "click"),
        (2, 1, 11, dt(2025, 11, 1, 9), "view"),      # an all-time pair, idle in both windows
        (3, 2, 11, dt(2025, 12, 2, 9), "view"),
        (4, 3, 12, dt(2025, 10, 1, 9), "click"),     # another stale pair
    ],
    "users": [(1, dt(2025, 1, 1), "North"), (2, dt(2025, 1, 1), "South"), (3, dt(2025, 1, 1), "East"), (4, dt(2025, 1, 1), "West")],
    "items": [(10, dt(2025, 1, 1), "A"), (11, dt(2025, 1, 1), "B"), (12, dt(2025, 1, 1), "A"), (13, dt(2025, 1, 1), "C")],
}))

CHECKS = [
    counts_check("no_leakage", LEAKAGE, 2,
        "Events after the as-of time were counted: a feature row may only use events with event_ts <= as_of_ts, "
        "or training sees the future (label leakage)"),
    counts_check("window_edges", EDGES, 2,
        "The window's edges are off: the course's window is as_of_ts - 7 days < event_ts <= as_of_ts "
        "(an event exactly at as_of_ts counts; one exactly 7 days earlier does not)"),
    counts_check("retries_deduplicated", RETRIES, 2,
        "Retried events were counted more than once: deduplicate on event_id before counting "
        "(SELECT DISTINCT, or QUALIFY row_number() OVER (PARTITION BY event_id ...) = 1)"),
    counts_check("all_types_in_impressions", EVENT_TYPES, 1,
        "impressions_7d counts events of every type, not only clicks and views (and clicks_7d / views_7d "
        "count only their own type)"),
    counts_check("grid_is_observed_pairs", GRID, 2,
        "The grid is wrong: it holds exactly the (user, item) pairs with at least one event in each as-of "
        "window, not all-time pairs, not users x items"),
]
