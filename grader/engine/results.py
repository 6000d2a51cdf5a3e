"""What grading produces: plain data, serialised to the `grader check --json` schema."""

from __future__ import annotations

import math
import os
import re
import sys
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

CHECK_STATUSES = ("pass", "fail", "error", "missing", "manual", "timeout")


@dataclass
class Table:
    """A small table to show: a counterexample's rows, or expected vs got."""

    caption: str
    columns: list[str]
    rows: list[list[Any]]
    # What a picture is drawn from (grader/pictures), when the rows alone do not say it in a form
    # a program can trust: e.g. {"kind": "days", "runs": [...]} for a day strip, {"kind":
    # "events", "as_of": [...]} for a timeline. JSON-able; the rows say the same in words.
    picture: dict | None = None


@dataclass
class CheckResult:
    name: str
    status: str
    points: float
    max_points: float
    message: str
    hidden: bool = False
    tables: list[Table] = field(default_factory=list)
    scored_by: str | None = None  # "instructor" once a written answer's score is merged (grader/grading/manual.py)

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
            d["tables"] = [_jsonable({k: v for k, v in asdict(t).items() if k != "picture" or v is not None})
                           for t in self.tables]
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
    status: str  # "graded", "invalid" (could not be read) or "timeout" (over its time budget)
    exercises: list[ExerciseResult]
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    label: str | None = None  # metadata.student: shown beside the student, never an identity
    # who the student is, as the delivery named them (grader/delivery): the Canvas user id of a
    # Canvas download's file name, Canvas's LATE mark, a Gradescope e-mail or id, the files graded
    canvas_user_id: str | None = None
    late: bool = False
    login: str | None = None
    sources: list[str] = field(default_factory=list)

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
        if self.label:
            d["label"] = self.label
        if self.manual_pending:
            d["manual_pending"] = self.manual_pending
        if self.reason:
            d["reason"] = self.reason
        if self.notes:
            d["notes"] = self.notes
        d.update({k: v for k, v in (("canvas_user_id", self.canvas_user_id), ("late", self.late),
                                    ("login", self.login), ("sources", self.sources)) if v})
        return d


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


# ---------- what a student may be shown: bounded, printable, without machine paths ----------

MAX_MESSAGE_CHARS = 2_000  # a check's message: a long DuckDB error fits; 8 MB of '<b>' does not
MAX_TABLES = 8
MAX_TABLE_ROWS = 30
MAX_TABLE_COLUMNS = 20
MAX_CELL_CHARS = 200
MAX_NOTES = 40
MAX_NOTE_CHARS = 300
MAX_NAME_CHARS = 120
# True of every hidden check: where the public data shows the same mistake (tests/test_public_signal.py:
# for at least 95% of the known mistakes), check() fails there too and shows that counterexample.
HIDDEN_ROWS_WITHHELD = ("(the rows of a hidden check's data are not shown; where a public check fails too, "
                        "`check()` in the notebook shows its counterexample on the public data)")


def safe_text(text: Any, limit: int | None = None, paths: bool = True) -> str:
    """Any text as something every writer accepts: lone surrogates (a non-UTF-8 file name, a
    `\\ud800` in JSON) become visible escapes, machine paths are replaced, length is capped."""
    text = text if isinstance(text, str) else str(text)
    if limit is not None and len(text) > limit:
        text = text[:limit] + f"… ({len(text) - limit:,} more characters cut)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join(
            (f"\\x{ord(ch) - 0xDC00:02x}" if 0xDC80 <= ord(ch) <= 0xDCFF else f"\\u{ord(ch):04x}")
            if 0xD800 <= ord(ch) <= 0xDFFF else ch
            for ch in text
        )
    return scrub_paths(text) if paths else text


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:
        return ""


