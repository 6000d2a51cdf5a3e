"""Hidden fixtures for Exercise 11: each isolates one mistake, so the failing check names it.

Each check judges only its concern (checks.ResultCheck). The grid is a set of pairs, so a time
mistake shows as pairs that should not be there, and so does a Cartesian grid everywhere; the
time checks therefore judge the answer against its OWN result on the same data with the trap
taken out (future events removed, old events removed, edge events moved an hour away from
the edge on the same side, the whole fixture moved to the notebook's as-of time), and a grid that ignores time
is judged by `grid_not_cartesian` alone. Every check still requires the pairs the course
expects. All but the last use the notebook's as-of time, so a hard-coded timestamp fails only
`reads_as_of_variable`. Every fixture holds a users and an items row, from before the first
event, for each id its events name (answers that also join users and items at the as-of time
get the same pairs)."""

from datetime import datetime as dt

from grader.domain import semantics
from grader.engine.checks import Fixture, duplicates_only, edges_moved, extra_rows_only, far_end_settled, missing_rows_only, moved_to, with_dimensions, without_future_events, without_old_events
from grader.domain.tables import Dataset
from grader.course.exercises.ex11 import SAMPLE_AS_OF as T, grid_check
from grader.domain.fixtures import copies


def fixture(name, events, as_of=T, **tables):
    return Fixture(name, with_dimensions(Dataset({"events": events, **tables})), {"as_of_ts": as_of})


CARTESIAN = fixture("more users and items than active pairs", [
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (2, 2, 11, dt(2025, 12, 2, 9), "view"),
    (3, 3, 12, dt(2025, 11, 30, 9), "view"),
],
    users=[(4, dt(2025, 1, 1), "North")],          # a user and an item without any event
    items=[(13, dt(2025, 1, 1), "A")],
)

ALL_TIME = fixture("pairs active only before the window", [
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (2, 2, 11, dt(2025, 11, 1, 9), "view"),      # a month ago
    (3, 3, 12, dt(2025, 11, 20, 9), "click"),    # twelve days ago
    (4, 1, 11, dt(2025, 6, 1, 9), "view"),
    # a pair active before the window AND in it: in the grid (a window tested on the pair's
    # first event, HAVING min(event_ts) > as_of_ts - 7 days, drops it)
    (5, 5, 14, dt(2025, 11, 10, 9), "view"),
    (6, 5, 14, dt(2025, 12, 2, 9), "click"),
])

DUPLICATES = fixture("many events per pair, and retried events", [
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (2, 1, 10, dt(2025, 12, 1, 10), "view"),
    *copies((3, 1, 10, dt(2025, 12, 2, 9), "view"), 2),  # a retry
    *copies((4, 2, 11, dt(2025, 11, 30, 9), "view"), 2),
])

EVERY_TYPE = fixture("pairs whose only events in the window are purchases or carts", [
    (1, 1, 10, dt(2025, 12, 1, 9), "purchase"),
    (2, 2, 11, dt(2025, 12, 2, 9), "add_to_cart"),
    (3, 3, 12, dt(2025, 11, 30, 9), "view"),
])

LEAKAGE = fixture("events after the as-of time", [
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (2, 2, 11, dt(2025, 12, 3, 9), "view"),      # tomorrow: a pair that does not exist yet
    (3, 1, 11, dt(2025, 12, 10, 9), "click"),
    (4, 1, 10, dt(2025, 12, 4, 9), "click"),
    # a pair active before the window and after the as-of time, never in it: not in the grid
    # (a window tested on the pair's first and last events, min <= as_of_ts and max > the
    # window's start, takes it in)
    (5, 5, 14, dt(2025, 11, 10, 9), "view"),
    (6, 5, 14, dt(2025, 12, 5, 9), "click"),
])

EDGES = fixture("events exactly on the window's edges", [
    (1, 1, 10, T, "click"),                                  # exactly at as_of_ts: in
    (2, 2, 11, dt(2025, 11, 25, 23, 59, 59), "view"),        # exactly 7 days earlier: out
    (3, 3, 12, dt(2025, 11, 26, 0, 0, 0), "view"),           # one second inside: in
    (4, 4, 13, dt(2025, 12, 2, 23, 59, 59, 500000), "click"),  # half a second after: out
    (5, 5, 14, dt(2025, 12, 1, 9), "view"),                  # well inside
    (6, 6, 15, dt(2025, 11, 25, 23, 59, 59, 500000), "view"),  # half a second after the start: in (a
                                                             # start drawn on whole days drops it)
])

