"""The declaration format of an exercise's matrix (exNN/matrix.py, beside its checks): the
answers a student might hand in, wrong and right, and what grading must make of them.

    MATRIX = {name: wrong("ex06", {"window_edges"}, sql_cell("ex06", "SELECT ..."))}  # fails exactly these
    CORRECT = {name: "SELECT ..."}  # other right formulations of the SQL answer: full marks

The tests grade every entry (tests/test_matrix.py). A matrix never ships to students: its wrong
answers name the hidden checks they fail (grader/authoring/release.py leaves matrix.py out)."""

from __future__ import annotations

from typing import NamedTuple


class Wrong(NamedTuple):
    """A wrong answer: the cells a student would hand in (every answer the exercise reads, the
    other ones right) and the exact set of checks it must fail (fail, error or timeout)."""

    exercise: str
    cells: tuple[str, ...]
    fails: frozenset[str]


def wrong(exercise_id: str, fails, *cells: str) -> Wrong:
    return Wrong(exercise_id, tuple(cells), frozenset([fails] if isinstance(fails, str) else fails))


def sql_cell(name: str, sql: str) -> str:
    """An answer cell as a student writes it: `%%sql --save NAME` and the SQL."""
    return f"%%sql --save {name}\n{sql}"
