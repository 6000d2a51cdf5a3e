"""The controls (fixture variants) and aspects (parts of a difference) a ResultCheck is declared with."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from grader.engine import compare
from grader.domain import semantics
from grader.engine.checks.base import Aspect, Control, Fixture


def _events(fixture: Fixture, keep: Callable[[tuple], tuple | None]) -> Fixture:
    rows = [r for r in (keep(e) for e in fixture.dataset.rows("events")) if r is not None]
    return fixture.with_events(rows)


def _as_of(fixture: Fixture) -> datetime:
    return fixture.variables["as_of_ts"]


def without_future_events(fixture: Fixture) -> Fixture:
    """The events after the as-of time removed (users and items kept)."""
    t = _as_of(fixture)
    return _events(fixture, lambda e: e if e[semantics.EVENT_TS] <= t else None)


def without_events_older_than(window: timedelta) -> Control:
    """The events at or before the start of a `window` ending at the as-of time removed (users
    and items kept)."""

    def control(fixture: Fixture) -> Fixture:
        t = _as_of(fixture)
        return _events(fixture, lambda e: e if e[semantics.EVENT_TS] > t - window else None)

    return control


without_old_events = without_events_older_than(semantics.WINDOW)  # the course's 7 days


def without_retries(fixture: Fixture) -> Fixture:
    """Every retried copy removed: one row per event_id."""
    return fixture.with_events(semantics.dedup(fixture.dataset.rows("events")))


def without_retries_twins_apart(fixture: Fixture) -> Fixture:
    """Every retried copy removed, and distinct events that share their content (the same user,
    item, time and type, each with its own event_id) moved a second apart: an answer that
    deduplicates on event_id counts them alike both ways; one that deduplicates on the content
    counts them once here and twice there."""
    seen: set = set()
    out = []
    for e in semantics.dedup(fixture.dataset.rows("events")):
        content = tuple(e[1:])
        while content in seen:
            content = (content[0], content[1], content[2] + timedelta(seconds=1), content[3])
        seen.add(content)
        out.append((e[0], *content))
    return fixture.with_events(out)


EDGE = timedelta(seconds=1)


def edges_moved_around(as_ofs: "Callable[[Fixture], list[datetime]]", window: timedelta = semantics.WINDOW) -> Control:
    """Each event within a second of a `window`'s edge (for any of the as-of times) moved an hour
    or more away from every edge, to a time that is inside exactly the same windows: an answer
    that draws the edges right gives the same result; one that puts the edge on the wrong side
    (>= for >, < for <=, a day's date for its timestamp) does not. Leakage is not its concern:
    an event half a second after as_of_ts moves to an hour after it."""

    def control(fixture: Fixture) -> Fixture:
        times = as_ofs(fixture)
        edges = [t for a in times for t in (a, a - window)]

        def inside(ts: datetime) -> tuple:
            return tuple(semantics.in_window(ts, a, window) for a in times)

        def move(e: tuple) -> tuple:
            ts = e[semantics.EVENT_TS]
            if all(abs(ts - edge) > EDGE for edge in edges):
                return e
            for hours in (1, -1, 2, -2, 3, -3, 6, -6, 12, -12):
                moved = ts + timedelta(hours=hours)
                if inside(moved) == inside(ts) and all(abs(moved - edge) >= timedelta(minutes=59) for edge in edges):
                    return (*e[:semantics.EVENT_TS], moved, *e[semantics.EVENT_TS + 1:])
            return e

        return _events(fixture, move)

    return control


edges_moved = edges_moved_around(lambda fixture: [_as_of(fixture)])  # the course's 7 days


def far_end_settled(remove_outside: bool = True, window: timedelta = semantics.WINDOW) -> Control:
    """Each event within a day of the `window`'s far end (as_of_ts - window) settled: moved to
    the middle of the window when it is inside, removed when it is outside (if `remove_outside`).
    A window of the right length gives the same result; one a day too short or too long does
    not. For fixtures with no event within a second of an edge (window_edges' concern)."""

    def control(fixture: Fixture) -> Fixture:
        t = _as_of(fixture)
        start = t - window

        def settle(e: tuple) -> tuple | None:
            ts = e[semantics.EVENT_TS]
            if abs(ts - start) >= timedelta(days=1):
                return e
            if ts > start:
                return (*e[:semantics.EVENT_TS], t - window / 2, *e[semantics.EVENT_TS + 1:])
            return None if remove_outside else e

        return _events(fixture, settle)

    return control


def moved_to(as_of: datetime) -> Control:
    """The same data moved in time so the as-of time is `as_of`: every timestamp of events,
    users and items shifted alike. An answer that reads getvariable('as_of_ts') and uses it as
    given returns the same rows (its timestamps moved back); one that hard-codes a day does not."""

    def control(fixture: Fixture) -> Fixture:
        shift = as_of - _as_of(fixture)
        tables = {t: [tuple(v + shift if isinstance(v, datetime) else v for v in r) for r in fixture.dataset.rows(t)]
                  for t in ("events", "users", "items")}
        moved = fixture.with_tables(tables)
        return Fixture(moved.name, moved.dataset, {**fixture.variables, "as_of_ts": as_of}, moved.about_dimensions)

    return control


# Aspects: the part of a difference a check judges.

def only_columns(*columns: str) -> Aspect:
    """Wrong values in these columns (and missing rows); extra rows and other columns are other
    checks' concern."""
    return lambda d, fixture: d.only(unexpected=False, duplicated=False, columns=list(columns))


def keys_only(d: compare.Diff, fixture: Fixture) -> compare.Diff:
    """Which keys come back (missing, extra, duplicated); their values are other checks' concern."""
    return d.only(changed=False)


def duplicates_only(d: compare.Diff, fixture: Fixture) -> compare.Diff:
    """Keys returned more than once (an answer must still return the expected rows)."""
    return d.only(unexpected=False, changed=False)


def no_extra_rows(d: compare.Diff, fixture: Fixture) -> compare.Diff:
    """Everything but extra rows (the grid's concern)."""
    return d.only(unexpected=False)


def extra_rows_only(d: compare.Diff, fixture: Fixture) -> compare.Diff:
    """Rows that should not be there, and nothing else (an answer must still return rows)."""
    return d.only(missing=False, changed=False, duplicated=False)


def missing_rows_only(d: compare.Diff, fixture: Fixture) -> compare.Diff:
    """Expected rows that did not come back, and nothing else."""
    return d.only(unexpected=False, changed=False, duplicated=False)


def then(*aspects: Aspect) -> Aspect:
    def both(d: compare.Diff, fixture: Fixture) -> compare.Diff:
        for a in aspects:
            d = a(d, fixture)
        return d
    return both


def at_answered(column: str) -> Aspect:
    """Only the values of `column` (e.g. as_of_ts) that the answer returned at all: leaving out
    one of two as-of times is one mistake, judged by the check about the grid, not by all."""

    def aspect(d: compare.Diff, fixture: Fixture) -> compare.Diff:
        i = d.columns.index(column)
        answered = {compare._norm(g[i]) for g in d.got}
        return d.where(lambda r: compare._norm(r[i]) in answered)

    return aspect
