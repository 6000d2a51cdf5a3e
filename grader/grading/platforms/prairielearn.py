"""PrairieLearn external grader: writes /grade/results/results.json as PrairieLearn's external
grading documentation specifies (docs.prairielearn.com, "External Grading", "Grading results"):

- `score` in [0, 1]: the automatic points over the automatic maximum of the exercises graded
  (written answers are PrairieLearn's manual points, `manualPoints` in infoAssessment.json: left
  out of both, listed with the student's text for course staff, never a 0 of N);
- `gradable`: false, with `format_errors`, only when the notebook cannot be read (not JSON,
  nbformat 3, no notebook at all...): PrairieLearn then awards and deducts nothing and the
  student keeps the attempt;
- `message`, `output`, and `tests[]` with `name`, `description`, `points`, `max_points`,
  `message` and `output` (plain text: the counterexample rows as text), as
  <pl-external-grader-results> renders them.
The file is capped under PrairieLearn's 1 MB limit: counterexample rows, then outputs, are
trimmed (with a note) until it fits. Hidden checks' fixture rows are left out unless asked for;
`hide_hidden_details` goes further and folds an exercise's hidden checks into one test that
shows their points only. The root is $PRAIRIELEARN_GRADE_ROOT (default /grade).

Two ways in, one behaviour:
    grader check /grade/student --format prairielearn [--results FILE]    (the `check` verb)
    python -m grader.grading.platforms.prairielearn [--exercises ex06] [--hide-hidden-details]
        [--budget S] [/grade/student]    (the entrypoint `grader release prairielearn` writes)
/grade/student may hold one uploaded notebook or a student's exercise notebooks; without
`--exercises`, the exercises graded are those whose notebooks were handed in (a question per
exercise names its one file), or all of them for a single notebook holding every answer."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from grader.grading.report import atomic_write, fmt_points
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult, bound_submission
from grader.grading.platforms import check_text, grade_one

ROOT_ENV = "PRAIRIELEARN_GRADE_ROOT"
MAX_BYTES = 1_000_000  # PrairieLearn: "this file should be limited to 1 MB"


def _test(e: ExerciseResult, c: CheckResult, max_rows: int, written: dict[tuple[str, str], str]) -> dict:
    if c.pending:  # PrairieLearn's manual points: course staff read it there; not in the auto score
        text = written.get((e.id, c.name))
        return {"name": f"{e.id} {c.name}",
                "description": f"{e.title} (written answer, {fmt_points(c.max_points)} manual point(s), "
                               "scored by course staff)",
                "points": 0, "max_points": 0, "message": c.message,
                "output": f"Your answer, as course staff will read it:\n{text}" if text else check_text(c, max_rows)}
    return {"name": f"{e.id} {c.name}",
            "description": f"{e.title}" + (" (hidden check)" if c.hidden else ""),
            "points": c.points, "max_points": c.max_points, "message": c.message,
            "output": check_text(c, max_rows)}


def _folded_hidden(e: ExerciseResult, hidden: list[CheckResult]) -> dict:
    """An exercise's hidden checks as one test: points only, no names or messages."""
    passed = sum(1 for c in hidden if c.status == "pass")
    return {"name": f"{e.id} hidden checks", "description": f"{e.title} (hidden checks; details withheld)",
            "points": round(sum(c.points for c in hidden), 4), "max_points": round(sum(c.max_points for c in hidden), 4),
            "message": f"{passed} of {len(hidden)} hidden checks passed. Which ones, and why, is withheld "
                       "by your instructor.", "output": ""}


def results_json(r: SubmissionResult, hidden_rows: bool = False, max_rows: int = 12, hide_hidden_details: bool = False,
                 written: dict[tuple[str, str], str] | None = None) -> dict:
    r = bound_submission(r, show_hidden_rows=hidden_rows)  # the one rule for hidden rows and text bounds
    if r.status == "invalid":
        return {"gradable": False, "format_errors": [r.reason or "the submission could not be read"],
                "message": f"Your submission could not be graded: {r.reason}. This attempt does not count; "
                           "fix the notebook and submit again."}
    tests = []
    for e in r.exercises:
        hidden = [c for c in e.checks if c.hidden and not c.pending] if hide_hidden_details else []
        tests.extend(_test(e, c, max_rows, written or {}) for c in e.checks if c not in hidden)
        if hidden:
            tests.append(_folded_hidden(e, hidden))
    score = r.score / r.max_score if r.max_score else 0.0
    message = f"{fmt_points(r.score)} / {fmt_points(r.max_score)} from the automatic checks"
    if r.manual_pending:
        message += (f"; {fmt_points(r.manual_pending)} more points of written answers are scored by course staff "
                    "(PrairieLearn's manual grading)")
    if r.status == "timeout":
        message += f". Grading stopped: {r.reason}"
    return {"gradable": True, "score": min(1.0, max(0.0, score)), "message": message,
            "output": "\n".join(f"{e.id}: {fmt_points(e.score)} / {fmt_points(e.max_score)}"
                                 + (f" (+{fmt_points(e.manual_pending)} written, to be scored)" if e.manual_pending else "")
                                 for e in r.exercises)
                      + "".join(f"\n{n}" for n in r.notes),
            "tests": tests}


