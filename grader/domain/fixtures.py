"""Event rows the exercises' hidden fixtures share. Retried events are the course's one trap of
delivery: a producer that sends an event again sends an exact copy, same event_id, and it counts
once. One builder for those rows, so a change to what a retry looks like is made once."""

from __future__ import annotations

from datetime import datetime, timedelta


def copies(event: tuple, times: int) -> list[tuple]:
    """`event` as delivered `times` times: exact copies, same event_id."""
    return [event] * times


def retried_events(first: datetime, second: datetime, burst: datetime) -> list[tuple]:
    """The retried-events rows of Exercises 6, 8 and 12 (events columns: event_id, user_id,
    item_id, event_ts, event_type). User 1, item 10: a click sent twice at `first`, a view sent
    three times at `second`. User 2, item 10: a click an hour before `burst`, then at `burst` a
    click sent twice and a third click in the same second with an event_id of its own (a real
    event: deduplicating on the timestamp instead of event_id loses it)."""
    return [
        *copies((1, 1, 10, first, "click"), 2),
        *copies((2, 1, 10, second, "view"), 3),
        (3, 2, 10, burst - timedelta(hours=1), "click"),
        *copies((4, 2, 10, burst, "click"), 2),
        (5, 2, 10, burst, "click"),
    ]
