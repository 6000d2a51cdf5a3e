"""Hidden fixtures for Exercise 3's ex03b: each isolates one mistake of a multi-step pipeline.

Each check judges only its concern (checks.ResultCheck): the point-in-time checks judge which
rows come back, `entity_level_counts` the counts of entities that span several pairs,
`ctr_is_double` the ratios, and the window, retry and parameter checks judge the answer
against its own result on the same data with the trap taken out (events outside the window
removed, retried copies removed, everything moved to the notebook's as-of time). So a join
that fans out loses `no_join_fanout`, not the checks about windows, retries or precision.

The fixtures are written at 2025-12-10 and moved, every timestamp alike, to the notebook's
as-of time (2025-12-04 23:59:59): a hard-coded timestamp then fails only `reads_as_of_parameter`.

The point-in-time fixtures hold events from before a dimension row's timestamp (a guest session
attributed at signup, an item tested before its release) so the dimension filter visibly
matters; every other fixture has a user and an item row from before the first event. They are
built so that a user or item dropped by that filter shares no event with a kept row: whether
the filter is applied to the grid or to the events then gives the same rows."""

from collections import Counter
from datetime import datetime as dt

from grader.engine import compare
from grader.engine.compare import values_equal
from grader.engine.checks import Fixture, edges_moved, far_end_settled, keys_only, moved_to, only_columns, without_future_events, without_old_events, without_retries_twins_apart
from grader.domain.tables import Dataset, load_seed
from grader.course.exercises.ex03 import SAMPLE_AS_OF, features_check
from grader.domain.fixtures import copies

T = dt(2025, 12, 10, 23, 59, 59)  # as written below; moved to SAMPLE_AS_OF
OLD = dt(2025, 1, 1)


def fixture(name, events, users=None, items=None, about_dimensions=False):
    users = users or {}
    items = items or {}
    user_ids = sorted({e[1] for e in events} | set(users))
    item_ids = sorted({e[2] for e in events} | set(items))
    written = Fixture(name, Dataset({
        "events": events,
        "users": [(u, users.get(u, OLD), "North") for u in user_ids],
        "items": [(i, items.get(i, OLD), "A") for i in item_ids],
    }), {"as_of_ts": T}, about_dimensions)
    return moved_to(SAMPLE_AS_OF)(written)


PIT_USERS = fixture("users who signed up after the as-of time (and one exactly at it)", [
    (1, 1, 10, dt(2025, 12, 9, 9), "click"),
    (2, 2, 11, dt(2025, 12, 8, 9), "view"),     # guest session, attributed to user 2 who signs up on 12-11
    (4, 3, 12, dt(2025, 12, 9, 9), "view"),     # user 3 signs up exactly at T: kept
], users={2: dt(2025, 12, 11, 8), 3: T}, about_dimensions=True)

PIT_ITEMS = fixture("items created after the as-of time (and one exactly at it)", [
    (1, 1, 10, dt(2025, 12, 9, 9), "click"),
    (2, 2, 11, dt(2025, 12, 9, 10), "view"),    # item 11 is released on 12-12: not yet in the catalog at T
    (3, 3, 12, dt(2025, 12, 10, 9), "click"),   # item 12 created exactly at T: kept
], items={11: dt(2025, 12, 12), 12: T}, about_dimensions=True)

FANOUT = fixture("pairs with several events each", [
    (1, 1, 10, dt(2025, 12, 9, 9), "click"),
    (2, 1, 10, dt(2025, 12, 9, 10), "view"),
    (3, 1, 10, dt(2025, 12, 9, 11), "view"),
    (6, 1, 10, dt(2025, 12, 9, 12), "view"),    # four events: ratios exact in any precision
    (4, 2, 11, dt(2025, 12, 8, 9), "click"),
    (5, 2, 11, dt(2025, 12, 8, 10), "click"),
])

ENTITY_LEVEL = fixture("a user with several items, an item with several users", [
    (1, 1, 10, dt(2025, 12, 9, 9), "click"),
    (2, 1, 11, dt(2025, 12, 9, 10), "view"),
    (3, 2, 12, dt(2025, 12, 9, 11), "click"),
    (4, 3, 12, dt(2025, 12, 9, 12), "view"),
])