def _size(data: dict) -> int:
    return len(json.dumps(data, ensure_ascii=False).encode("utf-8"))


def capped(r: SubmissionResult, hidden_rows: bool = False, limit: int = MAX_BYTES, hide_hidden_details: bool = False,
           written: dict[tuple[str, str], str] | None = None) -> dict:
    """results_json, trimmed to fit `limit` bytes: fewer counterexample rows first, then each
    test's output and message cut, never the scores."""
    for rows in (12, 4, 1, 0):
        data = results_json(r, hidden_rows, max_rows=rows, hide_hidden_details=hide_hidden_details, written=written)
        if _size(data) <= limit:
            return data
    budget = max(200, (limit // 2) // max(1, len(data.get("tests", []))))
    for t in data.get("tests", []):
        for key in ("output", "message"):
            if len(t[key]) > budget:
                t[key] = t[key][:budget] + " … (cut to fit PrairieLearn's 1 MB limit)"
    data["output"] = data.get("output", "")[:budget]
    return data


def written_texts(r: SubmissionResult) -> dict[tuple[str, str], str]:
    """(exercise, check) -> what the student wrote, for the written answers still to be scored."""
    from grader.course import exercises
    from grader.engine.checks import ManualCheck
    from grader.grading.grade import read_unit

    pending = {(e.id, c.name) for e in r.exercises for c in e.checks if c.pending}
    if not pending or r.status == "invalid":
        return {}
    sub = read_unit(Path(r.path))
    out = {}
    for ex_id, name in pending:
        check = next(c for c in exercises.get(ex_id).all_checks() if isinstance(c, ManualCheck) and c.name == name)
        text = check.text(sub.answers_for(ex_id))
        if text:
            out[(ex_id, name)] = text
    return out


def grade_root() -> Path:
    return Path(os.environ.get(ROOT_ENV) or "/grade")


def grade_and_write(student: Path, results: Path | None = None, *, only=None, hidden: bool = True,
                    timeout_s: float = 5.0, budget_s: float | None = None, hidden_rows: bool = False,
                    hide_hidden_details: bool = False, manual_csv: str | None = None) -> dict:
    """Grade one submission and write results.json (creating /grade/results, which PrairieLearn
    does not create). Never raises for a bad submission."""
    result = grade_one(student, only=only, hidden=hidden, timeout_s=timeout_s, budget_s=budget_s, scope_to_present=True)
    if manual_csv and result.status == "graded":
        from grader.grading import manual

        for problem in manual.merge_file([result], manual_csv, student, report_unmatched=False):
            print(f"--manual: {problem}")
    data = capped(result, hidden_rows=hidden_rows, hide_hidden_details=hide_hidden_details,
                  written=written_texts(result))
    out = Path(results) if results else grade_root() / "results" / "results.json"
    atomic_write(out, json.dumps(data, indent=2, ensure_ascii=False))
    print(f"wrote {out}: " + (f"score {data['score']}" if data.get("gradable", True) else "not gradable"))
    return data


def cmd(args) -> int:
    """`grader check PATH --format prairielearn [--results FILE]`: exactly one submission."""
    if len(args.paths) != 1:
        print("grader check --format prairielearn: give one submission (PrairieLearn grades one at a time)")
        return 2
    grade_and_write(Path(args.paths[0]), args.results, only=getattr(args, "exercises", None) or None,
                    hidden=not args.public_only, timeout_s=args.timeout, budget_s=args.budget,
                    hidden_rows=args.feedback_hidden_rows, hide_hidden_details=getattr(args, "hide_hidden_details", False),
                    manual_csv=args.manual)
    return 0


def main(argv: list[str] | None = None) -> int:
    """The entrypoint inside PrairieLearn's grading container (see grader/authoring/prairielearn_release.py)."""
    from grader.course import exercises

    p = argparse.ArgumentParser(prog="python -m grader.grading.platforms.prairielearn")
    p.add_argument("student", nargs="?", help="the submission (default $PRAIRIELEARN_GRADE_ROOT/student, root /grade)")
    p.add_argument("--exercises", nargs="+", choices=exercises.IDS, help="grade these exercises (default: those handed in)")
    p.add_argument("--hide-hidden-details", action="store_true", help="hidden checks: one line per exercise, points only")
    p.add_argument("--hidden-rows", action="store_true", help="show hidden checks' fixture rows too")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds each statement may run (default 5)")
    p.add_argument("--budget", type=float, default=None, help="seconds for the whole submission (default 60)")
    p.add_argument("--results", help="where results.json goes (default $PRAIRIELEARN_GRADE_ROOT/results/results.json)")
    args = p.parse_args(argv)
    grade_and_write(Path(args.student) if args.student else grade_root() / "student", args.results,
                    only=args.exercises, timeout_s=args.timeout, budget_s=args.budget, hidden_rows=args.hidden_rows,
                    hide_hidden_details=args.hide_hidden_details)
    return 0


if __name__ == "__main__":
    sys.exit(main())
