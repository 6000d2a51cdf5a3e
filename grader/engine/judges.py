"""Judges of structured answers: small, named, reusable; and the one reading of what learners
write for lists, numbers, timestamps and days.

A judge takes the value a learner wrote and returns (ok, message). When the value is not in a
form the judge can read (text where a number belongs, an unknown option, a day it cannot parse),
it raises `Unreadable` with a message that says exactly what form to write: the check then
reports it once for the answer (see checks.ValueCheck), not on every check that reads it.

Days: ONE reading everywhere. A bare day ('2025-12-03', '2025/12/3', "DATE '2025-12-03'",
'Dec 3, 2025') names the as-of day, which the course represents by its 23:59:59; a timestamp
with a time is read as written ('2025-12-03 00:00:00' is midnight, not the as-of day)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Callable

from grader.domain import semantics

Judge = Callable[[Any], "tuple[bool, str]"]


class Unreadable(ValueError):
    """The value is not in a form the judge reads; the message names the form to use."""


# ---------- lists: a Python list, or one string of items ----------

def split_items(value: Any, separators: str = r"[,;\n]") -> list | None:
    """A list/tuple/set as a list; a string split on `separators` (empty items dropped);
    None for anything else."""
    if isinstance(value, str):
        return [p for p in re.split(separators, value) if p.strip()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return None


def words_key(text: str) -> str:
    """'User Features' / 'user-features' / ' `user_features` ' -> 'user_features'."""
    text = text.strip().strip("`'\"[](){}.").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


# ---------- numbers ----------

def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def number_form(what: str, value: Any, unit: str = "") -> str:
    """What to write instead of a value that is not a number."""
    unit_note = f" in {unit}" if unit else ""
    if isinstance(value, str):
        return (f"{what} should be a number{unit_note}, written without quotes or units (arithmetic is fine, "
                f"e.g. 3 * 4e6 / 1e9); got the text {value!r}")
    return f"{what} should be a number{unit_note}; got {value!r}"


def close_to(expected: float, rel: float = 0.01, diagnoses: dict[float, str] | None = None, unit: str = "") -> Judge:
    """A number within `rel` of `expected`; a known wrong factor (e.g. 1000 for MB vs GB) is named."""

    def judge(value: Any) -> tuple[bool, str]:
        if not is_number(value):
            raise Unreadable(number_form("the answer", value, unit))
        if abs(value - expected) <= rel * abs(expected):
            return True, ""
        for factor, message in (diagnoses or {}).items():
            if expected and abs(value - expected * factor) <= rel * abs(expected * factor):
                return False, f"{value:g} is off by a factor of {factor:g}: {message}"
        return False, f"{value:g}{' ' + unit if unit else ''} is not right; check each factor and the unit"

    return judge


def equals(expected: Any, normalise: Callable[[Any], Any] = lambda v: v, hint: str = "") -> Judge:
    def judge(value: Any) -> tuple[bool, str]:
        try:
            ok = normalise(value) == normalise(expected)
        except Exception:
            ok = False
        return ok, "" if ok else (hint or f"{value!r} is not right")

    return judge


def as_set(value: Any) -> frozenset:
    if isinstance(value, str):
        value = [value]
    return frozenset(str(v).strip().lower() for v in value)


# ---------- timestamps and days ----------

_TS_PREFIX = re.compile(r"^\s*(date|timestamp|datetime)\s*", re.I)
_ISO = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
)
_NAMED = ("%b %d %Y", "%B %d %Y", "%d %b %Y", "%d %B %Y")  # Dec 3 2025, 3 December 2025
_TIMES = ("%H:%M:%S", "%H:%M")  # ... 23:59:59 after a named day
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.I)  # December 3rd, 2025
# a zone after a time ('23:59:59+01:00', '23:59:59Z') or named ('... UTC'); not '03-12-2025'
_ZONE = re.compile(r"(?:\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[+-]\d{2}(?::?\d{2})?|Z)|\b(?:UTC|GMT))$", re.I)


# The same literal written as a cast: '2025-12-03 23:59:59'::TIMESTAMP, CAST('...' AS DATE)
_TS_TYPES = r"(?:date|timestamp|datetime)"
_CAST_SUFFIX = re.compile(rf"^(.*?)\s*::\s*{_TS_TYPES}\s*$", re.I | re.S)
_CAST_CALL = re.compile(rf"^\s*(?:try_)?cast\s*\((.*?)\s+as\s+{_TS_TYPES}\s*\)\s*$", re.I | re.S)


def _timestamp_text(value: Any) -> str | None:
    """The day or timestamp a value writes, without the SQL around it: the TIMESTAMP/DATE
    literal's keyword, a cast to one of those types, the quotes."""
    if not isinstance(value, str) or len(value) > 100:
        return None
    text = value.strip()
    cast = _CAST_CALL.match(text) or _CAST_SUFFIX.match(text)
    if cast:
        text = cast.group(1)
    text = _TS_PREFIX.sub("", text).strip().strip("'\"").strip()
    return text


def _read(value: Any) -> tuple[datetime, bool] | None:
    """(timestamp, written as a bare day) or None."""
    text = _timestamp_text(value)
    if text is None or _ZONE.search(text):
        return None  # a time zone would shift the day: not this table's convention
    m = _ISO.fullmatch(text)
    try:
        if m:
            y, mo, d, hh, mi, ss, frac = m.groups()
            if hh is None:
                return datetime(int(y), int(mo), int(d)), True
            micro = int((frac or "0").ljust(6, "0"))
            return datetime(int(y), int(mo), int(d), int(hh), int(mi), int(ss or 0), micro), False
        named = re.sub(r"[,\s]+", " ", _ORDINAL.sub("", text)).strip()
        for fmt in _NAMED:
            try:
                return datetime.strptime(named, fmt), True
            except ValueError:
                pass
            for at in _TIMES:
                try:
                    return datetime.strptime(named, f"{fmt} {at}"), False
                except ValueError:
                    pass
    except ValueError:  # 2025-13-40, 24:00
        return None
    return None


