"""Compare a learner's result with the expected one: by column name, in any row order unless
asked, numbers within a tolerance, and NaN kept apart from NULL."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

REL_TOL = 1e-9
ABS_TOL = 1e-12


def _norm(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


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
    return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))


def _sort_key(row: tuple) -> tuple:
    # None and NaN sort first; mixed types sort by type name so sorting never raises.
    out = []
    for v in row:
        v = _norm(v)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append((0, "", 0))
        elif isinstance(v, (int, float)):
            out.append((1, "number", v))
        else:
            out.append((2, type(v).__name__, v))
    return tuple(out)


@dataclass
class Diff:
    columns: list[str]
    missing_columns: list[str] = field(default_factory=list)
    missing: list[tuple] = field(default_factory=list)  # expected, not returned
    unexpected: list[tuple] = field(default_factory=list)  # returned, not expected
    changed: list[tuple[tuple, tuple]] = field(default_factory=list)  # (expected, got), same key
    duplicated: list[tuple] = field(default_factory=list)  # returned more than once per key
    order_wrong: bool = False

    @property
    def equal(self) -> bool:
        return not (
            self.missing_columns or self.missing or self.unexpected or self.changed
            or self.duplicated or self.order_wrong
        )

    def summary(self) -> str:
        if self.missing_columns:
            return "missing column(s): " + ", ".join(self.missing_columns)
        parts = []
        if self.duplicated:
            parts.append(f"{len(self.duplicated)} key(s) returned more than once")
        if self.missing:
            parts.append(f"{len(self.missing)} expected row(s) missing")
        if self.unexpected:
            parts.append(f"{len(self.unexpected)} row(s) that should not be there")
        if self.changed:
            cols = sorted(
                {self.columns[i] for e, g in self.changed for i in range(len(e)) if not values_equal(e[i], g[i])}
            )
            parts.append(f"{len(self.changed)} row(s) with wrong values in {', '.join(cols)}")
        if self.order_wrong:
            parts.append("rows in the wrong order")
        return "; ".join(parts) or "results match"


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
    d = Diff(columns=list(columns), missing_columns=missing_cols)
    if missing_cols:
        return d
    if ordered:
        if len(expected) == len(got) and all(rows_equal(e, g) for e, g in zip(expected, got)):
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
    # No key: compare as multisets, pairing rows that are equal within tolerance.
    remaining = sorted(got, key=_sort_key)
    for e in sorted(expected, key=_sort_key):
        for i, g in enumerate(remaining):
            if rows_equal(e, g):
                del remaining[i]
                break
        else:
            d.missing.append(e)
    d.unexpected = remaining
    return d


def count_duplicates(rows: list[tuple]) -> list[tuple]:
    """Rows that occur more than once, once each."""
    return [r for r, n in Counter(rows).items() if n > 1]
