"""Written answers: exported for the instructor to score, their scores merged back into every
output (`--json`, gradebooks, feedback pages, Gradescope and PrairieLearn results).

    grader manual export submissions/ --out answers.csv     # one row per student and written answer
    (fill in `score`, and `comment` if you like, in any spreadsheet)
    grader check submissions/ --manual answers.csv ...       # scores merged

Rows are matched to submissions by `path` (relative to the graded folder, as exported), else
by `student` when that name is unique. A row left without a score keeps its answer `manual`
(to be scored: never 0). A score that is not a number, negative or above `max_points` is
refused with a message and the answer stays `manual`. Student text in the CSV is neutralised
against spreadsheet formulas (report.csv_cell)."""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from grader.course import exercises
from grader.engine.checks import ManualCheck
from grader.grading.report import atomic_write, csv_cell, fmt_points, relative_path
from grader.engine.results import SubmissionResult

COLUMNS = ["student", "path", "exercise", "check", "answer", "max_points", "score", "comment", "text"]


def written_checks() -> list[tuple[str, ManualCheck]]:
    """(exercise id, check) for every written answer the exercises declare."""
    return [(ex.id, c) for ex in exercises.all_exercises() for c in ex.all_checks() if isinstance(c, ManualCheck)]


def export_rows(paths: Iterable[str | Path], base: str | Path | None = None) -> list[dict]:
    """One row per student and written answer they wrote (an answer not written is `missing`
    and scores 0 without anyone reading it, so it has no row). Never runs learner code."""
    from grader.grading.grade import find_submissions, read_unit

    paths = list(paths)
    units = find_submissions(paths)
    if base is None:
        from grader.grading.report import graded_folder

        base = graded_folder(paths)
    rows = []
    for unit in units:
        sub = read_unit(Path(unit))
        if sub.invalid:
            continue
        for ex_id, check in written_checks():
            text = check.text(sub.answers_for(ex_id))
            if text is None:
                continue
            rows.append({
                "student": sub.student, "path": relative_path(str(unit), base), "exercise": ex_id,
                "check": check.name, "answer": check.label(), "max_points": fmt_points(check.points),
                "score": "", "comment": "", "text": text,
            })
    return rows


def to_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell(row.get(k, "")) for k in COLUMNS})
    return out.getvalue()


def export(paths: Iterable[str | Path], out: str | Path) -> int:
    rows = export_rows(paths)
    atomic_write(out, to_csv(rows))
    return len(rows)


@dataclass
class Score:
    points: float
    comment: str


def _unquote(text: str) -> str:
    """Undo csv_cell's apostrophe (a spreadsheet may keep it) so a comment reads as written."""
    return text[1:] if text[:2] in ("'=", "'+", "'-", "'@") else text


def read_scores(text: str) -> tuple[dict[tuple[str, str, str], Score], list[str]]:
    """{(path or student, exercise, check): Score} from a filled answers.csv, and problems found."""
    known = {(ex_id, c.name): c.points for ex_id, c in written_checks()}
    scores: dict[tuple[str, str, str], Score] = {}
    problems: list[str] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))  # Excel adds a byte-order mark
    missing = {"exercise", "check", "score"} - set(reader.fieldnames or [])
    if missing:
        return {}, [f"answers CSV lacks column(s): {', '.join(sorted(missing))}"]
    for n, row in enumerate(reader, start=2):
        raw = (row.get("score") or "").strip()
        if not raw:
            continue  # not scored yet: stays `manual`
        ex_id, name = (row.get("exercise") or "").strip(), (row.get("check") or "").strip()
        where = f"line {n} ({row.get('student', '')} {ex_id} {name})"
        if (ex_id, name) not in known:
            problems.append(f"{where}: no written answer {ex_id}/{name}")
            continue
        try:
            points = float(raw.replace(",", "."))
        except ValueError:
            problems.append(f"{where}: score {raw!r} is not a number")
            continue
        if not (0 <= points <= known[(ex_id, name)]):
            problems.append(f"{where}: score {raw} is outside 0..{fmt_points(known[(ex_id, name)])}")
            continue
        comment = _unquote((row.get("comment") or "").strip())
        for key in {(row.get("path") or "").strip(), (row.get("student") or "").strip()} - {""}:
            scores[(key, ex_id, name)] = Score(points, comment)
    return scores, problems


def merge(results: list[SubmissionResult], scores: dict[tuple[str, str, str], Score],
          base: str | Path | None = None) -> list[str]:
    """Put the instructor's scores into the results (in place); returns what could not be merged.
    A scored answer becomes `pass` (full points) or `fail` (less), with scored_by="instructor"."""
    students = [r.student for r in results]
    problems = []
    for r in results:
        keys = [relative_path(r.path, base)]
        if students.count(r.student) == 1:
            keys.append(r.student)  # a namesake in another folder must be told apart by path
        for e in r.exercises:
            for c in e.checks:
                if c.status != "manual":
                    continue
                score = next((scores[(k, e.id, c.name)] for k in keys if (k, e.id, c.name) in scores), None)
                if score is None:
                    continue
                c.points = score.points
                c.status = "pass" if score.points >= c.max_points else "fail"
                c.scored_by = "instructor"
                head = f"Scored by your instructor: {fmt_points(score.points)} / {fmt_points(c.max_points)}"
                c.message = f"{head}. {score.comment}" if score.comment else head
    return problems


def merge_file(results: list[SubmissionResult], csv_path: str | Path, base: str | Path | None = None) -> list[str]:
    scores, problems = read_scores(Path(csv_path).read_text(encoding="utf-8"))
    return problems + merge(results, scores, base)


# ---------- the `manual` verb ----------

def cmd_manual(args) -> int:
    from grader.grading.grade import find_submissions

    try:
        if not find_submissions(args.paths):
            print("grader manual export: no .ipynb files found", file=sys.stderr)
            return 2
    except FileNotFoundError as exc:
        print(f"grader manual export: {exc}", file=sys.stderr)
        return 2
    n = export(args.paths, args.out)
    print(f"wrote {args.out}: {n} written answer(s) to score (fill in `score`, then "
          f"`grader check ... --manual {args.out}`)")
    return 0


def register(subparsers) -> None:
    m = subparsers.add_parser("manual", help="written answers: export them for scoring (merge with check --manual)")
    m.add_argument("action", choices=["export"])
    m.add_argument("paths", nargs="+", help=".ipynb files or folders holding them (as for `grader check`)")
    m.add_argument("--out", required=True, metavar="ANSWERS.csv", help="the CSV to write")
    m.set_defaults(func=cmd_manual)
