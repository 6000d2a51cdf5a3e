"""Pictures in the lessons: the course's window over this notebook's events (`timeline`), and
the days a backfill's schedules leave (`schedule_strips`). Both return an object a notebook
shows as inline SVG (text/html) and prints as one line of text; the same input gives the same
bytes, so stored outputs reproduce."""

from __future__ import annotations

from dataclasses import dataclass
from grader.pictures import daystrip, read
from grader.pictures import timeline as timeline_drawer


@dataclass
class Picture:
    svg: str | None
    summary: str

    def _repr_html_(self) -> str:
        if not self.svg:
            return f"<p>{_escape(self.summary)}</p>"
        return f'<div class="picture" style="max-width:900px">{self.svg}</div>'

    def __repr__(self) -> str:
        return self.summary


def _escape(s: str) -> str:
    from html import escape

    return escape(s)


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple, set)) else [value]


def timeline(con, as_of="2025-12-02 23:59:59", user_id=None, item_id=None) -> Picture:
    """The events of `con`'s events table (those of `user_id` / `item_id` when given: one id or
    a list) on a time axis, one lane per (user, item) pair, with the course's 7-day window
    `(as_of - 7 days, as_of]` shaded for each as-of time in `as_of` (one or a list of two)."""
    times = [t for t in map(read.timestamp, _as_list(as_of)) if t is not None]
    if not times:
        return Picture(None, f"timeline: no as-of time could be read from {as_of!r}")
    where, params = [], []
    for column, ids in (("user_id", _as_list(user_id)), ("item_id", _as_list(item_id))):
        if ids:
            where.append(f"{column} IN ({', '.join('?' for _ in ids)})")
            params += ids
    sql = ("SELECT event_id, user_id, item_id, event_ts, event_type FROM events"
           + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY user_id, item_id, event_ts, event_id")
    rows = con.execute(sql, params).fetchall()
    events, skipped = read.events_of(list(read.EVENT_COLUMNS), [list(r) for r in rows])
    svg = timeline_drawer.draw(events, times, None, skipped,
                               title="The course's 7-day window over the events")
    pairs = len({(e.user, e.item) for e in events})
    when = " and ".join(f"{t:%Y-%m-%d %H:%M:%S}" for t in times)
    return Picture(svg, f"timeline: {len(events)} event(s) of {pairs} (user, item) pair(s), as of {when}")


def schedule_strips(name_or_sql: str = "ex12b") -> Picture:
    """Exercise 12's sequences of backfills (A then B, B then A, A twice) run with a backfill
    script (a saved snippet's name, or SQL), as a day strip: the days each one left."""
    import re

    from grader.course.exercises import ex12
    from grader.course.harness import BackfillCheck, schedules_strip_table
    from grader.kernel.saved import snippet
    from grader.engine.placeholder import UNANSWERED
    from grader.engine.sandbox import SandboxError

    sql = snippet(name_or_sql)
    if re.fullmatch(r"\s*ex\d+\w*\s*", sql):  # a snippet's name that is not saved yet
        return Picture(None, f"No saved `{sql.strip()}` snippet yet: run your `%%sql --save {sql.strip()}` cell first.")
    if UNANSWERED in sql:
        return Picture(None, f"`{name_or_sql}` still holds the placeholder: write your backfill script first.")
    try:
        table = schedules_strip_table(sql, [c for c in ex12.EXERCISE.checks if isinstance(c, BackfillCheck)])
    except SandboxError as exc:
        return Picture(None, f"The backfill could not be run: {exc}")
    if table is None:
        return Picture(None, "no sequence of backfills to draw")
    svg = daystrip.draw(table.picture, title="The days each schedule of backfills left")
    left = [f"{r[0]}: {r[1]}" for r in table.rows if not str(r[0]).startswith("backfill ")]
    return Picture(svg, "days each schedule left: " + "; ".join(left))


__all__ = ["Picture", "schedule_strips", "timeline"]
