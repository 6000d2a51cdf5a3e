"""Hidden fixtures in a disguise drawn from a secret the instructor controls.

A hidden check's fixture can leak: learner SQL that raises `error()` with a table's text puts
rows into its own message, and a later submission could hold a lookup table keyed on those
rows instead of feature logic. So each grading run renames the identities in every hidden
fixture (user_id, item_id, event_id) by a bijection drawn from the run's secret. Counts,
timestamps, event types and the shape of each fixture stay exactly as written, so each fixture
still isolates the one mistake it was built for, and expected results (computed by the oracle
from the disguised tables) stay right; only the names change, so a replayed lookup misses.

The same secret gives the same disguise (reproducible counterexamples within a course); a new
secret per term or per run defeats replay. Public checks are never disguised: they run on the
workbook's own sample tables, which students have anyway."""

from __future__ import annotations

import dataclasses
import hashlib
import random
from typing import Any

from grader.domain.tables import TABLES, Dataset

IDENTITY_COLUMNS = ("user_id", "item_id", "event_id")
# New ids are drawn from a range far larger than any fixture, so a guess is hopeless, and small
# enough for the course's INT columns.
ID_RANGE = (1_000, 2_000_000_000)


def _rng(secret: str, *labels: str) -> random.Random:
    digest = hashlib.sha256("\x1f".join((secret, *labels)).encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def _bijection(ids: list[int], secret: str, column: str, fixture: str) -> dict[int, int]:
    """Distinct old ids -> distinct new ids, drawn per column and per fixture (`fixture` is a
    digest of its rows), so two fixtures written with the same small ids get different names."""
    rng = _rng(secret, column, fixture)
    new = rng.sample(range(*ID_RANGE), len(ids))
    return dict(zip(ids, new))


def disguise_dataset(dataset: Dataset, secret: str) -> Dataset:
    """The same tables with user_id, item_id and event_id renamed consistently across tables."""
    maps: dict[str, dict[int, int]] = {}
    fixture = hashlib.sha256(repr(sorted(dataset.tables.items())).encode()).hexdigest()
    for column in IDENTITY_COLUMNS:
        ids = set()
        for table, rows in dataset.tables.items():
            names = [c for c, _ in TABLES[table]]
            if column in names:
                i = names.index(column)
                ids.update(r[i] for r in rows if isinstance(r[i], int) and not isinstance(r[i], bool))
        maps[column] = _bijection(sorted(ids), secret, column, fixture)
    tables = {}
    for table, rows in dataset.tables.items():
        names = [c for c, _ in TABLES[table]]
        slots = [(i, maps[c]) for i, c in enumerate(names) if c in maps]
        out = []
        for r in rows:
            r = list(r)
            for i, mapping in slots:
                r[i] = mapping.get(r[i], r[i])
            out.append(tuple(r))
        tables[table] = out
    return Dataset(tables, dataset.unkeyed)


def _disguise_value(value: Any, secret: str, memo: dict[int, Any]) -> Any:
    """A Fixture or Scenario (any dataclass holding a `dataset`) with its dataset disguised;
    other values as they are. Memoised by identity so a fixture shared by checks stays shared."""
    if id(value) in memo:
        return memo[id(value)]
    out = value
    if isinstance(value, Dataset):
        out = disguise_dataset(value, secret)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = {f.name for f in dataclasses.fields(value)}
        if "dataset" in names and isinstance(getattr(value, "dataset"), Dataset):
            out = dataclasses.replace(value, dataset=_disguise_value(value.dataset, secret, memo))
    memo[id(value)] = out
    return out


def disguise_check(check: Any, secret: str, memo: dict[int, Any] | None = None) -> Any:
    """A copy of a check whose fixtures and scenarios are disguised (the check itself unchanged)."""
    memo = {} if memo is None else memo
    changes = {}
    for f in dataclasses.fields(check):
        value = getattr(check, f.name)
        new = _disguise_value(value, secret, memo)
        if new is not value:
            changes[f.name] = new
    return dataclasses.replace(check, **changes) if changes else check


def disguise_checks(checks: list, secret: str | None) -> list:
    """Every check disguised by `secret` (None: the checks as declared)."""
    if not secret:
        return list(checks)
    memo: dict[int, Any] = {}
    return [disguise_check(c, secret, memo) for c in checks]
