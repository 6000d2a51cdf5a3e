"""The course's feature definition, as plain Python: the oracle every check compares against.

For an as-of timestamp T an event counts when T - 7 days < event_ts <= T; events are first
deduplicated on event_id (retries send exact copies); clicks_7d / views_7d count 'click' /
'view'; impressions_7d counts every type; ctr_7d = clicks / impressions as a double, None when
impressions are 0; the grid is the (user, item) pairs with at least one event in the window.

Written without SQL on purpose: a SQL reference would share a SQL answer's blind spots.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Iterable

WINDOW = timedelta(days=7)
DAY = timedelta(days=1)

# Columns of the events tuples (see course.TABLES["events"]).
EVENT_ID, USER_ID, ITEM_ID, EVENT_TS, EVENT_TYPE = range(5)


def dedup(events: Iterable[tuple]) -> list[tuple]:
    """One row per event_id: the first copy of each retried event."""
    seen: set = set()
    out = []
    for e in events:
        if e[EVENT_ID] in seen:
            continue
        seen.add(e[EVENT_ID])
        out.append(e)
    return out


def in_window(event_ts: datetime, as_of: datetime, window: timedelta = WINDOW) -> bool:
    return as_of - window < event_ts <= as_of


def ctr(clicks: int, impressions: int) -> float | None:
    return None if impressions == 0 else clicks / impressions


def feature_rows(events: Iterable[tuple], as_of_list: Iterable[datetime]) -> list[tuple]:
    """(user_id, item_id, as_of_ts, clicks_7d, views_7d, impressions_7d, ctr_7d), sorted."""
    unique = dedup(events)
    out = []
    for as_of in sorted(set(as_of_list)):
        counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
        for e in unique:
            if in_window(e[EVENT_TS], as_of):
                c = counts[(e[USER_ID], e[ITEM_ID])]
                c[0] += e[EVENT_TYPE] == "click"
                c[1] += e[EVENT_TYPE] == "view"
                c[2] += 1
        for (user, item), (clicks, views, impressions) in sorted(counts.items()):
            out.append((user, item, as_of, clicks, views, impressions, ctr(clicks, impressions)))
    return out


def grid(events: Iterable[tuple], as_of: datetime) -> list[tuple]:
    """The observed (user_id, item_id) pairs for one as-of timestamp, sorted."""
    return sorted({(e[USER_ID], e[ITEM_ID]) for e in events if in_window(e[EVENT_TS], as_of)})


def day_end(day: date) -> datetime:
    """The course's as-of convention: a day is represented by its 23:59:59."""
    return datetime.combine(day, time(23, 59, 59))


def is_day_end(value) -> bool:
    """Whether `value` is a timestamp at a day's 23:59:59, the course's as-of time for a day."""
    return isinstance(value, datetime) and value == day_end(value.date())


def as_of_range(start_ts: datetime, end_ts: datetime) -> list[datetime]:
    """Every daily as-of timestamp from start_ts to end_ts, both inclusive."""
    out, t = [], start_ts
    while t <= end_ts:
        out.append(t)
        t += DAY
    return out


def next_as_of(last_as_of_ts: datetime) -> datetime:
    """An incremental run computes the day after the watermark, and only that day."""
    return last_as_of_ts + DAY
