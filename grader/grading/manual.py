"""Written answers: exported for the instructor to score, their scores merged back into every
output (`--json`, gradebooks, feedback pages, Gradescope and PrairieLearn results).

    grader manual export submissions/ --out answers.csv     # one row per student and written answer
    (fill in `score`, and `comment` if you like, in any spreadsheet)
    grader check submissions/ --manual answers.csv ...       # scores merged

A row names its submission by any of: `path` (relative to the graded folder, as exported), the
submission's folder or file name, `student`, or optional `folder`, `id` and `email` columns (a
Canvas user id, an SIS id or login, the e-mail Gradescope knows the student by), case ignored.
A name two submissions share is never guessed: only a key that names one submission counts.
A row left without a score keeps its answer `manual` (to be scored: never 0). Rows refused (a
score that is not a number, negative or above `max_points`, an unknown written answer, an answer
not waiting for a score) or matching no submission are listed, and `grader check --manual` then
ends with exit status 3 (EXIT_ROWS_NOT_MERGED) after writing every output.
The export puts the model answer (read from solutions/) and the rubric (the exercise's
declaration, ManualCheck.rubric) beside each student's text, for the person scoring. Student
text in the CSV is neutralised against spreadsheet formulas (report.csv_cell)."""

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

COLUMNS = ["student", "path", "exercise", "check", "answer", "max_points", "score", "comment", "text",
           "model_answer", "rubric"]
ID_COLUMNS = ("path", "student", "folder", "id", "email")  # any of them may name the submission
SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
EXIT_ROWS_NOT_MERGED = 3  # `grader check --manual`: outputs written, but rows were refused or matched nobody


def written_checks() -> list[tuple[str, ManualCheck]]:
    """(exercise id, check) for every written answer the exercises declare."""
    return [(ex.id, c) for ex in exercises.all_exercises() for c in ex.all_checks() if isinstance(c, ManualCheck)]


def model_answers(solutions: Path = SOLUTIONS) -> dict[tuple[str, str], str]:
    """(exercise, check) -> the model answer's text, read from the solution notebooks exactly as
    a student's answer is read (never executed); none where there is no solutions/ folder."""
    from grader.engine.notebook import read_submission

    out = {}
    for ex_id, check in written_checks():
        path = solutions / f"{ex_id}.ipynb"
        if path.is_file():
            text = check.text(read_submission(path).answers)
            if text:
                out[(ex_id, check.name)] = text
    return out


def export_rows(paths: Iterable[str | Path], base: str | Path | None = None) -> list[dict]:
    """One row per student and written answer they wrote (an answer not written is `missing`
    and scores 0 without anyone reading it, so it has no row), with the model answer and the
    rubric beside it. Never runs learner code."""
    from grader.grading.grade import find_submissions, read_unit

    paths = list(paths)
    units = find_submissions(paths)
    if base is None:
        from grader.grading.report import graded_folder

        base = graded_folder(paths)
    models = model_answers()
    rows = []
    for unit in units:
        sub = read_unit(unit)
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
                "model_answer": models.get((ex_id, check.name), ""), "rubric": check.rubric,
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


@dataclass(eq=False)  # one object per CSV row: rows are told apart by identity
class Score:
    points: float
    comment: str
    line: int = 0  # the row's line in the CSV, for messages
    who: str = ""  # how the row names the student, for messages


def _unquote(text: str) -> str:
    """Undo csv_cell's apostrophe (a spreadsheet may keep it) so a comment reads as written."""
    return text[1:] if text[:2] in ("'=", "'+", "'-", "'@") else text


def _key(text) -> str:
    """A name as matched: case, surrounding space, a leading `./` and a trailing `/` ignored."""
    text = _unquote(str(text or "").strip()).strip().lower()
    text = text[2:] if text.startswith("./") else text
    return text.rstrip("/")


