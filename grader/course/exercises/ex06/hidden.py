"""Hidden fixtures for Exercise 6: each isolates one mistake, so the failing check names it.

Each check judges only its concern (checks.ResultCheck): the grid check judges which rows come
back, at both as-of times; every other check judges the counts of the rows the course expects,
at the as-of times the answer returned, and leaves extra rows (all-time pairs, users x items)
to the grid check; a count by event type that is 0 returned as NULL, or that counts every event
(count(event_type = 'click')), the other type (clicks_7d and views_7d swapped) or none (a type
spelled 'Click'), is left to the event-type check, whose pairs lack a click or a
view or hold other types, while impressions_7d is judged everywhere. Fixtures are built so their trap shows in those counts: an edge event's pair
also has an event well inside both windows, so counting the edge event wrongly changes a
count instead of adding or dropping a row. `window_edges` judges the answer against its own
result with the edge events moved an hour away from the edges (inside the same windows), so a
window without an upper bound loses `no_leakage` only. Every fixture holds a users and an items row, from
before the first event, for each id its events name: an answer that also joins users and
items at the as-of time (Exercise 3's point-in-time dimensions) gets the same rows."""

from collections import Counter
from datetime import datetime as dt

from grader.engine.checks import Fixture, at_answered, edges_moved_around, no_extra_rows, then, with_dimensions
from grader.engine import compare
from grader.domain.tables import Dataset
from grader.course.exercises.ex06 import AS_OF, counts_check, expected
from grader.domain.fixtures import retried_events
from grader.course import type_counts

T1, T2 = dt(2025, 12, 2, 23, 59, 59), dt(2025, 12, 3, 23, 59, 59)
INSIDE = dt(2025, 12, 1, 12)  # well inside both as-of times' windows


def fixture(name, events, **tables):
    return Fixture(name, with_dimensions(Dataset({"events": events, **tables})))


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
    (8, 3, 11, dt(2025, 11, 25, 23, 59, 59, 500000), "view"),  # half a second after T1 - 7 days: in for T1
    (9, 3, 12, dt(2025, 11, 26, 23, 59, 59, 500000), "click"),  # half a second after T2 - 7 days: in for both
    # (a start drawn on whole days drops 8 and 9.) Each edge event's pair also has two events of its
    # type inside both windows, and the other pair two views: every right count is 0, 2 or 3, so a
    # grid of constant 1s gets no value right
    (11, 1, 10, INSIDE, "click"), (12, 1, 10, INSIDE, "click"),
    (13, 1, 11, INSIDE, "view"), (14, 1, 11, INSIDE, "view"),
    (15, 1, 12, INSIDE, "view"), (16, 1, 12, INSIDE, "view"),
    (17, 2, 10, INSIDE, "click"), (18, 2, 10, INSIDE, "click"),
    (19, 2, 11, INSIDE, "view"), (20, 2, 11, INSIDE, "view"),
    (21, 3, 11, INSIDE, "view"), (22, 3, 11, INSIDE, "view"),
    (23, 3, 12, INSIDE, "click"), (24, 3, 12, INSIDE, "click"),
    (6, 3, 10, dt(2025, 12, 1, 12), "view"), (7, 3, 10, dt(2025, 12, 1, 13), "view"),
    # a pair with clicks and views: an answer that drops the rows lacking a type (per-type counts
    # INNER JOINed) still returns a row here, and is judged by the event-type check alone
    (25, 4, 13, INSIDE, "click"), (26, 4, 13, INSIDE, "click"), (27, 4, 13, INSIDE, "view"), (28, 4, 13, INSIDE, "view"),
])

RETRIES = fixture("retried events (same event_id, exact copies)",
                  retried_events(dt(2025, 12, 1, 9), dt(2025, 12, 2, 9), burst=dt(2025, 12, 2, 10)))

EVENT_TYPES = fixture("event types other than click and view", [
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (2, 1, 10, dt(2025, 12, 1, 9, 5), "purchase"),
    (3, 1, 10, dt(2025, 12, 2, 9), "add_to_cart"),
    (4, 2, 11, dt(2025, 12, 2, 9), "purchase"),    # a pair with no click or view at all
    (5, 2, 10, dt(2025, 12, 2, 11), "view"),
    (6, 3, 12, dt(2025, 12, 1, 10), "click"),      # a pair with a click and a view (and nothing else)
    (7, 3, 12, dt(2025, 12, 2, 10), "view"),
])

# Events half a day inside and half a day outside the 7 days (for T1; for T2 the first is half
# a day outside), each pair also active well inside both windows: a window a day too short or
# too long changes a count, never a row.
LENGTH = fixture("events half a day inside and outside the 7 days", [
    (1, 1, 10, dt(2025, 11, 26, 12), "view"),    # T1 - 6.5 days: in for T1; T2 - 7.5 days: out for T2
    (2, 1, 10, INSIDE, "click"),
    (3, 2, 11, dt(2025, 11, 25, 12), "click"),   # T1 - 7.5 days: out for both
    (4, 2, 11, INSIDE, "view"),
    (5, 3, 12, dt(2025, 11, 27, 12), "view"),    # T2 - 6.5 days: in for both
    (6, 3, 12, INSIDE, "view"),
])

