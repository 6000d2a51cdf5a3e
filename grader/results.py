"""What grading produces: plain data, serialised to the `grader check --json` schema."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CHECK_STATUSES = ("pass", "fail", "error", "missing", "manual", "timeout")


@dataclass
class Table:
    """A small table to show: a counterexample's rows, or expected vs got."""

    caption: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class CheckResult:
    name: str
    status: str
    points: float
    max_points: float
    message: str
    hidden: bool = False
    tables: list[Table] = field(default_factory=list)
    scored_by: str | None = None  # "instructor" once a written answer's score is merged (grader/manual.py)

    @property
    def pending(self) -> bool:
        """A written answer waiting for the instructor's score: neither awarded nor lost."""
        return self.status == "manual"

    def to_dict(self) -> dict:
        d = {
            "name": self.name,
            "status": self.status,
            "points": None if self.pending else self.points,  # not yet scored is not 0
            "max_points": self.max_points,
            "message": self.message,
            "hidden": self.hidden,
        }
        if self.scored_by:
            d["scored_by"] = self.scored_by
        if self.tables:
            d["tables"] = [_jsonable(asdict(t)) for t in self.tables]
        return d


@dataclass
class ExerciseResult:
    id: str
    title: str
    checks: list[CheckResult]

    @property
    def score(self) -> float:
        return round(sum(c.points for c in self.checks), 4)

    @property
    def max_score(self) -> float:
        """The points graded so far: written answers still to be scored are left out (see
        manual_pending), so a score never reads as lost what nobody has read yet."""
        return round(sum(c.max_points for c in self.checks if not c.pending), 4)

    @property
    def manual_pending(self) -> float:
        """Points of written answers waiting for the instructor's score."""
        return round(sum(c.max_points for c in self.checks if c.pending), 4)

    def to_dict(self) -> dict:
        d = {
            "id": self.id,
            "title": self.title,
            "score": self.score,
            "max_score": self.max_score,
            "checks": [c.to_dict() for c in self.checks],
        }
        if self.manual_pending:
            d["manual_pending"] = self.manual_pending
        return d


@dataclass
class SubmissionResult:
    path: str
    student: str
    status: str  # "graded" or "invalid"
    exercises: list[ExerciseResult]
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return round(sum(e.score for e in self.exercises), 4)

    @property
    def max_score(self) -> float:
        return round(sum(e.max_score for e in self.exercises), 4)

    @property
    def manual_pending(self) -> float:
        return round(sum(e.manual_pending for e in self.exercises), 4)

    def to_dict(self) -> dict:
        d = {
            "path": self.path,
            "student": self.student,
            "score": self.score,
            "max_score": self.max_score,
            "status": self.status,
            "exercises": [e.to_dict() for e in self.exercises],
        }
        if self.manual_pending:
            d["manual_pending"] = self.manual_pending
        if self.reason:
            d["reason"] = self.reason
        if self.notes:
            d["notes"] = self.notes
        return d


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and value != value:
        return "NaN"
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
