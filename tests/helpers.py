"""Shared by the tests: grade SQL or literal answers without writing a notebook file."""

from __future__ import annotations

from grader import exercises
from grader.grade import grade_exercise
from grader.notebook import extract_answers


def cells(*sources: str) -> list[dict]:
    return [{"cell_type": "code", "source": s} for s in sources]


def sql_cell(name: str, sql: str) -> str:
    return f"%%sql --save {name}\n{sql}"


def grade(exercise_id: str, *sources: str, hidden: bool = True):
    """Grade answer cells (sources as a student would type them) against one exercise."""
    answers, _ = extract_answers(cells(*sources))
    return grade_exercise(exercises.get(exercise_id), answers, hidden=hidden)


def statuses(result) -> dict[str, str]:
    return {c.name: c.status for c in result.checks}


def failing(result) -> set[str]:
    return {c.name for c in result.checks if c.status not in ("pass", "manual")}


def full_marks(result) -> bool:
    return result.score == result.max_score and not failing(result)
