"""Delta debugging (Zeller's ddmin) over a fixture's rows: the fewest rows on which a learner's
answer and the reference still disagree. Deterministic: same answer, same counterexample."""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

T = TypeVar("T")


def ddmin(items: Sequence[T], fails: Callable[[list[T]], bool], max_tests: int = 120) -> list[T]:
    """A 1-minimal subset of `items` for which `fails` still holds (or the smallest found
    within `max_tests` calls). `fails(list(items))` is assumed true."""
    current = list(items)
    tests = 0
    n = 2
    while len(current) >= 2:
        chunk = max(1, len(current) // n)
        subsets = [current[i : i + chunk] for i in range(0, len(current), chunk)]
        reduced = False
        for i, subset in enumerate(subsets):
            complement = [x for j, s in enumerate(subsets) if j != i for x in s]
            for candidate in (subset, complement):
                if tests >= max_tests:
                    return current
                tests += 1
                if candidate and len(candidate) < len(current) and fails(candidate):
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
    return current
