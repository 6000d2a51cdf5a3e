"""Find a learner's answers in a notebook, per the submission contract, without running it.

- SQL answers: a code cell whose first line is `%%sql --save NAME` (other flags may follow);
  the last cell saving a name wins; snippets are expanded as jupysql expands them.
- Structured answers: a code cell assigning a literal to the answer's name (`ex09 = {...}`).
The student is the file name, or `metadata.student` where present.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from .snippets import SnippetStore
from .structured import NotALiteral, assignments, read_assignment

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_SQL_CHARS = 50_000  # an answer is a few thousand characters; parsing megabytes takes minutes
_ASSIGN_RE = re.compile(r"^\s*(ex\d\d[a-z]?)\s*(?::[^=]*)?=(?!=)", re.M)


@dataclass
class SubmittedAnswer:
    name: str
    kind: str  # "sql" or "structured"
    sql: str | None = None  # rendered SQL (snippets expanded)
    value: Any = None
    error: str | None = None  # why the answer could not be read
    cell: int | None = None  # index of the cell it came from


@dataclass
class Submission:
    path: str
    student: str
    answers: dict[str, SubmittedAnswer] = field(default_factory=dict)
    invalid: str | None = None  # why the whole file could not be read
    notes: list[str] = field(default_factory=list)
    # A student's folder: each exercise notebook's own answers, which win when grading that
    # exercise (Exercise 10's notebook holds its own copy of the Exercise 8 job).
    by_exercise: dict[str, dict[str, SubmittedAnswer]] = field(default_factory=dict)

    def answers_for(self, exercise_id: str) -> dict[str, SubmittedAnswer]:
        own = self.by_exercise.get(exercise_id)
        return {**self.answers, **own} if own else self.answers


def sql_save_name(first_line: str) -> tuple[str | None, bool]:
    """(`--save` name, no_execute) from a `%%sql` first line, or (None, False)."""
    line = first_line.strip()
    if not line.startswith("%%sql"):
        return None, False
    try:
        words = shlex.split(line[len("%%sql"):])
    except ValueError:
        words = line[len("%%sql"):].split()
    name, no_execute = None, False
    for i, w in enumerate(words):
        if w in ("--save", "-S") and i + 1 < len(words):
            name = words[i + 1]
        elif w.startswith("--save="):
            name = w.split("=", 1)[1]
        elif w in ("--no-execute", "-N"):
            no_execute = True
    return name, no_execute


def extract_answers(cells: list[dict]) -> tuple[dict[str, SubmittedAnswer], list[str]]:
    """Answers from notebook cells (dicts with cell_type/source), in notebook order."""
    store = SnippetStore()
    sql_cells: dict[str, int] = {}
    sql_errors: dict[str, tuple[int, str]] = {}
    answers: dict[str, SubmittedAnswer] = {}
    notes: list[str] = []
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            continue  # malformed cell: nothing to read
        first, _, body = source.partition("\n")
        name, _ = sql_save_name(first)
        if name:
            if name in sql_cells or name in sql_errors:
                notes.append(f"{name}: saved by more than one cell; the last one (cell {index}) counts")
            sql_cells.pop(name, None)
            sql_errors.pop(name, None)
            if len(body) > MAX_SQL_CHARS:
                sql_errors[name] = (index, f"the cell holds {len(body):,} characters of SQL (at most {MAX_SQL_CHARS:,})")
                continue
            try:
                store.save(name, body)
            except Exception as exc:  # sqlparse/sqlglot give up on pathological SQL
                sql_errors[name] = (index, f"the SQL cannot be read: {exc}")
                continue
            sql_cells[name] = index
            continue
        if source.lstrip().startswith("%%"):
            continue  # another cell magic: not Python, never an answer
        try:
            found = assignments(source)
        except Exception:
            found = {}
        if not found:
            for m in _ASSIGN_RE.finditer(source):
                answers[m.group(1)] = SubmittedAnswer(
                    m.group(1), "structured", error="the cell holding this answer is not valid Python", cell=index
                )
        for var, node in found.items():
            if not re.fullmatch(r"ex\d\d[a-z]?", var):
                continue
            try:
                answers[var] = SubmittedAnswer(var, "structured", value=read_assignment(node), cell=index)
            except NotALiteral as exc:
                answers[var] = SubmittedAnswer(var, "structured", error=str(exc), cell=index)
    for name, index in sql_cells.items():
        try:
            answers[name] = SubmittedAnswer(name, "sql", sql=store.render(name), cell=index)
        except RecursionError:
            answers[name] = SubmittedAnswer(name, "sql", error="saved snippets refer to each other in a loop", cell=index)
    for name, (index, error) in sql_errors.items():
        answers[name] = SubmittedAnswer(name, "sql", error=error, cell=index)
    return answers, notes


EXERCISE_FILE = re.compile(r"ex\d\d", re.I)


def is_exercise_notebook(path: Path) -> bool:
    """`ex06.ipynb` (or `ex06-ada.ipynb`...): one of the twelve notebooks, not a whole submission."""
    return bool(EXERCISE_FILE.match(path.stem))


def read_student(paths: list[Path], student: str) -> Submission:
    """One student's work spread over several exercise notebooks (a folder per student).

    Each notebook is read on its own (its snippets expand within it, as in its own kernel);
    the answers are then pooled, so an exercise may use an answer from an earlier notebook
    (Exercise 10 re-runs the Exercise 8 job). Unreadable files are noted, not fatal."""
    folder = str(paths[0].parent) if paths else student
    merged = Submission(folder, student)
    readable = 0
    for path in sorted(paths):
        sub = read_submission(path)
        if sub.invalid:
            merged.notes.append(f"{path.name}: {sub.invalid}")
            continue
        readable += 1
        if sub.student != path.stem:
            merged.student = sub.student
        exercise_id = path.stem[:4].lower()
        merged.by_exercise[exercise_id] = sub.answers
        for name, answer in sub.answers.items():
            # elsewhere, an answer comes from its own exercise's notebook when that has it
            if name not in merged.answers or name[:4] == exercise_id:
                merged.answers[name] = answer
        merged.notes.extend(f"{path.name}: {n}" for n in sub.notes)
    if paths and not readable:
        merged.invalid = "no notebook in this folder could be read: " + "; ".join(merged.notes)
    return merged


def read_submission(path: str | Path) -> Submission:
    """Parse one .ipynb file. Never raises: an unreadable file becomes an invalid submission."""
    path = Path(path)
    student = path.stem
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return Submission(str(path), student, invalid=f"file is {size / 1e6:.0f} MB; the limit is {MAX_NOTEBOOK_BYTES / 1e6:.0f} MB")
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Submission(str(path), student, invalid="not UTF-8 text (is it a notebook?)")
    except OSError as exc:
        return Submission(str(path), student, invalid=f"cannot read file: {exc.strerror}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Submission(str(path), student, invalid=f"not a notebook: invalid JSON ({exc.msg} at line {exc.lineno})")
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        return Submission(str(path), student, invalid="not a notebook: no cells")
    major = data.get("nbformat")
    if major != 4:
        return Submission(str(path), student, invalid=f"nbformat {major} notebook; save it as nbformat 4 (Jupyter 4 or later)")
    try:
        # imported here, not at the top: nbformat loads a JSON-schema validator that would
        # double the start-up of check() in every kernel, which never reads a file
        import nbformat

        nb = nbformat.from_dict(data)
        cells = [dict(c) for c in nb.cells if isinstance(c, dict)]
    except Exception as exc:  # malformed structure inside valid JSON
        return Submission(str(path), student, invalid=f"malformed notebook: {exc}")
    metadata = data.get("metadata")
    meta_student = metadata.get("student") if isinstance(metadata, dict) else None
    if isinstance(meta_student, str) and meta_student.strip():
        student = meta_student.strip()
    try:
        answers, notes = extract_answers(cells)
    except Exception as exc:  # the last line of defence for "never raises"
        return Submission(str(path), student, invalid=f"the answers could not be read: {exc!r}")
    return Submission(str(path), student, answers, notes=notes)
