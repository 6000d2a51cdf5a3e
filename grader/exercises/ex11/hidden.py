"""Hidden fixtures for Exercise 11: each isolates one mistake, so the failing check names it.
All but the last use the notebook's as-of time, so a hard-coded timestamp fails only
`reads_as_of_variable`."""

from datetime import datetime as dt

from ...checks import Fixture
from ...course import Dataset
from . import SAMPLE_AS_OF as T, grid_check


def fixture(name, events, as_of=T, **tables):
    return Fixture(name, Dataset({"events": events, **tables}), {"as_of_ts": as_of})


CARTESIAN = fixture("more users and items than active pairs", [
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (2, 2, 11, dt(2025, 12, 2, 9), "view"),
    (3, 3, 12, dt(2025, 11, 30, 9), "purchase"),
],
    users=[(u, dt(2025, 1, 1), "North") for u in (1, 2, 3, 4)],
    items=[(i, dt(2025, 1, 1), "A") for i in (10, 11, 12, 13)],
)

ALL_TIME = fixture("pairs active only before the window", [
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (2, 2, 11, dt(2025, 11, 1, 9), "view"),      # a month ago
    (3, 3, 12, dt(2025, 11, 20, 9), "click"),    # twelve days ago
    (4, 1, 11, dt(2025, 6, 1, 9), "view"),
])

DUPLICATES = fixture("many events per pair, and retried events", [
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (2, 1, 10, dt(2025, 12, 1, 10), "view"),
    (3, 1, 10, dt(2025, 12, 2, 9), "view"),
    (3, 1, 10, dt(2025, 12, 2, 9), "view"),     # a retry
    (4, 2, 11, dt(2025, 11, 30, 9), "purchase"),
    (4, 2, 11, dt(2025, 11, 30, 9), "purchase"),
])

LEAKAGE = fixture("events after the as-of time", [
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (2, 2, 11, dt(2025, 12, 3, 9), "view"),      # tomorrow: a pair that does not exist yet
    (3, 1, 11, dt(2025, 12, 10, 9), "click"),
    (4, 1, 10, dt(2025, 12, 4, 9), "click"),
])

EDGES = fixture("events exactly on the window's edges", [
    (1, 1, 10, T, "click"),                                  # exactly at as_of_ts: in
    (2, 2, 11, dt(2025, 11, 25, 23, 59, 59), "view"),        # exactly 7 days earlier: out
    (3, 3, 12, dt(2025, 11, 26, 0, 0, 0), "view"),           # one second inside: in
    (4, 4, 13, dt(2025, 12, 2, 23, 59, 59, 500000), "click"),  # half a second after: out
])

# Another as-of time, and not a day end: events that the sample's window would include or
# exclude the other way round, and events later on the same day.
T_OTHER = dt(2026, 2, 14, 12, 0, 0)
VARIABLE = fixture("another as-of time (2026-02-14 12:00:00)", [
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),       # in the sample's window only
    (2, 2, 11, dt(2026, 2, 10, 9), "view"),        # in this window
    (3, 3, 12, dt(2026, 2, 14, 11, 0), "click"),   # this morning: in
    (4, 4, 13, dt(2026, 2, 14, 15, 0), "view"),    # this afternoon, after as_of_ts: out
], as_of=T_OTHER)

CHECKS = [
    grid_check("grid_not_cartesian", CARTESIAN, 2,
        "Your grid has pairs that never met: users x items is the full Cartesian grid "
        "(10M x 1M = 10^13 pairs per day at the course's scale). Build the grid from the pairs "
        "that occur in events within the window"),
    grid_check("grid_not_all_time", ALL_TIME, 2,
        "Your grid has pairs whose only events are older than the 7-day window: the grid for an "
        "as-of time is the pairs active in as_of_ts - 7 days < event_ts <= as_of_ts, not every pair ever seen"),
    grid_check("pairs_distinct", DUPLICATES, 1,
        "A pair appears more than once: one row per (user_id, item_id). A pair with several events "
        "(or retried copies of one) is still one grid cell; use DISTINCT or GROUP BY"),
    grid_check("no_leakage", LEAKAGE, 2,
        "Your grid has pairs whose events all come after as_of_ts: the window must end at as_of_ts "
        "(event_ts <= as_of_ts), or the grid leaks tomorrow's activity into today's features"),
    grid_check("window_edges", EDGES, 1,
        "The window's edges are off: an event exactly at as_of_ts counts, one exactly 7 days earlier "
        "does not (as_of_ts - INTERVAL '7 days' < event_ts <= as_of_ts)"),
    grid_check("reads_as_of_variable", VARIABLE, 2,
        "With as_of_ts = 2026-02-14 12:00:00 your grid is wrong: read the as-of time with "
        "getvariable('as_of_ts') and use it as given (don't hard-code a timestamp, use now(), "
        "or round it to a day end)"),
]