GRID = fixture("pairs active only outside the window, users and items without events", [
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (5, 1, 10, dt(2025, 12, 1, 10), "view"),     # two events: a grid of constant 1s gets a count wrong
    (2, 1, 11, dt(2025, 11, 1, 9), "view"),      # an all-time pair, idle in both windows
    (3, 2, 11, dt(2025, 12, 2, 9), "view"),
    (4, 3, 12, dt(2025, 10, 1, 9), "click"),     # another stale pair
    (6, 5, 14, dt(2025, 11, 26, 9), "view"),     # in the first as-of time's window only
    (7, 6, 15, dt(2025, 12, 3, 9), "click"),     # in the second's only: neither pair is a row at the other
],
    users=[(4, dt(2025, 1, 1), "West")],          # a user and an item without any event
    items=[(13, dt(2025, 1, 1), "C")],
)

def left_to_event_types(d, fixture):
    """Rows whose only wrong values are counts by event type are `all_types_in_impressions`'
    concern, whose fixture holds pairs with other types and pairs without a click or a view: one
    slip, one check (grader/course/type_counts.py says which values those are)."""
    return type_counts.left_to_event_types(d)


def zero_rows_of_one_window_pairs(d, fixture):
    """Of a pair the course puts in the grid at one as-of time only (its events all in one of the
    two windows), the rows that come back with no event counted (impressions_7d 0 or NULL) at the
    other: a grid drawn from other events than the window's, zero-filled. Its other rows are the
    window checks' concern: such a pair lies within a day of an edge, where a window a day off or
    without an upper bound adds or drops a row of counted events. Every other pair is judged whole."""
    def pair(r):
        return compare._norm(r[0]), compare._norm(r[1])

    once = {p for p, n in Counter(map(pair, expected(fixture.dataset, fixture.variables))).items() if n == 1}
    narrowed = d.where(lambda r: pair(r) not in once)
    narrowed.unexpected = [g for g in d.unexpected if pair(g) not in once or g[type_counts.IMPRESSIONS] in (0, None)]
    return narrowed


# The counts of the expected rows, at the as-of times the answer returned; extra rows and a
# missing as-of time are the grid's concern, a miscount by event type the event types'.
COUNTS = then(no_extra_rows, at_answered("as_of_ts"), left_to_event_types)

CHECKS = [
    counts_check("no_leakage", LEAKAGE, 2,
        "A feature row may only use events with event_ts <= as_of_ts; counting later events lets "
        "training see the future (label leakage)", aspect=COUNTS),
    counts_check("window_edges", EDGES, 2,
        "The course's window is as_of_ts - 7 days < event_ts <= as_of_ts: an event exactly at "
        "as_of_ts counts, one exactly 7 days earlier does not, one a fraction of a second after "
        "as_of_ts does not", aspect=COUNTS,
        control=edges_moved_around(lambda fixture: AS_OF),
        control_note="with the events on the windows' edges moved an hour away from them, on the same side"),
    counts_check("window_is_seven_days", LENGTH, 1,
        "The window is 7 days long, as_of_ts - 7 days < event_ts <= as_of_ts: an event 6.5 days "
        "before as_of_ts counts, one 7.5 days before does not (INTERVAL 7 DAY, not 6 or 8)",
        aspect=COUNTS),
    counts_check("retries_deduplicated", RETRIES, 2,
        "Retried events are exact copies with the same event_id and count once, and distinct events in "
        "the same second (each its own event_id) each count: deduplicate on event_id before counting "
        "(SELECT DISTINCT, or QUALIFY row_number() OVER (PARTITION BY event_id ...) = 1), not on what an "
        "event says, and a running count read at the as-of time takes every event of its last second "
        "(RANGE, not ROWS)", aspect=COUNTS),
    counts_check("all_types_in_impressions", EVENT_TYPES, 1,
        "impressions_7d counts events of every type, not only clicks and views; clicks_7d and views_7d "
        "count only their own type, spelled as stored ('click' and 'view'), each in its own column (count() counts every value that is not NULL, so count(event_type = "
        "'click') or count(CASE ... ELSE 0 END) counts every event: count(*) FILTER (WHERE event_type = "
        "'click') or sum(CASE ... THEN 1 ELSE 0 END)), 0 and not NULL where a pair has none of it "
        "(sum(CASE ... THEN 1 END) needs ELSE 0); a pair without a click or a view (or with only other types) is still a row: "
        "per-type counts INNER JOINed drop it",
        aspect=then(no_extra_rows, at_answered("as_of_ts"))),
    counts_check("grid_is_observed_pairs", GRID, 2,
        "The grid holds exactly the (user, item) pairs with at least one event in each as-of "
        "window, at both as-of times: not all-time pairs, not users x items, not a pair active in only one of the windows "
        "at the other", aspect=then(left_to_event_types, zero_rows_of_one_window_pairs)),
]
