"""Moodle: the offline grading worksheet that an assignment's "Upload grading worksheet" reads.

    grader check download.zip --gradebook-format moodle --roster worksheet.csv --gradebook upload.csv

What Moodle writes and reads (moodle/moodle: mod/assign/gradingtable.php in download mode,
mod/assign/feedback/offline/importgradeslib.php and locallib.php `process_import_grades`; the
English strings of mod/assign/lang/en/assign.php). The worksheet (Grading action > "Download
grading worksheet", with the assignment's "Offline grading worksheet" feedback type on) is a CSV
whose columns include `Identifier` ("Participant " and the participant id: the number that
"Download all submissions" puts in each student's file and folder names, read by lms_names),
`Full name`, `Email address`, `Grade`, `Maximum grade` (`Scale` where the assignment is graded on
a scale), `Grade can be changed`, `Last modified (grade)` and, with feedback comments on,
`Feedback comments`. The upload finds the columns by those names, takes the id from the
Identifier, and sets a row's grade when it is a number from 0 to the assignment's maximum that
differs from Moodle's, the grade is not locked, and Moodle's grade was not changed after the
row's `Last modified (grade)` (unless the upload ticks "Allow updating records that have been
modified more recently in Moodle"); a feedback cell replaces the comment when it differs.

This writes the worksheet back as downloaded, with two cells filled for every student whose
submission was graded: `Grade`, the submission's total scaled to the row's `Maximum grade` (two
decimals; written answers not yet scored count as 0 until `--manual` merges them), and `Feedback comments`, where the column exists and the cell is empty (a comment
already typed in Moodle is kept), one line of points per exercise. Every other cell stays as it
was (names and e-mails neutralised against spreadsheet formulas, which the upload never reads).
A student with no graded submission keeps an empty grade: Moodle skips it, it never becomes 0. A
submission is matched to its row by the participant id of a Moodle download (its `login`), else
by the row's full name or e-mail; one matching no row, or several, is listed, never guessed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.engine.results import SubmissionResult
from grader.grading.platforms import name_key
from grader.grading.report import atomic_write, csv_cell, fmt_points, relative_path

IDENTIFIER, GRADE, MAXIMUM, SCALE = "Identifier", "Grade", "Maximum grade", "Scale"
MODIFIED, FEEDBACK, CHANGEABLE = "Last modified (grade)", "Feedback comments", "Grade can be changed"
PARTICIPANT = "Participant "  # get_string('hiddenuser', 'assign'): the Identifier's prefix
READ_BY_MOODLE = (IDENTIFIER, GRADE, MODIFIED, FEEDBACK)  # cells the upload reads: never altered but for ours


def read_worksheet(text: str) -> tuple[list[str], list[dict]]:
    """The worksheet's header and rows; raises ValueError when it is not a grading worksheet or
    the assignment is graded on a scale (points have no place on one)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = list(reader.fieldnames or [])
    missing = [c for c in (IDENTIFIER, GRADE, MODIFIED) if c not in header]
    if missing:
        raise ValueError(f"the roster is not a Moodle grading worksheet: no {', '.join(missing)} column "
                         "(download it from the assignment: Grading action > Download grading worksheet)")
    if MAXIMUM not in header:
        why = "is graded on a scale" if SCALE in header else f"has no {MAXIMUM} column"
        raise ValueError(f"the worksheet's assignment {why}: set it to points (Grade > Type: Point) to upload scores")
    return header, [dict(row) for row in reader]


def _kept(column: str, cell: str) -> str:
    """A cell as downloaded. Those Moodle's upload reads stay exactly so, as does its `-` (no
    date); the rest (names, e-mails, online text: what students wrote) is neutralised against
    spreadsheet formulas, since the worksheet is opened in one before it is uploaded."""
    return cell if column in READ_BY_MOODLE or cell == "-" else csv_cell(cell)


def _participant(row: dict) -> str:
    ident = (row.get(IDENTIFIER) or "").strip()
    return ident[len(PARTICIPANT):].strip() if ident.startswith(PARTICIPANT) else ident