LEAKAGE = fixture("entity events after the as-of time and older than 7 days, a pair active only before the window", [
    (1, 1, 10, dt(2025, 12, 9, 9), "view"),
    (2, 1, 11, dt(2025, 12, 11, 9), "click"),               # after T: must not reach user 1's counts
    (3, 2, 10, dt(2025, 12, 12, 9), "click"),               # after T: must not reach item 10's counts
    (4, 1, 12, dt(2025, 12, 3, 12), "click"),               # T - 7.5 days: out (a window a day too long takes it in;
                                                            # the edge itself is window_edges' concern)
    (5, 2, 12, dt(2025, 12, 1, 9), "click"),                # long before the window
    (6, 3, 10, T, "click"),                                 # exactly at T: in
    (7, 3, 13, dt(2025, 12, 9, 9), "view"),                 # item 13 active in the window, through user 3
    (8, 1, 13, dt(2025, 12, 1, 10), "view"),                # pair (1, 13) only before the window: no grid row
])

RETRIES = fixture("retried events (same event_id, exact copies)", [
    *copies((1, 1, 10, dt(2025, 12, 9, 9), "click"), 2),
    (2, 1, 11, dt(2025, 12, 9, 10), "view"),
    *copies((3, 2, 10, dt(2025, 12, 9, 11), "view"), 3),
    (4, 1, 10, dt(2025, 12, 9, 9), "click"),   # a second click in the same second: its own event_id, not a retry
])

THIRDS = fixture("ratios that are not exact in single precision", [
    (1, 1, 10, dt(2025, 12, 9, 9), "click"),
    (2, 1, 10, dt(2025, 12, 9, 10), "view"),
    (3, 1, 10, dt(2025, 12, 9, 11), "purchase"),
    # a pair of clicks and views only, its ratio 1/3 too: an answer that counts by type wrongly
    # still gets its impressions right here (ratios_of_own_counts)
    (4, 2, 11, dt(2025, 12, 9, 9), "click"),
    (5, 2, 11, dt(2025, 12, 9, 10), "view"),
    (6, 2, 11, dt(2025, 12, 9, 11), "view"),
])

# Entity events half a day inside the window's start (T - 6.5 days), beside events well inside:
# a window a day short drops them from the user's and the item's counts. (A window a day too
# long is caught by entity_features_no_leakage, whose fixture holds events before the window.)
SHORT = fixture("entity events half a day inside the window's start", [
    (1, 1, 10, dt(2025, 12, 4, 12), "click"),     # T - 6.5 days: in
    (2, 1, 10, dt(2025, 12, 9, 9), "view"),
    (3, 2, 10, dt(2025, 12, 4, 13), "view"),      # T - 6.5 days: in, for item 10 through user 2
    (4, 2, 11, dt(2025, 12, 8, 9), "click"),
])

# Events on the window's edges, each on a pair that also has events well inside the window, so
# counting an edge event wrongly changes a count, not a row: exactly at T (in), half a second
# after T (out: a day's end drawn on whole days keeps it), exactly T - 7 days (out), half a
# second after T - 7 days (in: a start drawn on whole days drops it).
EDGES = fixture("events exactly on the window's edges and half a second past them", [
    (1, 1, 10, T, "click"),
    (2, 1, 10, dt(2025, 12, 9, 9), "view"),
    (3, 1, 10, dt(2025, 12, 10, 23, 59, 59, 500000), "click"),
    (4, 2, 11, dt(2025, 12, 3, 23, 59, 59), "click"),
    (5, 2, 11, dt(2025, 12, 8, 9), "view"),
    (6, 2, 11, dt(2025, 12, 8, 10), "view"),
    (7, 3, 12, dt(2025, 12, 3, 23, 59, 59, 500000), "click"),
    (8, 3, 12, dt(2025, 12, 7, 9), "view"),
])

# Users and items each active in the window but never together, and a user and an item without
# any event: users x items adds rows. Nothing else a pipeline can get wrong shows here (one event
# per pair, one pair per user and per item, every event well inside the window, no retries). The
# check judges which keys come back and the impressions (a grid returned with counts of 0 computes
# nothing); clicks and ratios are other checks' concern.
GRID = fixture("users and items active in the window but never together, a user and an item without events", [
    (1, 1, 10, dt(2025, 12, 9, 9), "click"),
    (2, 2, 11, dt(2025, 12, 8, 9), "view"),
    (3, 3, 12, dt(2025, 12, 7, 9), "view"),
], users={4: OLD}, items={13: OLD})