LENGTH = fixture("pairs active only half a day inside or outside the 7 days", [
    (1, 1, 10, dt(2025, 11, 26, 12), "view"),    # T - 6.5 days: in (a 6-day window drops the pair)
    (2, 2, 11, dt(2025, 11, 25, 12), "click"),   # T - 7.5 days: out (an 8-day window adds the pair)
    (3, 3, 12, dt(2025, 12, 1, 9), "view"),      # well inside
    (4, 4, 13, dt(2025, 11, 12, 12), "view"),    # T - 20.5 days: out for any window with a start
])


def unless_unbounded(d, fixture):
    """Extra pairs are this check's concern only for a window that has a start: an answer that
    returns a pair idle for two whole windows has none (grid_not_all_time's concern)."""
    as_of = fixture.variables["as_of_ts"]
    last: dict = {}
    for e in fixture.dataset.rows("events"):
        pair = (e[semantics.USER_ID], e[semantics.ITEM_ID])
        last[pair] = max(last.get(pair, e[semantics.EVENT_TS]), e[semantics.EVENT_TS])
    idle = {p for p, ts in last.items() if ts <= as_of - 2 * semantics.WINDOW}
    return d.only(unexpected=False) if idle & {(g[0], g[1]) for g in d.got} else d


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
        "A grid built from users x items holds pairs that never met (10M x 1M = 10^13 pairs per "
        "day at the course's scale): build it from the pairs that occur in events within the window",
        aspect=extra_rows_only),
    grid_check("grid_has_every_active_pair", EVERY_TYPE, 1,
        "Every pair with an event of any type in the window is in the grid (a purchase or a cart "
        "is activity too): don't filter event types", aspect=missing_rows_only),
    grid_check("grid_not_all_time", ALL_TIME, 2,
        "The grid for an as-of time is the pairs active in as_of_ts - 7 days < event_ts <= "
        "as_of_ts, not every pair ever seen: events older than the window neither add a pair nor "
        "take away one that is active in the window",
        control=without_old_events, control_note="with the events older than the window removed"),
    grid_check("pairs_distinct", DUPLICATES, 1,
        "One row per (user_id, item_id): a pair with several events (or retried copies of one) is "
        "still one grid cell; use DISTINCT or GROUP BY", aspect=duplicates_only),
    grid_check("no_leakage", LEAKAGE, 2,
        "The window must end at as_of_ts (event_ts <= as_of_ts): events after it add no pair, or "
        "the grid leaks tomorrow's activity into today's features",
        control=without_future_events, control_note="with the events after as_of_ts removed"),
    grid_check("window_edges", EDGES, 1,
        "An event exactly at as_of_ts counts, one exactly 7 days earlier does not, one half a second "
        "after as_of_ts does not, one half a second after as_of_ts - 7 days does (as_of_ts - INTERVAL "
        "'7 days' < event_ts <= as_of_ts, on timestamps: CAST(event_ts AS DATE) moves an edge)",
        control=edges_moved, control_note="with the events on the window's edges moved an hour away from them, on the same side"),
    grid_check("window_is_seven_days", LENGTH, 1,
        "The window is 7 days long (as_of_ts - INTERVAL '7 days' < event_ts): a pair active 6.5 "
        "days before as_of_ts is in the grid, one active only 7.5 days before is not",
        control=far_end_settled(), aspect=unless_unbounded,
        control_note="with the events near the window's start moved inside it or removed"),
    grid_check("reads_as_of_variable", VARIABLE, 2,
        "Read the as-of time with getvariable('as_of_ts') and use it as given (don't hard-code a "
        "timestamp, use now(), or round it to a day end): with as_of_ts = 2026-02-14 12:00:00 the "
        "grid must be the same as for the same events a whole number of days and hours earlier",
        control=moved_to(T), control_note="on the same events moved to as_of_ts = 2025-12-02 23:59:59"),
]
