"""An exercise: its answers, checks and points in one declaration; its lesson (the solution
notebook's text and reference answers) beside it in lesson.md; its hidden checks in hidden.py,
which the student release leaves out. Loading one (with its hidden checks, disguised) is
grader.course.exercises.load: the engine does not know where the course keeps its exercises."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.engine.checks import Check

# The instructor's secret for disguising hidden fixtures (grader/engine/disguise.py); `grader check`
# sets it for the run. Unset: hidden fixtures as declared (the project's own tests, check()).
SECRET_ENV = "GRADER_FIXTURE_SECRET"


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

    def __post_init__(self) -> None:
        self.link()

    def link(self) -> None:
        """Hand every check the checks declared beside it (public then hidden): which of them
        leads on a form problem is decided among them (checks.form_lead). Called again when the
        hidden checks are attached."""
        for c in self.all_checks():
            c.siblings = self.all_checks()

    @property
    def lesson(self) -> Path:
        assert self.folder is not None
        return self.folder / "lesson.md"

    def all_checks(self, hidden: bool = True) -> list[Check]:
        return self.checks + (self.hidden if hidden else [])

    def max_points(self, hidden: bool = True) -> float:
        return sum(c.points for c in self.all_checks(hidden))