def _machine_paths() -> list[tuple[str, str]]:
    """(path, what to show instead), longest first: the grader's folders, temp, home."""
    found = []
    root = Path(__file__).resolve().parents[2]
    for path, shown in ((str(root), "<grader>"), (sys.prefix, "<python>"), (tempfile.gettempdir(), "<tmp>"),
                        (os.path.expanduser("~"), "~"), (_cwd(), "<cwd>")):
        for variant in {path, os.path.realpath(path)}:
            if variant and len(variant) > 1:
                found.append((variant.rstrip("/"), shown))
    return sorted(set(found), key=lambda x: -len(x[0]))


_PATHS: dict[str, list[tuple[re.Pattern, str]]] = {}  # per working directory


def scrub_paths(text: str) -> str:
    if "/" not in text and "\\" not in text:
        return text
    cwd = _cwd()
    if cwd not in _PATHS:
        _PATHS[cwd] = [(re.compile(re.escape(p) + r"(?![\w.-])|" + re.escape(p) + r"(?=/)"), shown)
                       for p, shown in _machine_paths()]
    for pattern, shown in _PATHS[cwd]:
        text = pattern.sub(shown, text)
    return text


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return safe_text(value, MAX_CELL_CHARS)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return safe_text(str(value), MAX_CELL_CHARS)


MAX_PICTURE_ITEMS = 60


def _picture(data: Any, depth: int = 0) -> Any:
    """A table's picture data, bounded as its cells are: short texts, short lists, shallow."""
    if depth > 4:
        return None
    if isinstance(data, dict):
        return {safe_text(k, 40): _picture(v, depth + 1) for k, v in list(data.items())[:MAX_PICTURE_ITEMS]}
    if isinstance(data, (list, tuple)):
        return [_picture(v, depth + 1) for v in list(data)[:MAX_PICTURE_ITEMS]]
    return _cell(data)


def bound_check(c: CheckResult, show_hidden_rows: bool = False) -> CheckResult:
    """The check as it may be shown: message capped and cleaned; tables bounded; a hidden
    check's tables (its fixture's rows) withheld unless the instructor opts in."""
    tables = c.tables
    message = c.message
    if c.hidden and not show_hidden_rows:
        if tables:
            message = f"{message} {HIDDEN_ROWS_WITHHELD}"
        tables = []
    tables = [
        Table(safe_text(t.caption, MAX_NOTE_CHARS), [_cell(x) for x in t.columns[:MAX_TABLE_COLUMNS]],
              [[_cell(v) for v in row[:MAX_TABLE_COLUMNS]] for row in t.rows[:MAX_TABLE_ROWS]],
              _picture(t.picture))
        for t in tables[:MAX_TABLES]
    ]
    return replace(c, name=safe_text(c.name, MAX_NAME_CHARS), message=safe_text(message, MAX_MESSAGE_CHARS), tables=tables)


def bound_submission(r: SubmissionResult, show_hidden_rows: bool = False) -> SubmissionResult:
    """Every text of a submission's result as it may be written out (see bound_check)."""
    notes = [safe_text(n, MAX_NOTE_CHARS) for n in r.notes[:MAX_NOTES]]
    if len(r.notes) > MAX_NOTES:
        notes.append(f"… and {len(r.notes) - MAX_NOTES:,} more notes")
    exercises = [
        replace(e, checks=[bound_check(c, show_hidden_rows) for c in e.checks]) for e in r.exercises
    ]
    return replace(
        # the path is the instructor's (the gradebook's key), so it is kept whole
        r, path=safe_text(r.path, paths=False), student=safe_text(r.student, 4 * MAX_NAME_CHARS, paths=False),
        label=safe_text(r.label, MAX_NAME_CHARS) if r.label else None,
        reason=safe_text(r.reason, MAX_MESSAGE_CHARS) if r.reason else None, notes=notes, exercises=exercises,
        login=safe_text(r.login, MAX_NAME_CHARS, paths=False) if r.login else None,
        sources=[safe_text(s, paths=False) for s in r.sources[:MAX_NOTES]],
    )
