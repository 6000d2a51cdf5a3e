"""Compare a learner's result with the expected one: by column name, in any row order unless
asked, numbers within a tolerance, and NaN kept apart from NULL."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

REL_TOL = 1e-9
ABS_TOL = 1e-12


# Types _norm leaves as they are: the common case, answered without the isinstance chain
# (a class's grading normalises millions of values).
_PLAIN = frozenset({int, float, str, bool, datetime, type(None)})


def _norm(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
    if isinstance(value, (list, tuple, dict)):
        return _frozen(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def _frozen(value: Any) -> tuple:
    """A LIST, STRUCT or MAP value as a hashable tuple: an answer may return one in a key column
    (a wrong type to report, never a reason for the comparison itself to fail)."""
    if isinstance(value, dict):
        return ("<nested>",) + tuple(sorted((repr(k), _norm(v)) for k, v in value.items()))
    return ("<nested>",) + tuple(_norm(v) for v in value)


def values_equal(a: Any, b: Any) -> bool:
    a, b = _norm(a), _norm(b)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, float) and math.isnan(a) or isinstance(b, float) and math.isnan(b):
            return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return a == b


def rows_equal(a: tuple, b: tuple) -> bool:
    # equal by == is equal within tolerance (NaN is never == itself, so it takes the long way)
    return a == b or (len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b)))


def _sort_key(row: tuple) -> tuple:
    # None and NaN sort first; mixed types sort by type name so sorting never raises.
    out = []
    for v in row:
        v = _norm(v)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append((0, "", 0))
        elif isinstance(v, (int, float)):
            out.append((1, "number", v))
        elif isinstance(v, tuple):  # a nested value: ordered by its text, never compared item by item
            out.append((3, "nested", repr(v)))
        else:
            out.append((2, type(v).__name__, v))
    return tuple(out)


def kind(value: Any) -> str | None:
    """The SQL-ish kind of a value, to name a wrong column type (None for NULL)."""
    if type(value) is datetime and value.tzinfo is not None:  # the one kind a type alone does not tell
        return "TIMESTAMP WITH TIME ZONE"
    try:
        return _KINDS[type(value)]
    except KeyError:
        return _KINDS.setdefault(type(value), _kind(value))


_KINDS: dict[type, str | None] = {}  # a value's kind depends on its type alone (but for a timestamp's zone)


def _kind(value: Any) -> str | None:
    if isinstance(value, (list, tuple)):
        return "a LIST"
    if isinstance(value, dict):
        return "a STRUCT or MAP"
    # A DATE prints like the TIMESTAMP a column may want and compares as its midnight: named
    # apart (as a zone is, in kind()), so a cast as_of_ts reads as a type, not as lost rows.
    if isinstance(value, date) and not isinstance(value, datetime):
        return "DATE"
    value = _norm(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, datetime):
        return "TIMESTAMP"
    if isinstance(value, str):
        return "VARCHAR (text)"
    return type(value).__name__


def value_text(value: Any) -> str:
    """A value as a person reads it, with every digit a double holds (0.3333333333333333 and
    0.3333333432674408 must not both print as 0.333333)."""
    if value is None:
        return "NULL"
    if isinstance(value, float):
        if value != value:
            return "NaN"
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, str):
        return repr(value)
    return str(value)


@dataclass
class Diff:
    columns: list[str]
    missing_columns: list[str] = field(default_factory=list)
    missing: list[tuple] = field(default_factory=list)  # expected, not returned
    unexpected: list[tuple] = field(default_factory=list)  # returned, not expected
    changed: list[tuple[tuple, tuple]] = field(default_factory=list)  # (expected, got), same key
    duplicated: list[tuple] = field(default_factory=list)  # returned more than once per key
    order_wrong: bool = False
    wrong_types: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (expected kind, got kind)
    got: list[tuple] = field(default_factory=list)  # the learner's rows over `columns`
    key: list[str] | None = None
    returned_none: bool = False  # none of the expected rows came back (set by the check)
    computed_none: bool = False  # the expected keys came back, no value right but 0 or NULL (set by the check)
    # none came back here, but the answer's own result on the check's control (the trap taken
    # out) had rows: the trap is what emptied it (set by the check)
    control_rows: bool = False

    @property
    def equal(self) -> bool:
        return not (
            self.missing_columns or self.missing or self.unexpected or self.changed
            or self.duplicated or self.order_wrong
        )

    def changed_columns(self) -> list[str]:
        return [c for i, c in enumerate(self.columns)
                if any(not values_equal(e[i], g[i]) for e, g in self.changed)]

    def summary(self) -> str:
        """What was found, in words: wrong types first (they explain rows that look alike but
        do not match), then duplicated keys, missing and extra rows, and wrong values by column
        with the first example printed to every digit."""
        if self.missing_columns:
            return "missing column(s): " + ", ".join(self.missing_columns)
        parts = []
        if self.computed_none:
            parts.append(f"none of the {len(self.changed) + len(self.missing)} expected row(s) came back with "
                         "a value right other than 0 or NULL")
        elif self.returned_none:
            parts.append(f"none of the {len(self.missing)} expected row(s) came back"
                         + (f" ({len(self.got)} other row(s) did)" if self.got else " (no rows at all)"))
        for col, (want, got) in self.wrong_types.items():
            parts.append(f"{col} is {got} in your result, expected {want} (rows that print alike do not match)")
        if self.duplicated:
            keys = len({self._key(r) for r in self.duplicated})
            parts.append(f"{keys} key(s) returned more than once ({len(self.duplicated)} rows)")
        if self.missing and (self.computed_none or not self.returned_none):
            parts.append(f"{len(self.missing)} expected row(s) missing")
        if self.unexpected:
            parts.append(f"{len(self.unexpected)} row(s) that should not be there")
        if self.changed:
            examples = []
            for col in self.changed_columns():
                i = self.columns.index(col)
                e, g = next((e, g) for e, g in self.changed if not values_equal(e[i], g[i]))
                examples.append(f"{col} (e.g. expected {value_text(e[i])}, got {value_text(g[i])})")
            parts.append(f"{len(self.changed)} row(s) with wrong values in " + ", ".join(examples))
        if self.order_wrong:
            parts.append("rows in the wrong order")
        return "; ".join(parts) or "results match"

    def wrong_keys(self) -> set[tuple]:
        """The keys of every row found wrong: missing, returned but not expected, changed, duplicated."""
        return {self._key(r) for r in self.missing + self.unexpected + [e for e, _ in self.changed] + self.duplicated}

    def on_keys(self, keys: set[tuple]) -> "Diff":
        """Only the rows whose key is in `keys`: a counterexample cut from a fixture is judged on the
        keys wrong on the whole fixture (removing an event can make a row of another pair wrong, one
        the answer gets right on the whole fixture, and such a row is not the mistake shown)."""
        narrowed = self.where(lambda r: self._key(r) in keys)
        # what the check set on this difference (nothing came back, the control's rows) stays said
        narrowed.computed_none, narrowed.control_rows = self.computed_none, self.control_rows
        return narrowed

    def _key(self, row: tuple) -> tuple:
        pos = [self.columns.index(k) for k in self.key] if self.key else range(len(row))
        return tuple(_norm(row[p]) for p in pos)

    # The part of a difference one check judges (see checks.ResultCheck.aspect).

    def only(self, missing: bool = True, unexpected: bool = True, changed: bool = True,
             duplicated: bool = True, columns: list[str] | None = None) -> "Diff":
        """This difference narrowed to some of its kinds; `columns` keeps only the changed rows
        whose named columns differ. Wrong types and missing columns are always kept."""
        keep = [e_g for e_g in self.changed if changed]
        if columns is not None:
            pos = [self.columns.index(c) for c in columns]
            keep = [(e, g) for e, g in keep if any(not values_equal(e[p], g[p]) for p in pos)]
        return Diff(
            self.columns, self.missing_columns, self.missing if missing else [],
            self.unexpected if unexpected else [], keep, self.duplicated if duplicated else [],
            self.order_wrong, self.wrong_types, self.got, self.key, self.returned_none,
        )

    def where(self, keep: "Callable[[tuple], bool]") -> "Diff":
        """Only the rows (expected side for changed rows) for which `keep` holds."""
        return Diff(
            self.columns, self.missing_columns, [r for r in self.missing if keep(r)],
            [r for r in self.unexpected if keep(r)], [(e, g) for e, g in self.changed if keep(e)],
            [r for r in self.duplicated if keep(r)], self.order_wrong, self.wrong_types, self.got, self.key,
            self.returned_none,
        )


def project(columns: list[str], rows: list[tuple], wanted: list[str]) -> tuple[list[tuple], list[str]]:
    """Keep `wanted` columns (matched case-insensitively) in that order; name the missing ones."""
    index = {c.lower(): i for i, c in enumerate(columns)}
    missing = [w for w in wanted if w.lower() not in index]
    if missing:
        return [], missing
    pos = [index[w.lower()] for w in wanted]
    return [tuple(r[p] for p in pos) for r in rows], []


def diff(
    expected: list[tuple],
    got_columns: list[str],
    got_rows: list[tuple],
    columns: list[str],
    key: list[str] | None = None,
    ordered: bool = False,
) -> Diff:
    """How `got` differs from `expected` (rows over `columns`). With a key, rows pair up by key."""
    got, missing_cols = project(got_columns, got_rows, columns)
    d = Diff(columns=list(columns), missing_columns=missing_cols, got=got, key=key)
    if missing_cols:
        return d
    d.wrong_types = wrong_types(expected, got, columns)
    if ordered:
        if expected == got or (len(expected) == len(got) and all(rows_equal(e, g) for e, g in zip(expected, got))):
            return d
        same_rows = diff(expected, columns, got, columns, key, ordered=False)
        if same_rows.equal:
            d.order_wrong = True
            return d
        return same_rows
    if key:
        kpos = [columns.index(k) for k in key]

        def k(row):
            return tuple(_norm(row[p]) for p in kpos)

        got_by_key: dict = defaultdict(list)
        for r in got:
            got_by_key[k(r)].append(r)
        exp_keys = set()
        for e in expected:
            exp_keys.add(k(e))
            rows = got_by_key.get(k(e), [])
            if not rows:
                d.missing.append(e)
            elif not rows_equal(e, rows[0]):
                d.changed.append((e, rows[0]))
        for kk, rows in got_by_key.items():
            if len(rows) > 1:
                d.duplicated.extend(rows)
            elif kk not in exp_keys:
                d.unexpected.extend(rows)
        return d
    # No key: compare as multisets, pairing rows that are equal within tolerance. Rows equal
    # by == are equal within tolerance too, so the same multiset by == is no difference (the
    # common case, e.g. a day's rows left alone, costs no pairing).
    if _same_multiset(expected, got):
        return d
    remaining = sorted(got, key=_sort_key)
    for e in sorted(expected, key=_sort_key):
        for i, g in enumerate(remaining):
            if rows_equal(e, g):
                del remaining[i]
                break
        else:
            d.missing.append(e)
    d.unexpected = remaining
    if len(expected) == 1 and len(got) == 1 and d.missing and d.unexpected:
        # one row expected, one returned: its values are wrong (say which), not "missing + extra"
        d.changed, d.missing, d.unexpected = [(d.missing[0], d.unexpected[0])], [], []
    return d


def _same_multiset(a: list[tuple], b: list[tuple]) -> bool:
    if len(a) != len(b):
        return False
    try:
        return Counter(a) == Counter(b)
    except TypeError:  # an unhashable value: compared the long way
        return False


def wrong_types(expected: list[tuple], got: list[tuple], columns: list[str]) -> dict[str, tuple[str, str]]:
    """Columns whose values are of another kind than expected (text for a timestamp, ...)."""
    out = {}
    for i, col in enumerate(columns):
        # one value of each type is enough: a value's kind depends on its type alone
        want = {kind(v) for v in {type(r[i]): r[i] for r in expected}.values()} - {None}
        have = {kind(v) for v in {type(r[i]): r[i] for r in got}.values()} - {None}
        if len(want) == 1 and have and want != have:
            out[col] = (next(iter(want)), ", ".join(sorted(have)))
    return out


def count_duplicates(rows: list[tuple]) -> list[tuple]:
    """Rows that occur more than once, once each."""
    return [r for r, n in Counter(rows).items() if n > 1]