def read_scores(text: str) -> tuple[dict[tuple[str, str, str], Score], list[str]]:
    """{(key, exercise, check): Score} from a filled answers.csv (every name a row gives the
    student maps to the same Score), and the rows refused."""
    known = {(ex_id, c.name): c.points for ex_id, c in written_checks()}
    scores: dict[tuple[str, str, str], Score] = {}
    problems: list[str] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))  # Excel adds a byte-order mark
    fields = set(reader.fieldnames or [])
    missing = {"exercise", "check", "score"} - fields
    if missing:
        return {}, [f"answers CSV lacks column(s): {', '.join(sorted(missing))}"]
    if not fields & set(ID_COLUMNS):
        return {}, [f"answers CSV names no student: give one of the columns {', '.join(ID_COLUMNS)}"]
    for n, row in enumerate(reader, start=2):
        raw = (row.get("score") or "").strip()
        if not raw:
            continue  # not scored yet: stays `manual`
        ex_id, name = (row.get("exercise") or "").strip(), (row.get("check") or "").strip()
        keys = {_key(row.get(c)) for c in ID_COLUMNS} - {""}
        who = next((str(row.get(c)).strip() for c in ID_COLUMNS if _key(row.get(c))), "")
        where = f"line {n} ({who} {ex_id} {name})"
        if (ex_id, name) not in known:
            problems.append(f"{where}: no written answer {ex_id}/{name}")
            continue
        if not keys:
            problems.append(f"{where}: the row names no student (fill in path, student, folder, id or email)")
            continue
        try:
            points = float(raw.replace(",", "."))
        except ValueError:
            problems.append(f"{where}: score {raw!r} is not a number")
            continue
        if not (0 <= points <= known[(ex_id, name)]):
            problems.append(f"{where}: score {raw} is outside 0..{fmt_points(known[(ex_id, name)])}")
            continue
        score = Score(points, _unquote((row.get("comment") or "").strip()), n, who)
        for key in keys:
            scores[(key, ex_id, name)] = score
    return scores, problems


def submission_keys(r: SubmissionResult, base: str | Path | None = None) -> set[str]:
    """Every name a scores row may give this submission: its path relative to the graded folder,
    its folder or file name (with and without .ipynb), the student, the notebook's label, and
    the ids a platform or the intake attached (`canvas_user_id`, `email`) where present."""
    path = Path(r.path)
    keys = {relative_path(r.path, base), str(r.path), path.name, path.stem, r.student, r.label,
            getattr(r, "canvas_user_id", None), getattr(r, "email", None)}
    return {_key(k) for k in keys if k not in (None, "")} - {"", "."}


def merge(results: list[SubmissionResult], scores: dict[tuple[str, str, str], Score],
          base: str | Path | None = None, report_unmatched: bool = True) -> list[str]:
    """Put the instructor's scores into the results (in place); returns what was not merged:
    rows naming no submission (when `report_unmatched`: a platform grading one submission of a
    class passes False), rows naming two, rows for an answer not waiting for a score. Rows for
    an exercise this run did not grade (a scoped run) are left alone. A scored answer becomes
    `pass` (full points) or `fail` (less), with scored_by="instructor"."""
    owners: dict[str, set[int]] = {}
    for i, r in enumerate(results):
        for k in submission_keys(r, base):
            owners.setdefault(k, set()).add(i)
    rows: dict[int, tuple[Score, str, str, set[str]]] = {}
    for (key, ex_id, name), score in scores.items():
        rows.setdefault(id(score), (score, ex_id, name, set()))[3].add(key)
    graded = {e.id for r in results for e in r.exercises}
    problems = []
    for score, ex_id, name, keys in sorted(rows.values(), key=lambda row: row[0].line):
        where = f"line {score.line} ({score.who} {ex_id} {name})" if score.line else f"{min(keys)} {ex_id} {name}"
        if ex_id not in graded:
            continue
        found = {i for k in keys for i in owners.get(k, ()) if len(owners[k]) == 1}
        if len(found) > 1:
            problems.append(f"{where}: its names point at {len(found)} different submissions; not merged")
            continue
        if not found:
            shared = sorted(k for k in keys if len(owners.get(k, ())) > 1)
            if shared:
                problems.append(f"{where}: {shared[0]!r} names {len(owners[shared[0]])} submissions (give the "
                                "path to tell them apart); not merged")
            elif report_unmatched:
                problems.append(f"{where}: matches no graded submission; not merged")
            continue
        r = results[found.pop()]
        e = next((e for e in r.exercises if e.id == ex_id), None)
        c = next((c for c in e.checks if c.name == name), None) if e else None
        if c is None or c.status != "manual":
            problems.append(f"{where}: that answer of {r.student} is {c.status if c else 'not graded'}, not waiting "
                            "for a score; not merged")
            continue
        c.points = score.points
        c.status = "pass" if score.points >= c.max_points else "fail"
        c.scored_by = "instructor"
        head = f"Scored by your instructor: {fmt_points(score.points)} / {fmt_points(c.max_points)}"
        c.message = f"{head}. {score.comment}" if score.comment else head
    return problems


def merge_file(results: list[SubmissionResult], csv_path: str | Path, base: str | Path | None = None,
               report_unmatched: bool = True) -> list[str]:
    """Read and merge a filled answers CSV; every row refused or not merged, as one message each."""
    scores, problems = read_scores(Path(csv_path).read_text(encoding="utf-8"))
    return problems + merge(results, scores, base, report_unmatched)


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