def parse_timestamp(value: Any) -> datetime | None:
    """The timestamp a learner wrote, exactly as written (a bare day is its midnight); None if
    unreadable or if it carries a time zone. For answers that name an as-of day use
    parse_as_of_day, which reads a bare day as the course does."""
    read = _read(value)
    return read[0] if read else None


def parse_as_of_day(value: Any) -> datetime | None:
    """An as-of day: a bare day names the day, which the course represents by its 23:59:59;
    a timestamp with a time is read as written."""
    read = _read(value)
    if read is None:
        return None
    ts, bare = read
    return semantics.day_end(ts.date()) if bare else ts


def day_form(value: Any) -> str:
    """What to write instead of a day the grader cannot read."""
    text = value.strip() if isinstance(value, str) else ""
    if not isinstance(value, str):
        hint = "as a string in quotes"
    elif _ZONE.search(text):
        hint = "without a time zone (the course's timestamps have none)"
    elif re.fullmatch(r"\d{1,2}[-/.]\d{1,2}", text):
        hint = "with its year"
    elif re.fullmatch(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{4}", text):
        hint = "year first (day-first and month-first dates are ambiguous)"
    elif _ISO.fullmatch(_timestamp_text(value) or ""):  # the form is right, a number is out of range
        hint = "as a real day and time (months 1-12, hours 00-23: the day's last second is 23:59:59)"
    else:
        hint = "in ISO form"
    return f"could not read {value!r} as a day: write it {hint}, like '2025-12-03' or '2025-12-03 23:59:59'"


def day_text(ts: datetime | None) -> str:
    """A timestamp for a verdict. A value within a day of the real clock is a job's now() or
    current_timestamp, not a day of the course's data: said as such, so the same answer gets the
    same words whenever it is graded."""
    if ts is None:
        return "NULL"
    if abs(ts.replace(tzinfo=None) - datetime.now()) < timedelta(days=1):
        return "the clock's time when the job ran (now(), not a day of the data)"
    return ts.strftime("%Y-%m-%d %H:%M:%S")


def _at_day_end(d) -> bool:
    return not isinstance(d, datetime) or semantics.is_day_end(d.replace(tzinfo=None))


def as_of_text(d: datetime) -> str:
    """One as-of day in full ('2025-12-03'), with its time when it is not the day's 23:59:59."""
    return d.strftime("%Y-%m-%d" if _at_day_end(d) else "%Y-%m-%d %H:%M:%S")


def days_text(days) -> str:
    """Days for a verdict, short ('12-03, 12-04'); with their years when the days shown span
    more than one ('2025-12-31, 2026-01-01': a year's end is not a step back), and with their
    times when one is not the day's 23:59:59, the course's as-of time ('12-03 00:00:00': a job
    that writes the day's midnight is not told it wrote the day it is told is missing)."""
    days = sorted(days)
    form = "%Y-%m-%d" if len({d.year for d in days}) > 1 else "%m-%d"
    if not all(_at_day_end(d) for d in days):
        form += " %H:%M:%S"
    return ", ".join(d.strftime(form) for d in days) if days else "none"


def day_judge(expected: datetime, wrong: dict[datetime, str] | None = None) -> Judge:
    """A judge for one as-of day; `wrong` names the mistake behind a known wrong day."""

    def judge(value: Any) -> tuple[bool, str]:
        ts = parse_as_of_day(value)
        if ts is None:
            raise Unreadable(day_form(value))
        if ts == expected:
            return True, ""
        if ts in (wrong or {}):
            return False, wrong[ts]
        if ts.date() == expected.date():
            return False, f"{day_text(ts)}: right day, but the course represents a day by its 23:59:59"
        if ts.time() == datetime.min.time() and ts.date() == expected.date() + semantics.DAY:
            return False, (f"{day_text(ts)} is the midnight that starts the next day; the course names the as-of day "
                           f"{expected:%Y-%m-%d} by its 23:59:59")
        return False, f"{day_text(ts)} is not the as-of day asked for"

    return judge


_RANGE = re.compile(r"\bto\b|\.\.|–|—|\buntil\b|\bthrough\b", re.I)


def parse_days(value: Any) -> list[datetime]:
    """Days written as a list of strings, or one string separated by commas, semicolons or
    'and'; each read by parse_as_of_day. Raises Unreadable naming every item it cannot read."""
    if isinstance(value, str) and _RANGE.search(value):
        raise Unreadable(
            f"could not read {value!r} as days: list each day, e.g. ['2025-12-01', '2025-12-02'] (a range "
            "does not say whether its ends are included)"
        )
    items = split_items(value, r"[,;\n]|\band\b")
    if items is None or not all(isinstance(v, str) for v in items):
        raise Unreadable("write the days as a list of strings, e.g. ['YYYY-MM-DD', ...]")
    days = [parse_as_of_day(v) for v in items]
    bad = [v for v, d in zip(items, days) if d is None]
    if bad:
        raise Unreadable("; ".join(day_form(v.strip()) for v in bad))
    return days  # type: ignore[return-value]


def days_judge(expected: list[datetime], hint: str = "") -> Judge:
    """A judge for a set of as-of days, in any order."""

    def judge(value: Any) -> tuple[bool, str]:
        days = parse_days(value)
        if {d.date() for d in days} == {d.date() for d in expected}:
            return True, ""
        return False, hint or f"{days_text(days)} is not the set of days asked for"

    return judge
