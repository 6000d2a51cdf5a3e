"""Find a learner's answers in a notebook, per the submission contract, without running it.

- SQL answers: a code cell whose first line is `%%sql --save NAME` (other flags may follow);
  the last cell saving a name wins; snippets are expanded as jupysql expands them.
- Structured answers: a code cell assigning a literal to the answer's name (`ex09 = {...}`).
The student is the file name (or, for a folder of exercise notebooks, the folder's name);
`metadata.student` is only a label shown beside it, never an identity.

Files are read only when they are regular files reached without a symbolic link, and never
beyond MAX_NOTEBOOK_BYTES, whatever size the file system reports (a FIFO, /dev/zero).
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.engine.snippets import SnippetError, SnippetStore
from grader.engine.structured import NotALiteral, assignments, read_assignment

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_SQL_CHARS = 50_000  # an answer is a few thousand characters; parsing megabytes takes minutes
# All saved SQL of one notebook: the reference notebooks each save under 10,000 characters.
# Parsing is about 1 s per 50,000 characters, so this bounds reading a notebook to seconds.
MAX_SAVED_SQL_CHARS = 200_000
MAX_LABEL_CHARS = 80
MAX_SNIPPETS = 2_000  # saved names per notebook (the workbook saves a dozen); keeps expansion small
MAX_RENDERED_TOTAL = 2_000_000  # expanded SQL kept per notebook for snippets that are not answers
_ANSWER_NAME = re.compile(r"ex\d\d\w*", re.I)
# One line: `ex09 = ...` or `ex09: dict = ...` (no newline inside, so the scan stays linear).
_ASSIGN_RE = re.compile(r"^[ \t]*(ex\d\d[a-z]?)[ \t]*(?::[^=\n]*)?=(?!=)", re.M)


@dataclass
class SubmittedAnswer:
    name: str
    kind: str  # "sql" or "structured"; "missing": not given, `error` says which cell looks meant to
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
    label: str | None = None  # metadata.student: shown beside the student, never an identity
    # A student's folder: each exercise notebook's own answers, which win when grading that
    # exercise (Exercise 10's notebook holds its own copy of the Exercise 8 job).
    by_exercise: dict[str, dict[str, SubmittedAnswer]] = field(default_factory=dict)

    def answers_for(self, exercise_id: str) -> dict[str, SubmittedAnswer]:
        own = self.by_exercise.get(exercise_id)
        if not own:
            return self.answers
        # a near-miss hint in its own notebook does not hide a real answer from another one
        own = {k: v for k, v in own.items() if v.kind != "missing" or k not in self.answers}
        return {**self.answers, **own}


_NEAR_NAME = re.compile(r"ex[\s_\-.]*0*(\d{1,2})[\s_\-.]*([a-z]?)", re.I)
_ANY_SAVE = re.compile(r"^[ \t]*%{1,2}sql\b[^\n]*?(?:--save|-S)[ =]+['\"]?([^\s'\"]+)[^\n]*", re.I | re.M)
_ANY_ASSIGN = re.compile(r"^[ \t]*([A-Za-z_][\w]*)[ \t]*(?::[^=\n]*)?=(?!=)", re.M)


def canonical_answer_name(name: str) -> str | None:
    """The answer name a near-miss stands for: `ex6`, `EX06`, `ex_06`, `Ex-6B` -> `ex06`/`ex06b`."""
    m = _NEAR_NAME.fullmatch(name.strip())
    if not m or int(m.group(1)) == 0:
        return None
    return f"ex{int(m.group(1)):02d}{m.group(2).lower()}"


def near_misses(cells: list[dict], wanted=None) -> dict[str, str]:
    """For each wanted answer name that no cell gives as the contract says, the cell that looks
    meant to give it: a near-miss name (`ex6`, `EX06`, `ex_06`), the answer in a Markdown or raw
    cell, `%sql` instead of `%%sql`, or the `%%sql --save` line below the first. Self-contained:
    reads only cell_type and source. `wanted=None`: any exercise-like name."""
    wanted = None if wanted is None else set(wanted)
    found: set[str] = set()
    hints: dict[str, str] = {}
    for index, cell in enumerate(cells):
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            continue
        kind = cell.get("cell_type")
        first = source.lstrip("\n").partition("\n")[0].strip()
        where = f"cell {index + 1} (`{first[:50]}`)"
        for m in _ANY_SAVE.finditer(source):
            name, canon = m.group(1), canonical_answer_name(m.group(1))
            if canon is None or wanted is not None and canon not in wanted:
                continue
            line = m.group(0).strip()
            if kind != "code":
                hints.setdefault(canon, f"{where} is a {kind} cell, not a Code cell: change its type to Code "
                                        f"(Esc, then Y) and run it")
            elif not line.startswith("%%"):
                hints.setdefault(canon, f"{where} uses the line magic `%sql`: an answer starts with "
                                        f"the cell magic `%%sql --save {canon}`")
            elif first != line:
                hints.setdefault(canon, f"in {where} the `%%sql --save {name}` line is not the first line; "
                                        "jupysql reads it only there")
            elif name == canon:
                found.add(canon)
            else:
                hints.setdefault(canon, f"{where} saves `{name}`: did you mean {canon}? "
                                        f"Write `%%sql --save {canon}` and run the cell")
        if first.startswith("%"):
            continue
        for m in _ANY_ASSIGN.finditer(source):
            name, canon = m.group(1), canonical_answer_name(m.group(1))
            if canon is None or wanted is not None and canon not in wanted:
                continue
            if kind != "code":
                hints.setdefault(canon, f"{where} is a {kind} cell, not a Code cell: change its type to Code "
                                        f"(Esc, then Y) and run it")
            elif name == canon:
                found.add(canon)
            else:
                hints.setdefault(canon, f"{where} assigns `{name}`: did you mean {canon}? Write `{canon} = ...`")
    return {name: hint for name, hint in hints.items() if name not in found}


def sql_save_name(first_line: str) -> tuple[str | None, bool]:
    """(`--save` name, no_execute) from a `%%sql` first line, or (None, False)."""
    line = first_line.strip()[:2_000]  # a real magic line is short; shlex takes ~1 s per MB
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
    saved_chars = 0
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
            saved_chars += len(body)
            if len(sql_cells) >= MAX_SNIPPETS and name not in store:
                sql_errors[name] = (index, f"the notebook saves more than {MAX_SNIPPETS:,} snippets; "
                                           "this cell and later ones were not read")
                continue
            if saved_chars > MAX_SAVED_SQL_CHARS:
                sql_errors[name] = (index, f"the notebook's saved SQL cells hold more than {MAX_SAVED_SQL_CHARS:,} "
                                           "characters in all; this cell and later ones were not read")
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
    rendered = 0
    # answers first; other snippets (never graded, but listed) while the total stays bounded
    for name, index in sorted(sql_cells.items(), key=lambda kv: not _ANSWER_NAME.fullmatch(kv[0])):
        if rendered > MAX_RENDERED_TOTAL and not _ANSWER_NAME.fullmatch(name):
            continue
        try:
            answers[name] = SubmittedAnswer(name, "sql", sql=store.render(name), cell=index)
            rendered += len(answers[name].sql or "")
        except SnippetError as exc:
            answers[name] = SubmittedAnswer(name, "sql", error=str(exc), cell=index)
    for name, (index, error) in sql_errors.items():
        answers[name] = SubmittedAnswer(name, "sql", error=error, cell=index)
    # A cell that looks meant to answer (`ex6`, a Markdown cell...): "missing", with a hint
    for name, hint in near_misses(cells).items():
        if name not in answers:
            answers[name] = SubmittedAnswer(name, "missing", error=hint)
    return answers, notes


# An exercise's number in a notebook's name, as the workbook names it (`ex06`) and as students
# rename it (`ex6`, `Exercise 6`, `exercise_06`, `ada_ex06`, `Ex06-final`): a word of its own,
# not part of another (`next6`, `rex01`, `exercises`).
EXERCISE_FILE = re.compile(r"(?<![a-z0-9])ex(?:ercise)?[\s_.-]*0?(\d{1,2})(?![0-9])", re.I)


_RANGE_END = re.compile(r"\s*[-–]\s*(\d{1,2})(?!\d)")


def exercise_id_of(path: Path) -> str | None:
    """`ex06` for `ex06.ipynb`, `ex06-ada.ipynb`, `ada_ex6.ipynb`, `Exercise 6.ipynb`, else None
    (also for a range, `Ex 1-12.ipynb`: a whole workbook, not Exercise 1's notebook)."""
    m = EXERCISE_FILE.search(path.stem)
    if not m:
        return None
    end = _RANGE_END.match(path.stem, m.end())
    if end and int(end.group(1)) > int(m.group(1)):
        return None
    return f"ex{int(m.group(1)):02d}"


def without_exercise(stem: str) -> str:
    """A notebook's name without its exercise's number: the student it names (`ada` for
    `ex06-ada`, `ada_ex6`), or "" when it names none (`Exercise 6`)."""
    return EXERCISE_FILE.sub("", stem, count=1).strip(" _.-")


def _show(name: str) -> str:
    """A file name as text that can always be written out (non-UTF-8 bytes as \\xNN)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") if _bad_text(name) else name


def _bad_text(text: str) -> bool:
    try:
        text.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def read_student(paths: list[Path] | dict[str, Path], student: str) -> Submission:
    """One student's work spread over several exercise notebooks (a folder per student), as
    paths named `exNN...` or as {exercise id: path} (a Canvas upload's name is not `exNN`).

    Each notebook is read on its own (its snippets expand within it, as in its own kernel);
    the answers are then pooled, so an exercise may use an answer from an earlier notebook
    (Exercise 10 re-runs the Exercise 8 job). Unreadable files are noted, not fatal. The
    student is the folder: a notebook's metadata.student only labels it."""
    named = sorted(paths.items()) if isinstance(paths, dict) else \
        [(exercise_id_of(p) or p.stem[:4].lower(), p) for p in sorted(paths)]
    merged = Submission(str(named[0][1].parent) if named else student, student)
    readable = 0
    labels: list[str] = []
    for exercise_id, path in named:
        sub = read_submission(path)
        if sub.invalid:
            merged.notes.append(f"{_show(path.name)}: {sub.invalid}")
            continue
        readable += 1
        if sub.label and sub.label not in labels:
            labels.append(sub.label)
        merged.by_exercise[exercise_id] = sub.answers
        for name, answer in sub.answers.items():
            # elsewhere, an answer comes from its own exercise's notebook when that has it
            prev = merged.answers.get(name)
            if prev is None or prev.kind == "missing" or (name[:4] == exercise_id and answer.kind != "missing"):
                merged.answers[name] = answer
        merged.notes.extend(f"{_show(path.name)}: {n}" for n in sub.notes)
    if labels:
        merged.label = labels[0]
        if len(labels) > 1:
            merged.notes.append("the notebooks name different students in their metadata: " + ", ".join(map(repr, labels[:5])))
    if paths and not readable:
        merged.invalid = "no notebook in this folder could be read: " + "; ".join(merged.notes)
    return merged


def read_file_safely(path: str | Path, limit: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """The bytes of a regular file, opened without following a link and without blocking
    (a FIFO), read up to `limit` whatever the file claims. Raises ValueError (for the
    learner) or OSError."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    if os.path.islink(path):
        raise ValueError("a symbolic link, not a notebook (hand in the notebook itself)")
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ValueError("a symbolic link, not a notebook (hand in the notebook itself)") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file (a pipe, device or folder), not read")
        if info.st_size > limit:
            raise ValueError(f"file is {info.st_size / 1e6:.0f} MB; the limit is {limit / 1e6:.0f} MB")
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise ValueError(f"file is over the limit of {limit / 1e6:.0f} MB")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_submission(path: str | Path) -> Submission:
    """Parse one .ipynb file. Never raises: an unreadable file becomes an invalid submission."""
    path = Path(path)
    student = path.stem
    try:
        raw = read_file_safely(path)
        if not raw.strip():
            return Submission(str(path), student, invalid="the file is empty: nothing was saved into it (save the "
                                                           "notebook in Jupyter and hand it in again)")
        # a byte-order mark (Windows editors, PowerShell's utf8) is an encoding's mark, not the student's JSON
        text = raw.decode("utf-8-sig")
    except ValueError as exc:
        if isinstance(exc, UnicodeDecodeError):
            return Submission(str(path), student, invalid="not UTF-8 text (is it a notebook?)")
        return Submission(str(path), student, invalid=str(exc))
    except OSError as exc:
        return Submission(str(path), student, invalid=f"cannot read file: {exc.strerror}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Submission(str(path), student, invalid=f"not a notebook: invalid JSON ({exc.msg} at line {exc.lineno})")
    except RecursionError:
        return Submission(str(path), student, invalid="not a notebook: JSON nested too deeply")
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        return Submission(str(path), student, invalid="not a notebook: no cells")
    major = data.get("nbformat")
    if major != 4:
        return Submission(str(path), student, invalid=f"nbformat {str(major)[:20]} notebook; save it as nbformat 4 (Jupyter 4 or later)")
    try:
        # imported here, not at the top: nbformat loads a JSON-schema validator that would
        # double the start-up of check() in every kernel, which never reads a file
        import nbformat

        nb = nbformat.from_dict(data)
        cells = [dict(c) for c in nb.cells if isinstance(c, dict)]
    except Exception as exc:  # malformed structure inside valid JSON
        return Submission(str(path), student, invalid=f"malformed notebook: {str(exc)[:300]}")
    metadata = data.get("metadata")
    meta_student = metadata.get("student") if isinstance(metadata, dict) else None
    label = None
    if isinstance(meta_student, str) and meta_student.strip():
        label = meta_student.strip()[:MAX_LABEL_CHARS]
    try:
        answers, notes = extract_answers(cells)
    except Exception as exc:  # the last line of defence for "never raises"
        return Submission(str(path), student, invalid=f"the answers could not be read: {str(exc)[:300]}", label=label)
    return Submission(str(path), student, answers, notes=notes, label=label)