def match(results: list[SubmissionResult], rows: list[dict]) -> tuple[dict[int, int], list[int]]:
    """{result index: row index} and the results matching no row (or several)."""
    by_id = {_participant(r): i for i, r in enumerate(rows) if _participant(r)}
    by_name: dict[str, set[int]] = {}
    for i, r in enumerate(rows):
        email = (r.get("Email address") or "").strip()
        for key in (r.get("Full name"), email, email.split("@", 1)[0] if "@" in email else ""):
            if name_key(key):
                by_name.setdefault(name_key(key), set()).add(i)
    matched, unmatched = {}, []
    for j, res in enumerate(results):
        login = str(getattr(res, "login", None) or "")
        if login in by_id:
            matched[j] = by_id[login]
            continue
        found = by_name.get(name_key(res.student), set()) or by_name.get(name_key(login), set())
        if len(found) == 1:
            matched[j] = next(iter(found))
        else:
            unmatched.append(j)
    return matched, unmatched


def _grade(r: SubmissionResult, maximum: str) -> str:
    """The total out of the row's maximum. Written answers still to be scored count in the
    whole (as 0 until scored): a grade never runs ahead of what is known."""
    top = float(maximum.replace(",", "."))  # Moodle formats the maximum in the site's locale
    whole = r.max_score + (r.manual_pending or 0)
    return f"{r.score / whole * top:.2f}" if whole else ""


def _feedback(r: SubmissionResult) -> str:
    parts = ", ".join(f"{e.id} {fmt_points(e.score)}/{fmt_points(e.max_score)}" for e in r.exercises)
    pending = " (written answers still to be scored)" if r.manual_pending else ""
    return f"Week 12 workbook, graded automatically: {parts}; total {fmt_points(r.score)}/{fmt_points(r.max_score)}{pending}."


def render(results: list[SubmissionResult], worksheet: str, base: str | Path | None = None) -> tuple[str, list[str]]:
    """The worksheet with grades filled in, and the lines to tell the instructor."""
    header, rows = read_worksheet(worksheet)
    matched, unmatched = match(results, rows)
    notes = []
    got: dict[int, int] = {}
    for j, i in sorted(matched.items()):
        if i in got:
            notes.append(f"worksheet row {rows[i].get(IDENTIFIER)!r} matches {relative_path(results[got[i]].path, base)} "
                         f"and {relative_path(results[j].path, base)}: it holds the first")
            continue
        got[i] = j
    out = io.StringIO()
    w = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    w.writerow(header)
    for i, row in enumerate(rows):
        cells = {h: _kept(h, row.get(h) or "") for h in header}
        r = results[got[i]] if i in got else None
        if r is not None and r.status == "graded":
            cells[GRADE] = _grade(r, row.get(MAXIMUM) or "0")
            if FEEDBACK in header and not cells[FEEDBACK].strip():
                cells[FEEDBACK] = _feedback(r)
            if (row.get(CHANGEABLE) or "").strip().lower() == "no":
                notes.append(f"{row.get(IDENTIFIER)}: Moodle says the grade cannot be changed (locked or overridden "
                             "in the gradebook); the upload will skip it")
        w.writerow([cells[h] for h in header])
    for j in unmatched:
        r = results[j]
        notes.append(f"no worksheet row for submission {relative_path(r.path, base)} (named {r.student!r}): not in "
                     "the upload; a Moodle download names each student's participant id, which the worksheet holds")
    for r in results:
        if r.status != "graded":
            notes.append(f"{relative_path(r.path, base)} could not be graded ({r.reason}): its grade is left empty")
    pending = [r for r in results if r.status == "graded" and r.manual_pending]
    if pending:
        notes.append(f"{len(pending)} submission(s) have written answers still to be scored: they count as 0 in the "
                     "grade until you merge them (--manual) and upload again")
    return out.getvalue(), notes


def write(path: str | Path, results: list[SubmissionResult], worksheet: str | Path, base: str | Path | None = None) -> list[str]:
    text, notes = render(results, Path(worksheet).read_text(encoding="utf-8-sig"), base)
    atomic_write(path, text)
    return notes


def check_options(worksheet: str | Path | None) -> None:
    """Before grading: the worksheet is named and is one; raises ValueError saying what is wrong."""
    if not worksheet:
        raise ValueError("--gradebook-format moodle needs --roster WORKSHEET.csv (the assignment's grading worksheet)")
    read_worksheet(Path(worksheet).read_text(encoding="utf-8-sig"))
