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

Canvas's export names an existing assignment's column "Name (assignment id)", e.g.
"Quiz 1 (87568490)" (its gradebook export; a header with the id updates that assignment on
import), and its second row holds each assignment's Points Possible, which the import copies
into the assignment. So: a part maps to the roster column of the same name, or to the one
whose id `--canvas-assignment ex06=5501` gives; where the roster's Points Possible differs from
the grader's maximum, the roster's value is kept and the difference reported (scores are
written as graded), unless `--canvas-set-points` asks to change the assignment. A submission
carrying `canvas_user_id` (a Canvas download's file name) matches the roster row with that ID;
otherwise the names rule above applies. `--canvas-total` writes one column, the total, instead
of one per part. Columns cover the exercises graded in this run (all, unless scoped).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.course import exercises
from grader.engine.checks import ManualCheck
from grader.grading.report import atomic_write, csv_cell, fmt_points, relative_path
from grader.engine.results import SubmissionResult
from grader.grading.platforms import name_key, points_by_exercise

FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
_ID_SUFFIX = re.compile(r"\s*\((\d+)\)\s*$")


def parts(prefix: str, only=None, total: bool = False) -> list[tuple[str, str, str, float]]:
    """(column name, part key, kind 'auto', 'written' or 'total', points possible) for every
    part of the exercises in `only` (default all). The part key is what --canvas-assignment
    names: `ex06`, `ex06 written`, `total`."""
    points = points_by_exercise(only)
    if total:
        return [(prefix, "total", "total", sum(a + w for _, a, w in points))]
    out = []
    for ex_id, auto, written in points:
        out.append((f"{prefix} {ex_id}", ex_id, "auto", auto))
        if written:
            out.append((f"{prefix} {ex_id} written", f"{ex_id} written", "written", written))
    return out


@dataclass
class Roster:
    """A Canvas gradebook export: its students, its header (Canvas's assignment columns) and
    its Points Possible row (header -> the value Canvas holds, as written)."""

    students: list[dict]
    header: list[str]
    points_possible: dict[str, str] = field(default_factory=dict)

    def column_for(self, assignment_id: str) -> str | None:
        return next((h for h in self.header if (m := _ID_SUFFIX.search(h)) and m.group(1) == assignment_id), None)


def read_roster(text: str) -> Roster:
    """A Canvas gradebook export: students (its `Points Possible` and test-student rows
    skipped), its header, and its Points Possible row."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = list(reader.fieldnames or [])
    missing = [c for c in ("Student", "ID") if c not in header]
    if missing:
        raise ValueError(f"the roster is not a Canvas gradebook export: no {', '.join(missing)} column")
    roster = Roster([], header)
    for row in reader:
        name = (row.get("Student") or "").strip()
        if "points possible" in name.lower():
            roster.points_possible = {h: (row.get(h) or "").strip() for h in header[len(FIXED):] if h}
            continue
        if not name or name.lower().startswith("student, test"):
            continue
        roster.students.append({k: (row.get(k) or "").strip() for k in FIXED})
    return roster


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
    return {name_key(k) for k in keys if k and name_key(k)}


def match(results: list[SubmissionResult], roster: list[dict]) -> tuple[dict[int, int], list[int]]:
    """{result index: roster index} and the result indexes matching no roster student (or
    more than one: an ambiguous name is reported, never guessed)."""
    index: dict[str, set[int]] = {}
    for i, s in enumerate(roster):
        for k in _keys(s):
            index.setdefault(k, set()).add(i)
    by_id = {s.get("ID", ""): i for i, s in enumerate(roster) if s.get("ID")}
    matched, unmatched = {}, []
    for j, r in enumerate(results):
        user_id = str(getattr(r, "canvas_user_id", None) or "")
        if user_id in by_id:  # a Canvas download names its uploader by user id: the roster's ID
            matched[j] = by_id[user_id]
            continue
        # a Gradescope export's e-mail or id where the name does not match
        candidates = index.get(name_key(r.student), set()) or index.get(name_key(getattr(r, "login", None) or ""), set())
        if len(candidates) == 1:
            matched[j] = next(iter(candidates))
        else:
            unmatched.append(j)
    return matched, unmatched


def _cells(r: SubmissionResult, columns) -> dict[str, str]:
    """Part key -> cell: automatic points; written points once all are scored, else empty; the
    total (automatic and scored written points)."""
    by_id = {e.id: e for e in r.exercises}
    out = {}
    if r.status != "graded":
        return out  # an invalid submission has no grade yet: empty cells, and it is listed
    for _, key, kind, _ in columns:
        if kind == "total":
            out[key] = fmt_points(r.score)
            continue
        ex_id = key.split()[0]
        e = by_id.get(ex_id)
        if e is None:
            continue
        written = [c for c in e.checks if _is_written(ex_id, c.name)]
        if kind == "auto":
            out[key] = fmt_points(sum(c.points for c in e.checks if c not in written))
        elif written and not any(c.pending for c in written):
            out[key] = fmt_points(sum(c.points for c in written))
    return out


def _is_written(ex_id: str, name: str) -> bool:
    ex = exercises.get(ex_id)
    return any(isinstance(c, ManualCheck) and c.name == name for c in ex.all_checks())


def _same_points(a: str, b: float) -> bool:
    try:
        return abs(float(a) - b) < 1e-9
    except ValueError:
        return False


def headers(columns, roster: Roster | None, assignments: dict[str, str] | None = None) -> list[str]:
    """The header of each part (the roster's own column where one exists: by the id
    --canvas-assignment gives, else by name); raises ValueError for an id the roster
    does not hold or a part that does not exist."""
    assignments = dict(assignments or {})
    keys = {key for _, key, _, _ in columns}
    unknown = sorted(set(assignments) - keys)
    if unknown:
        raise ValueError(f"--canvas-assignment names no column of this gradebook: {', '.join(unknown)} "
                         f"(parts: {', '.join(sorted(keys))})")
    existing = {_ID_SUFFIX.sub("", h).strip(): h for h in (roster.header if roster else [])}
    names = []
    for column, key, _, _ in columns:
        if key in assignments:
            found = roster.column_for(assignments[key]) if roster else None
            if found is None:
                raise ValueError(f"--canvas-assignment {key}={assignments[key]}: the roster has no column "
                                 f"with assignment id ({assignments[key]})")
            names.append(found)
        else:
            names.append(existing.get(column, column))
    return names


def check_options(roster_path: str | Path | None, prefix: str, total: bool, pairs: list[str] | None) -> dict[str, str]:
    """The --canvas-assignment mapping, checked against the roster before anything is graded;
    raises ValueError saying what is wrong."""
    assignments = parse_assignments(pairs)
    if assignments and not roster_path:
        raise ValueError("--canvas-assignment needs --roster (the export holding those assignment ids)")
    if assignments:
        headers(parts(prefix, None, total), read_roster(Path(roster_path).read_text(encoding="utf-8-sig")), assignments)
    return assignments


def points_row(columns, names: list[str], roster: Roster | None, set_points: bool) -> tuple[list[str], list[str]]:
    """The Points Possible cells and notes: the roster's value where it differs from ours is
    kept (Canvas copies this row into the assignment), unless `set_points`."""
    cells, notes = [], []
    for (_, key, _, ours), name in zip(columns, names):
        theirs = (roster.points_possible.get(name, "") if roster else "").strip()
        if not theirs or _same_points(theirs, ours):
            cells.append(fmt_points(ours))
        elif set_points:
            cells.append(fmt_points(ours))
            notes.append(f"{name}: Points Possible changed from {theirs} to {fmt_points(ours)} (--canvas-set-points): "
                         "importing changes the assignment's points")
        else:
            cells.append(theirs)
            notes.append(f"{name}: the roster says {theirs} points possible, the grader's maximum for {key} is "
                         f"{fmt_points(ours)}; kept {theirs} (scores are written as graded, out of {fmt_points(ours)}); "
                         "--canvas-set-points writes the grader's value instead")
    return cells, notes


def render(results: list[SubmissionResult], roster: Roster | list[dict] | None = None, header: list[str] | None = None,
           base: str | Path | None = None, prefix: str = "Week 12", total: bool = False, set_points: bool = False,
           assignments: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """The CSV text and the lines to tell the instructor (unmatched submissions, invalid ones,
    Points Possible kept or changed). Raises ValueError for a --canvas-assignment that cannot be honoured."""
    if isinstance(roster, list):  # students and a header given apart
        roster = Roster(roster, list(header or []))
    scope = [i for i in exercises.IDS if any(e.id == i for r in results for e in r.exercises)] or None
    columns = parts(prefix, scope, total)
    names = headers(columns, roster, assignments)
    points, notes = points_row(columns, names, roster, set_points)
    out = io.StringIO()
    w = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    w.writerow(FIXED + names)
    w.writerow(["Points Possible", "", "", "", ""] + points)
    keys = [key for _, key, _, _ in columns]
    if roster is not None:
        matched, unmatched = match(results, roster.students)
        got = {ri: j for j, ri in matched.items()}
        for ri in sorted({ri for ri in matched.values() if list(matched.values()).count(ri) > 1}):
            twice = [relative_path(results[j].path, base) for j, r in matched.items() if r == ri]
            notes.append(f"roster student {roster.students[ri]['Student']!r} has {len(twice)} submissions "
                         f"({', '.join(twice[:4])}): the row holds {relative_path(results[got[ri]].path, base)}'s")
        for ri, s in enumerate(roster.students):
            cells = _cells(results[got[ri]], columns) if ri in got else {}
            w.writerow([csv_cell(s[k]) for k in FIXED] + [cells.get(k, "") for k in keys])
    else:
        unmatched = list(range(len(results)))
    for j in unmatched:
        r = results[j]
        cells = _cells(r, columns)
        w.writerow([csv_cell(r.student), "", "", "", ""] + [cells.get(k, "") for k in keys])
        if roster is not None:
            notes.append(f"no roster student for submission {relative_path(r.path, base)} (named {r.student!r}): "
                         "its row has no ID; add the student's SIS Login ID as its name, or fix it in Canvas's preview")
    if total:
        pending = [r for r in results if r.status == "graded" and r.manual_pending]
        if pending:
            notes.append(f"{len(pending)} submission(s) have written answers still to be scored: their total leaves "
                         "those points out until you merge them (--manual) and import again")
    for r in results:
        if r.status != "graded":
            notes.append(f"{relative_path(r.path, base)} could not be graded ({r.reason}): its cells are empty")
    return out.getvalue(), notes


def write(path: str | Path, results: list[SubmissionResult], roster: str | Path | None = None,
          base: str | Path | None = None, prefix: str = "Week 12", total: bool = False, set_points: bool = False,
          assignments: dict[str, str] | None = None) -> list[str]:
    parsed = read_roster(Path(roster).read_text(encoding="utf-8-sig")) if roster else None
    text, notes = render(results, parsed, None, base, prefix, total, set_points, assignments)
    atomic_write(path, text)
    return notes


def parse_assignments(pairs: list[str] | None) -> dict[str, str]:
    """`--canvas-assignment ex06=5501 "ex06 written=5502" total=5600` -> {part: assignment id}."""
    out = {}
    for pair in pairs or []:
        part, sep, assignment_id = pair.rpartition("=")
        if not sep or not part.strip() or not assignment_id.strip().isdigit():
            raise ValueError(f"--canvas-assignment {pair!r}: write PART=ID, e.g. ex06=5501 (ID: Canvas's assignment id)")
        out[part.strip()] = assignment_id.strip()
    return out