OTHER_DAY = Fixture("the sample tables at another as-of time", load_seed(), {"as_of_ts": dt(2025, 12, 6, 23, 59, 59)})


COUNT_COLUMNS = ["user_clicks_7d", "user_impressions_7d", "item_clicks_7d", "item_impressions_7d"]


def window_only(fixture: Fixture) -> Fixture:
    """Only the events inside the window (users and items kept)."""
    return without_old_events(without_future_events(fixture))


def shared_entities(d, fixture):
    """The user columns of users with several pairs and the item columns of items with several
    pairs: what makes a count entity-level rather than pair-level, judged on the impressions (a
    pair-level count has fewer; a click count gone wrong alone is a counting slip by type, the
    sample's finding). (A fanned-out join is judged by `no_join_fanout`.)"""
    expected = [*d.missing, *(e for e, _ in d.changed), *(g for g in d.got)]
    pairs = {(r[0], r[1]) for r in expected}
    users = Counter(u for u, _ in pairs)
    items = Counter(i for _, i in pairs)
    user_cols, item_cols = (4,), (6,)

    def judged(e, g):
        return (users[e[0]] > 1 and any(not values_equal(e[i], g[i]) for i in user_cols)) or \
               (items[e[1]] > 1 and any(not values_equal(e[i], g[i]) for i in item_cols))

    narrowed = d.only(unexpected=False, changed=False, duplicated=False)
    narrowed.changed = [(e, g) for e, g in d.changed if judged(e, g)]
    return narrowed


IMPRESSION_COLUMNS = ["user_impressions_7d", "item_impressions_7d"]
# (clicks, impressions, ratio) positions in COLUMNS
RATIOS = ((3, 4, 7), (5, 6, 8))


def _own_ratio(clicks, impressions):
    """The row's own clicks / impressions in double precision (NULL when impressions are 0 or NULL)."""
    try:
        return None if clicks is None or not impressions else float(clicks) / float(impressions)
    except (TypeError, ValueError):
        return object()  # not numbers: never equal to a ratio


def ratios_of_own_counts(d, fixture):
    """The ratio columns, judged as the division of the row's own counts: a ratio that is not its
    row's clicks / impressions in double precision (FLOAT, integer division, round(), a
    percentage, the division turned over) is this check's. A row whose counts are wrong and whose
    ratio is right for them (impressions of clicks and views only, count() of a boolean) is a
    counting slip, not a precision one: left to the sample check. An answer that gets no
    impressions right on this fixture (a grid of constants) divides nothing and is judged against
    the course's ratios."""
    narrowed = only_columns("user_ctr_7d", "item_ctr_7d")(d, fixture)
    changed = {tuple(map(compare._norm, g)) for _, g in d.changed}
    unexpected = {tuple(map(compare._norm, g)) for g in d.unexpected}
    some_right = any(values_equal(e[i], g[i]) for e, g in d.changed for _, i, _ in RATIOS) or any(
        tuple(map(compare._norm, g)) not in changed | unexpected for g in d.got)
    if some_right:
        def wrong(e, g, c, i, r):  # with no impressions of its own nothing was divided: the course's ratio
            return not values_equal(g[r], _own_ratio(g[c], g[i]) if g[i] else e[r])

        narrowed.changed = [(e, g) for e, g in narrowed.changed if any(wrong(e, g, *cir) for cir in RATIOS)]
    return narrowed


def not_yet_there(table: str, position: int):
    """Which keys come back (missing, duplicated), and of the rows that should not be there those
    whose user (position 0; table users) or item (position 1; table items) did not exist yet at the
    as-of time: a row of a pair that was never observed is `grid_is_observed_pairs`' concern."""

    def aspect(d, fixture):
        as_of = fixture.variables["as_of_ts"]
        existing = {r[0] for r in fixture.dataset.rows(table) if r[1] is not None and r[1] <= as_of}
        narrowed = keys_only(d, fixture)
        narrowed.unexpected = [r for r in d.unexpected if r[position] not in existing]
        return narrowed

    return aspect


