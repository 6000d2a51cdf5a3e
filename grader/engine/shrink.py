"""Delta debugging (Zeller's ddmin) over a fixture's rows: the fewest rows on which a learner's
answer and the reference still disagree. Deterministic: same answer, same counterexample."""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

T = TypeVar("T")


def ddmin(items: Sequence[T], fails: Callable[[list[T]], bool], max_tests: int = 120) -> list[T]:
    """A 1-minimal subset of `items` for which `fails` still holds (or the smallest found
    within `max_tests` calls). `fails(list(items))` is assumed true.

    A candidate already tried is not run again (ddmin meets the same subset as a subset and as
    a complement: with two chunks each is the other's complement, and a quarter of a class's
    shrinking steps were such repeats); it still counts towards `max_tests`, so the result is
    the one the plain algorithm gives."""
    current = list(range(len(items)))
    tests = 0
    n = 2
    seen: dict[tuple[int, ...], bool] = {}

    def try_(candidate: list[int]) -> bool:
        key = tuple(candidate)
        if key not in seen:
            seen[key] = fails([items[i] for i in candidate])
        return seen[key]

    while len(current) >= 2:
        chunk = max(1, len(current) // n)
        subsets = [current[i : i + chunk] for i in range(0, len(current), chunk)]
        reduced = False
        for i, subset in enumerate(subsets):
            complement = [x for j, s in enumerate(subsets) if j != i for x in s]
            for candidate in (subset, complement):
                if tests >= max_tests:
                    return [items[i] for i in current]
                tests += 1
                if candidate and len(candidate) < len(current) and try_(candidate):
                    current = candidate
                    n = 2 if candidate is subset else max(n - 1, 2)
                    reduced = True
                    break
            if reduced:
                break
        if not reduced:
            if n >= len(current):
                break
            n = min(len(current), n * 2)
    return [items[i] for i in current]


def ddmin_from(items: Sequence[T], fails: Callable[[list[T]], bool], starts: Sequence[Sequence[T]],
               max_tests: int = 120) -> list[T]:
    """ddmin started from the first of `starts` (subsets of `items`, smallest first) on which
    `fails` holds, else from all of `items`. A counterexample is usually the few rows of the one
    key that came out wrong: trying them first saves most of ddmin's halving (a class's shrinks
    took 11 runs each from ~28 rows). The result is 1-minimal all the same: no single item of
    it can go."""
    tried: list[list[T]] = []
    for start in map(list, starts):
        if start and len(start) < len(items) and start not in tried:
            tried.append(start)
            if fails(start):
                return ddmin(start, fails, max_tests)
    return ddmin(items, fails, max_tests)
