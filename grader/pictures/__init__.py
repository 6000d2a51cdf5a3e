"""Pictures of time and of a class: matplotlib drawn to inline SVG (see svg.py).

`picture_for(check)` is the one entry point for a check's result: a timeline when its tables
hold events and an as-of time (timeline.py), a day strip when they hold what a job's runs
wrote (daystrip.py), None otherwise. It never raises: a picture is an aid beside the table,
and odd data (NULLs, text where a timestamp was, huge values, markup) must never cost the
student the table and the message."""

from __future__ import annotations

from grader.pictures import daystrip, read, timeline
from grader.pictures.svg import COLOURS, figure, figure_svg

DRAWN_FOR = ("fail", "error")


def picture_for(check) -> str | None:
    """An inline `<svg>` for a failed or errored check whose tables hold events or job days."""
    try:
        if getattr(check, "status", None) not in DRAWN_FOR:
            return None
        tables = list(getattr(check, "tables", None) or [])
        if not tables:
            return None
        return daystrip.from_tables(tables) or timeline_from_tables(tables)
    except Exception:  # a picture is optional; the check's table and message stay whatever happens
        return None


def timeline_from_tables(tables: list) -> str | None:
    """The timeline of a check's counterexample: its events table, its as-of times (from the
    difference tables' as_of_ts, or the as_of_ts variable the check's answer read), and what the
    answer returned."""
    events, skipped = [], 0
    for t in tables:
        events, skipped = read.events_of(getattr(t, "columns", []), getattr(t, "rows", []))
        if events:
            break
    if not events:
        return None
    rows = read.result_rows(tables)
    times = list(rows.as_of)
    data = read.picture_data(tables, "events")
    for value in (data or {}).get("as_of", []) if isinstance((data or {}).get("as_of"), list) else []:
        t = read.timestamp(value)
        if t is not None and t not in times:
            times.append(t)
    return timeline.draw(events, times, rows, skipped)


__all__ = ["COLOURS", "figure", "figure_svg", "picture_for", "timeline_from_tables", "daystrip", "timeline"]
