"""An exercise: its answers, checks and points in one declaration; its lesson (the solution
notebook's text and reference answers) beside it in lesson.md; its hidden checks in hidden.py,
which the student release leaves out."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from .checks import Check


@dataclass
class Answer:
    name: str  # e.g. "ex06", "ex12b"
    kind: str  # "sql" or "structured"
    what: str  # one line for docs: what the learner hands in


@dataclass
class Exercise:
    id: str
    title: str
    teaches: str
    answers: list[Answer]
    checks: list[Check]  # public: run by check() in the notebook
    hidden: list[Check] = field(default_factory=list)  # added at grading time from hidden.py
    folder: Path | None = None

    @property
    def lesson(self) -> Path:
        assert self.folder is not None
        return self.folder / "lesson.md"

    def all_checks(self, hidden: bool = True) -> list[Check]:
        return self.checks + (self.hidden if hidden else [])

    def max_points(self, hidden: bool = True) -> float:
        return sum(c.points for c in self.all_checks(hidden))


def load(module_name: str) -> Exercise:
    """Import grader.exercises.<id>; attach its hidden checks when hidden.py is present."""
    mod = importlib.import_module(f"grader.exercises.{module_name}")
    ex: Exercise = mod.EXERCISE
    ex.folder = Path(mod.__file__).parent
    try:
        hidden = importlib.import_module(f"grader.exercises.{module_name}.hidden")
    except ModuleNotFoundError as exc:
        if exc.name != f"grader.exercises.{module_name}.hidden":
            raise
    else:
        ex.hidden = list(hidden.CHECKS)
        for c in ex.hidden:
            c.hidden = True
    return ex