CHECKS = [
    features_check("point_in_time_users", PIT_USERS, 1,
        "Keep users with signup_ts <= as_of_ts (one who signs up exactly at the as-of time is kept): "
        "a training row must not know about a user who did not exist yet", aspect=not_yet_there("users", 0)),
    features_check("point_in_time_items", PIT_ITEMS, 1,
        "Keep items with created_ts <= as_of_ts (one created exactly at the as-of time is kept)",
        aspect=not_yet_there("items", 1)),
    # the counts of the expected rows: extra rows are the grid's or the point-in-time checks' concern
    features_check("no_join_fanout", FANOUT, 2,
        "Joining user events and item events to the grid before aggregating pairs every user event "
        "with every item event, and multiplies counts: aggregate each entity to one row first, then join",
        # impressions: a fan-out multiplies them; a click count gone wrong alone is a counting
        # slip by type (the sample's finding), not a fan-out
        aspect=lambda d, fixture: d.only(unexpected=False, columns=IMPRESSION_COLUMNS)),
    features_check("grid_is_observed_pairs", GRID, 1,
        "The grid holds exactly the (user, item) pairs with at least one event in the window (whose "
        "user and item exist at the as-of time): not users x items, which pairs a user with items they "
        "never touched", aspect=lambda d, fixture: d.only(columns=["user_impressions_7d", "item_impressions_7d"])),
    features_check("entity_level_counts", ENTITY_LEVEL, 1,
        "User features count ALL of the user's events in the window (on every item), item features all "
        "of the item's events (by every user); pair-level counts are a different feature",
        aspect=shared_entities),
    features_check("entity_features_no_leakage", LEAKAGE, 2,
        "Each entity aggregate uses only events in T - 7 days < event_ts <= T, the same window as the "
        "grid, or a user's future clicks leak into their training rows; and the grid is the pairs with an "
        "event in that window, not every pair ever seen",
        control=window_only, control_note="with the events outside the window removed"),
    features_check("window_edges", EDGES, 1,
        "The window is as_of_ts - INTERVAL '7 days' < event_ts <= as_of_ts, on timestamps: an event "
        "exactly at as_of_ts counts, one exactly 7 days earlier does not, one half a second after "
        "either edge is on the other side (a window drawn on whole days, CAST(event_ts AS DATE), moves both edges)",
        control=edges_moved, control_note="with the events on the window's edges moved an hour away from them, on the same side"),
    features_check("window_is_seven_days", SHORT, 1,
        "The entity windows are 7 days long (as_of_ts - INTERVAL '7 days' < event_ts): an event "
        "6.5 days before as_of_ts still counts for its user and its item",
        control=far_end_settled(remove_outside=False),
        control_note="with the events near the window's start moved to its middle"),
    features_check("retries_deduplicated", RETRIES, 1,
        "Retried events (same event_id) count once, and distinct events in the same second (each its own "
        "event_id) each count: deduplicate on event_id, not on what an event says, before any aggregate",
        control=without_retries_twins_apart,
        control_note="with the retried copies removed and two clicks of one second a second apart"),
    features_check("ctr_is_double", THIRDS, 1,
        "Each ratio is its row's clicks / impressions as a DOUBLE, NULL when impressions are 0: "
        "clicks::DOUBLE / NULLIF(impressions, 0); FLOAT is 4 bytes in DuckDB, // is integer division, and "
        "round() or a percentage changes the value", aspect=ratios_of_own_counts),
    features_check("reads_as_of_parameter", OTHER_DAY, 1,
        "Read the as-of time with getvariable('as_of_ts') everywhere instead of writing a date into "
        "the query: with another as-of time the result must move with it",
        control=moved_to(SAMPLE_AS_OF), control_note="on the same tables moved to as_of_ts = 2025-12-04 23:59:59",
        # its concern is only whether the result moves with the variable: a row the answer misses
        # on both days (a user who signed up inside the window dropped) is another check's finding
        own_rows=True),
]


# What earns a written answer's points, for the person scoring (`grader manual export`).
# Kept here, out of the student bundle: a rubric says the answer.
RUBRICS = {
    "why_entity_first": "1: the join needs one row per user and per item (joining events first multiplies rows and inflates counts). +1: each entity's window is scanned once, not once per pair, or derived ratios need both sides' totals. 0: restates the order without a reason.",
}
