"""Wrong values that are a slip in counting by event type, said once for every exercise that
counts features (ex06's query, ex08's incremental job, ex12's backfill): their window, leakage and
retry checks leave such rows to the event-type check (all_types_in_impressions), so one slip
costs the check named for it.

Positions are those of (user_id, item_id, as_of_ts, clicks_7d, views_7d, impressions_7d, ...),
the order every one of those checks compares."""

from __future__ import annotations

from grader.engine.compare import Diff, values_equal

CLICKS, VIEWS, IMPRESSIONS = 3, 4, 5
OTHER_TYPE = {CLICKS: VIEWS, VIEWS: CLICKS}


def _wrong_type(i: int, expected: tuple, got: tuple) -> bool:
    """A count by type that counts the wrong events: every event (equal to the row's own
    impressions_7d: count() counts what is not NULL, so count(event_type = 'click') or
    count(CASE ... ELSE 0 END) counts every event), the other type (clicks_7d and views_7d swapped,
    or both counting views) or none (0: a type spelled otherwise than stored, 'Click')."""
    y = got[i]
    return i in OTHER_TYPE and (values_equal(y, got[IMPRESSIONS]) or values_equal(y, expected[OTHER_TYPE[i]]) or y == 0)


def type_count_slip(expected: tuple, got: tuple) -> bool:
    """Every value of `got` that differs from `expected` is a count by type gone wrong: a count of 0
    returned as NULL (sum(CASE ... THEN 1 END) without ELSE 0) or a type's count of the wrong events.
    impressions_7d must be right: a window, leakage or retry slip shows there, so such a row is
    never a type slip alone."""
    return all(values_equal(x, y) or (x == 0 and y is None) or _wrong_type(i, expected, got)
               for i, (x, y) in enumerate(zip(expected, got)))


def left_to_event_types(d: Diff) -> Diff:
    """`d` without the rows whose only wrong values are counts by event type, and without the rows
    missing where the course expects a count by type of 0 when the answer returns rows, none with
    such a 0 (or NULL): it drops the pairs lacking a type (one aggregate per type INNER JOINed,
    or HAVING clicks_7d > 0), the event-type check's finding (a pair without a click is still a
    row), not a window's, leakage's or retries'."""
    narrowed = d.only()
    narrowed.changed = [(e, g) for e, g in d.changed if not type_count_slip(e, g)]
    if d.got and not any(g[i] == 0 or g[i] is None for g in d.got for i in OTHER_TYPE):
        narrowed.missing = [e for e in d.missing if not any(e[i] == 0 for i in OTHER_TYPE)]
    return narrowed
