"""Which interleavings of two runs of one backfill script the concurrency check tries: shapes that
put two runs' steps side by side, chosen deterministically, without ones DuckDB cannot tell apart."""

from __future__ import annotations

import itertools
import math

from grader.course.harness.workspace import MAX_SCHEDULES
from grader.engine.statements import transaction_word

_READS = ("SELECT", "WITH", "FROM", "VALUES", "TABLE", "DESCRIBE", "SHOW", "SUMMARIZE", "EXPLAIN")


def interleavings(n_a: int, n_b: int, points: list[int] | None = None) -> list[str]:
    """Candidate schedules of two jobs' statements ("ABAB..." = whose statement runs next), in the
    order they are worth trying: every interleaving when there are few; otherwise lockstep, then
    at each statement boundary i (`points` first): one job run whole inside the other after its
    i-th statement, and both jobs' first i statements before either goes on (two runs that both
    staged their rows before either wrote them). Never enumerates all C(n_a + n_b, n_a)
    schedules: two 14-statement jobs have 40 million."""
    total = n_a + n_b
    if math.comb(total, n_a) <= MAX_SCHEDULES:
        return ["".join("A" if i in pos else "B" for i in range(total))
                for pos in itertools.combinations(range(total), n_a)]

    def lockstep(first: str, second: str, n1: int, n2: int) -> str:
        return "".join(first + second for _ in range(min(n1, n2))) + first * (n1 - n2) + second * (n2 - n1)

    def inside(first: str, second: str, n1: int, n2: int, i: int) -> str:
        return first * i + second * n2 + first * (n1 - i)  # all of `second` after `first`'s i-th statement

    def side_by_side(first: str, second: str, n1: int, n2: int, i: int) -> str:
        return first * i + second * i + first * (n1 - i) + second * (n2 - i)  # both reach step i, then in turn

    chosen = [lockstep("A", "B", n_a, n_b), lockstep("B", "A", n_b, n_a)]
    order = [i for i in dict.fromkeys((points or []) + list(range(1, max(n_a, n_b)))) if 0 < i < max(n_a, n_b)]
    for i in order:  # boundary by boundary: A around B, B around A, then side by side both ways
        if len(chosen) >= 4 * MAX_SCHEDULES:
            break
        if i < n_a:
            chosen.append(inside("A", "B", n_a, n_b, i))
        if i < n_b:
            chosen.append(inside("B", "A", n_b, n_a, i))
        if i < min(n_a, n_b):
            chosen += [side_by_side("A", "B", n_a, n_b, i), side_by_side("B", "A", n_b, n_a, i)]
    return list(dict.fromkeys(chosen))[:4 * MAX_SCHEDULES]


def boundaries(statements: list[str]) -> list[int]:
    """Statement boundaries worth interleaving at, the edges of a transaction first (just before a
    BEGIN, just after a COMMIT: where one run's staged or committed work meets the other's), then
    every other one before or after a statement that is not a plain read."""
    words = [transaction_word(st) for st in statements]
    edges = [i - 1 if w == "BEGIN" else i for i, w in enumerate(words, 1) if w]
    acts = [i for i, st in enumerate(statements, 1) if (st.split(None, 1) or [""])[0].upper() not in _READS]
    rest = sorted({b for i in acts for b in (i - 1, i)})
    return [b for b in dict.fromkeys(edges + rest) if 0 < b < len(statements)]


def begins_deferred(schedule: str, statements: list[str]) -> str:
    """The schedule with each job's BEGIN moved to just before that job's next statement. DuckDB
    starts a transaction's snapshot at its first statement, not at BEGIN (tests/test_schedules.py
    holds it), so the two schedules end the same: one of them is enough."""
    opens = {i for i, st in enumerate(statements) if transaction_word(st) == "BEGIN"}
    out, held, pos = [], {"A": 0, "B": 0}, {"A": 0, "B": 0}
    for label in schedule:
        i = pos[label]
        pos[label] += 1
        if i in opens:
            held[label] += 1  # runs with this job's next statement
            continue
        out.append(label * (held[label] + 1))
        held[label] = 0
    return "".join(out) + "".join(label * n for label, n in held.items())


def _serial(schedule: str) -> bool:
    return schedule.count("AB") + schedule.count("BA") <= 1  # one run, then the other


def schedules_for(statements: list[str]) -> list[str]:
    """The interleavings the concurrency check runs for two runs of `statements`: the candidates
    in order, each with its BEGINs deferred, those DuckDB cannot tell apart kept once, and those
    that come down to one run after the other left out (the checks in sequence judge those), up
    to MAX_SCHEDULES. A script that cannot interleave (one statement, or a BEGIN and one) has
    only the two orders, which are run."""
    n = len(statements)
    deferred = list(dict.fromkeys(begins_deferred(s, statements) for s in interleavings(n, n, boundaries(statements))))
    return [s for s in deferred if not _serial(s)][:MAX_SCHEDULES] or deferred
