"""Canvas: the gradebook CSV that Canvas's Grades > Import reads.

    grader check submissions/ --gradebook canvas.csv --gradebook-format canvas --roster export.csv

Layout (Canvas's own export format, which its import reads back):
  Student, ID, SIS User ID, SIS Login ID, Section, then one column per assignment part, and a
  second row starting `Points Possible` holding each part's maximum.
Parts: one column per exercise ("Week 12 ex06") with its automatic points, and one per
exercise that has written answers ("Week 12 ex06 written"), filled only once every written
answer of that exercise is scored (`--manual`); until then the cell is empty, never 0.
Column names are stable (the prefix and exercise id, never the title), so importing again
updates the same assignments instead of creating new ones; when the roster (a Canvas gradebook
export) already has a column for a part, its exact header, with Canvas's assignment id in
parentheses, is reused.

The roster maps each submission to a Canvas student by SIS Login ID, SIS User ID, ID, e-mail
login or name (case and punctuation ignored). Roster students without a submission get a row
with empty cells (Canvas leaves an empty cell ungraded; 0 would be a grade). Submissions that
match no roster student are not dropped: they get a row of their own with empty ID fields (so
the instructor sees them in Canvas's import preview) and are listed on the console. Cells that
carry names a student chose are neutralised against spreadsheet formulas (report.csv_cell).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from grader.course import exercises
from grader.engine.checks import ManualCheck
from grader.grading.report import atomic_write, csv_cell, fmt_points, relative_path
from grader.engine.results import SubmissionResult

FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
_ID_SUFFIX = re.compile(r"\s*\((\d+)\)\s*$")


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def parts(prefix: str) -> list[tuple[str, str, float]]:
    """(column name, exercise id, kind 'auto' or 'written', points possible) for every part."""
    out = []
    for ex in exercises.all_exercises():
        written = sum(c.points for c in ex.all_checks() if isinstance(c, ManualCheck))
        out.append((f"{prefix} {ex.id}", ex.id, "auto", ex.max_points() - written))
        if written:
            out.append((f"{prefix} {ex.id} written", ex.id, "written", written))
    return out


def read_roster(text: str) -> tuple[list[dict], list[str]]:
    """Students of a Canvas gradebook export (its `Points Possible` and test-student rows
    skipped) and its header (to reuse Canvas's assignment column names)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = list(reader.fieldnames or [])
    missing = [c for c in ("Student", "ID") if c not in header]
    if missing:
        raise ValueError(f"the roster is not a Canvas gradebook export: no {', '.join(missing)} column")
    students = []
    for row in reader:
        name = (row.get("Student") or "").strip()
        if not name or name.lower().startswith(("points possible", "student, test")) or "Points Possible" in name:
            continue
        students.append({k: (row.get(k) or "").strip() for k in FIXED})
    return students, header


def _keys(student: dict) -> set[str]:
    """The forms a submission may be named by: login, SIS id, Canvas id, e-mail user, names."""
    keys = {student.get("SIS Login ID", ""), student.get("SIS User ID", ""), student.get("ID", "")}
    login = student.get("SIS Login ID", "")
    if "@" in login:
        keys.add(login.split("@", 1)[0])
    name = student.get("Student", "")
    keys.add(name)
    if "," in name:  # Canvas writes "Last, First"
        last, first = (p.strip() for p in name.split(",", 1))
        keys.update({f"{first} {last}", f"{first}_{last}", f"{last}_{first}", f"{last}{first}", f"{first}{last}"})
    return {_norm(k) for k in keys if k and _norm(k)}


def match(results: list[SubmissionResult], roster: list[dict]) -> tuple[dict[int, int], list[int]]:
    """{result index: roster index} and the result indexes matching no roster student (or
    more than one: an ambiguous name is reported, never guessed)."""
    index: dict[str, set[int]] = {}
    for i, s in enumerate(roster):
        for k in _keys(s):
            index.setdefault(k, set()).add(i)
    matched, unmatched = {}, []
    for j, r in enumerate(results):
        candidates = index.get(_norm(r.student), set())
        if len(candidates) == 1:
            matched[j] = next(iter(candidates))
        else:
            unmatched.append(j)
    return matched, unmatched


def _cells(r: SubmissionResult, prefix: str) -> dict[str, str]:
    """Part column -> cell: automatic points; written points once all are scored, else empty."""
    by_id = {e.id: e for e in r.exercises}
    out = {}
    if r.status != "graded":
        return out  # an invalid submission has no grade yet: empty cells, and it is listed
    for column, ex_id, kind, _ in parts(prefix):
        e = by_id.get(ex_id)
        if e is None:
            continue
        written = [c for c in e.checks if _is_written(ex_id, c.name)]
        if kind == "auto":
            out[column] = fmt_points(sum(c.points for c in e.checks if c not in written))
        elif written and not any(c.pending for c in written):
            out[column] = fmt_points(sum(c.points for c in written))
    return out


def _is_written(ex_id: str, name: str) -> bool:
    ex = exercises.get(ex_id)
    return any(isinstance(c, ManualCheck) and c.name == name for c in ex.all_checks())


def render(results: list[SubmissionResult], roster: list[dict] | None = None, header: list[str] | None = None,
           base: str | Path | None = None, prefix: str = "Week 12") -> tuple[str, list[str]]:
    """The CSV text and the lines to tell the instructor (unmatched submissions, invalid ones)."""
    columns = parts(prefix)
    existing = {}
    for h in header or []:  # reuse Canvas's "Week 12 ex06 (123456)" so the import updates it
        existing[_ID_SUFFIX.sub("", h).strip()] = h
    names = [existing.get(col, col) for col, *_ in columns]
    out = io.StringIO()
    w = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    w.writerow(FIXED + names)
    w.writerow(["Points Possible", "", "", "", ""] + [fmt_points(p) for *_, p in columns])
    notes = []
    if roster is not None:
        matched, unmatched = match(results, roster)
        got = {ri: j for j, ri in matched.items()}
        for ri, s in enumerate(roster):
            cells = _cells(results[got[ri]], prefix) if ri in got else {}
            w.writerow([csv_cell(s[k]) for k in FIXED] + [cells.get(c, "") for c, *_ in columns])
    else:
        unmatched = list(range(len(results)))
    for j in unmatched:
        r = results[j]
        cells = _cells(r, prefix)
        w.writerow([csv_cell(r.student), "", "", "", ""] + [cells.get(c, "") for c, *_ in columns])
        if roster is not None:
            notes.append(f"no roster student for submission {relative_path(r.path, base)} (named {r.student!r}): "
                         "its row has no ID; add the student's SIS Login ID as its name, or fix it in Canvas's preview")
    for r in results:
        if r.status != "graded":
            notes.append(f"{relative_path(r.path, base)} could not be graded ({r.reason}): its cells are empty")
    return out.getvalue(), notes


def write(path: str | Path, results: list[SubmissionResult], roster: str | Path | None = None,
          base: str | Path | None = None, prefix: str = "Week 12") -> list[str]:
    students, header = (None, None)
    if roster:
        students, header = read_roster(Path(roster).read_text(encoding="utf-8-sig"))
    text, notes = render(results, students, header, base, prefix)
    atomic_write(path, text)
    return notes
