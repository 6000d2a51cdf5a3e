"""Reading a check's tables for a picture, never trusting them: any cell may be NULL, a string
where a timestamp was expected, a huge number, or text a student wrote. Every reader here
returns None (or skips the row) on what it cannot read, and never raises."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

MAX_EVENTS = 60  # a shrunk counterexample holds a handful; more is drawn as "N more not drawn"
MAX_TEXT = 24
EVENT_COLUMNS = ("event_id", "user_id", "item_id", "event_ts", "event_type")
COUNT_COLUMNS = ("clicks_7d", "views_7d", "impressions_7d")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def text(value: Any, limit: int = MAX_TEXT) -> str:
    """Any value as short, printable text that is valid inside XML (matplotlib escapes markup;
    control characters and lone surrogates, which XML cannot hold at all, are removed here)."""
    if value is None:
        return "NULL"
    try:
        s = value if isinstance(value, str) else str(value)
    except Exception:
        s = "?"
    s = _CONTROL.sub("?", s)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def timestamp(value: Any) -> datetime | None:
    """A timestamp from a cell: a datetime, a date, or ISO text (JSON and bounded results hold
    text); anything else is None. Time zones are dropped (the course's timestamps are naive)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str) and 8 <= len(value) <= 40:
        try:
            return datetime.fromisoformat(value.strip()).replace(tzinfo=None)
        except ValueError:
            return None
    to_py = getattr(value, "to_pydatetime", None)  # a pandas Timestamp
    if callable(to_py):
        try:
            got = to_py()
            return got.replace(tzinfo=None) if isinstance(got, datetime) else None
        except Exception:
            return None
    return None


def count(value: Any) -> int | None:
    """A count from a cell: a finite whole number not absurdly large, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < 10**12 else None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e12:
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,12}", value.strip()):
        return int(value)
    return None


def shift(t: datetime, delta: timedelta) -> datetime | None:
    try:
        return t + delta
    except OverflowError:
        return None


def key(value: Any) -> Any:
    """An id as a dictionary key: hashable, and 2 == 2.0 == "2" (JSON and bounded tables may
    carry ids as text)."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            if math.isfinite(value) and float(value).is_integer():
                return int(value)
        except (OverflowError, ValueError):
            pass
        return text(value, 60)
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip()):
        return int(value)
    return text(value, 60)


@dataclass
class Event:
    event_id: Any
    user: Any
    item: Any
    ts: datetime
    kind: str  # click, view, impression, other
    label: str  # the event_type as written (short, printable)


KINDS = ("click", "view", "impression")


def events_of(columns: list, rows: list) -> tuple[list[Event], int]:
    """The events of a table holding the events columns (by name, in any order), and how many
    rows could not be drawn (no readable timestamp, or past MAX_EVENTS)."""
    try:
        pos = [list(columns).index(c) for c in EVENT_COLUMNS]
    except (ValueError, TypeError):
        return [], 0
    out, skipped = [], 0
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, (list, tuple)) or len(row) <= max(pos):
            skipped += 1
            continue
        ts = timestamp(row[pos[3]])
        if ts is None or len(out) >= MAX_EVENTS:
            skipped += 1
            continue
        raw = row[pos[4]]
        kind = raw if isinstance(raw, str) and raw in KINDS else "other"
        out.append(Event(key(row[pos[0]]), key(row[pos[1]]), key(row[pos[2]]), ts, kind, text(raw, 16)))
    return out, skipped


@dataclass
class Counts:
    """One result row for a (user, item, as_of): the count columns it holds (None = unknown)."""

    values: dict[str, int | None] = field(default_factory=dict)


@dataclass
class Rows:
    """The answer's rows and the reference's rows the difference tables show, keyed by
    (user, item, as_of or None). `against_course`: the reference side is the course's
    definition (not the answer's own result on a control fixture), so a key absent from every
    difference table is one where the answer agreed with the course."""

    yours: dict[tuple, Counts] = field(default_factory=dict)
    yours_missing: set = field(default_factory=set)
    reference: dict[tuple, Counts] = field(default_factory=dict)
    as_of: list[datetime] = field(default_factory=list)
    against_course: bool = True
    value_columns: list[str] = field(default_factory=list)
    any_diff: bool = False


def result_rows(tables: list) -> Rows:
    """Read the difference tables (see engine.checks.base.diff_tables) of a check's tables."""
    out = Rows()
    for t in tables:
        caption = text(getattr(t, "caption", ""), 400)
        columns = list(getattr(t, "columns", []) or [])
        rows = getattr(t, "rows", []) or []
        if "user_id" not in columns or "item_id" not in columns or "before" in caption:
            continue
        role = ("pairs" if caption.startswith("wrong values") else "yours" if caption.startswith("returned")
                else "missing" if "missing" in caption else None)
        if role is None:
            continue
        out.any_diff = True
        if role == "missing" and not caption.startswith("expected"):
            out.against_course = False
        values = [c for c in COUNT_COLUMNS if c in columns]
        out.value_columns = values if len(values) > len(out.value_columns) else out.value_columns
        for row in rows[:200] if isinstance(rows, list) else []:
            if not isinstance(row, (list, tuple)) or len(row) != len(columns):
                continue
            cell = dict(zip(columns, row))
            as_of = timestamp(cell.get("as_of_ts")) if "as_of_ts" in columns else None
            if as_of is not None and as_of not in out.as_of:
                out.as_of.append(as_of)
            k = (key(cell["user_id"]), key(cell["item_id"]), as_of)
            counts = Counts({c: count(cell.get(c)) for c in values})
            side = role
            if role == "pairs":
                side = "yours" if row[0] == "got" else "reference"
                if side == "reference" and row[0] != "expected":
                    out.against_course = False
            if side == "yours":
                out.yours[k] = counts
            elif side == "missing":
                out.yours_missing.add(k)
                out.reference[k] = counts
            else:
                out.reference[k] = counts
    return out


def picture_data(tables: list, kind: str) -> dict | None:
    """The structured data a table carries for a picture (Table.picture), when of `kind`."""
    for t in tables:
        data = getattr(t, "picture", None)
        if isinstance(data, dict) and data.get("kind") == kind:
            return data
    return None
