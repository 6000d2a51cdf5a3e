"""PrairieLearn external grader: `grader check /grade/student --format prairielearn` writes
/grade/results/results.json as PrairieLearn's external-grading documentation specifies
(prairielearn.readthedocs.io/en/latest/externalGrading/, "Grading results"):

- `score` in [0, 1]: the automatic points over the automatic maximum (written answers still to
  be scored are left out of both, and said so in `message`);
- `gradable`: false, with `format_errors`, when the notebook cannot be read (not JSON, nbformat 3,
  no notebook at all...): PrairieLearn then awards and deducts nothing and the student keeps the
  attempt;
- `message`, `output`, and `tests[]` with `name`, `description`, `points`, `max_points`,
  `message` and `output` (plain text: the counterexample rows as text).
The file is capped under PrairieLearn's 1 MB limit: counterexample rows, then outputs, are
trimmed (with a note) until it fits. Hidden checks' fixture rows are left out unless asked for.
The root is $PRAIRIELEARN_GRADE_ROOT (default /grade)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from grader.grading.report import atomic_write, fmt_points
from grader.engine.results import SubmissionResult, bound_submission
from grader.grading.platforms import check_text, grade_one

ROOT_ENV = "PRAIRIELEARN_GRADE_ROOT"
MAX_BYTES = 1_000_000  # PrairieLearn: "this file should be limited to 1 MB"


def results_json(r: SubmissionResult, hidden_rows: bool = False, max_rows: int = 12) -> dict:
    r = bound_submission(r, show_hidden_rows=hidden_rows)  # the one rule for hidden rows and text bounds
    if r.status == "invalid":
        return {"gradable": False, "format_errors": [r.reason or "the submission could not be read"],
                "message": f"Your submission could not be graded: {r.reason}. This attempt does not count; "
                           "fix the notebook and submit again."}
    tests = []
    for e in r.exercises:
        for c in e.checks:
            test = {
                "name": f"{e.id} {c.name}",
                "description": f"{e.title}" + (" (hidden check)" if c.hidden else "")
                               + (" (written answer, scored by your instructor)" if c.pending else ""),
                "points": 0 if c.pending else c.points,
                "max_points": 0 if c.pending else c.max_points,  # not yet in the total: never a 0 of N
                "message": c.message,
                "output": check_text(c, max_rows),
            }
            tests.append(test)
    score = r.score / r.max_score if r.max_score else 0.0
    message = f"{fmt_points(r.score)} / {fmt_points(r.max_score)} from the automatic checks"
    if r.manual_pending:
        message += f"; {fmt_points(r.manual_pending)} more points of written answers are scored by your instructor"
    return {"gradable": True, "score": min(1.0, max(0.0, score)), "message": message,
            "output": "\n".join(f"{e.id}: {fmt_points(e.score)} / {fmt_points(e.max_score)}"
                                 + (f" (+{fmt_points(e.manual_pending)} written, to be scored)" if e.manual_pending else "")
                                 for e in r.exercises)
                      + "".join(f"\n{n}" for n in r.notes),
            "tests": tests}


def _size(data: dict) -> int:
    return len(json.dumps(data, ensure_ascii=False).encode("utf-8"))


def capped(r: SubmissionResult, hidden_rows: bool = False, limit: int = MAX_BYTES) -> dict:
    """results_json, trimmed to fit `limit` bytes: fewer counterexample rows first, then each
    test's output and message cut, never the scores."""
    for rows in (12, 4, 1, 0):
        data = results_json(r, hidden_rows, max_rows=rows)
        if _size(data) <= limit:
            return data
    budget = max(200, (limit // 2) // max(1, len(data.get("tests", []))))
    for t in data.get("tests", []):
        for key in ("output", "message"):
            if len(t[key]) > budget:
                t[key] = t[key][:budget] + " … (cut to fit PrairieLearn's 1 MB limit)"
    data["output"] = data.get("output", "")[:budget]
    return data


def grade_root() -> Path:
    return Path(os.environ.get(ROOT_ENV) or "/grade")


def cmd(args) -> int:
    """`grader check PATH --format prairielearn [--results FILE]`: exactly one submission."""
    if len(args.paths) != 1:
        print("grader check --format prairielearn: give one submission (PrairieLearn grades one at a time)")
        return 2
    result = grade_one(Path(args.paths[0]), hidden=not args.public_only, timeout_s=args.timeout)
    if args.manual and result.status == "graded":
        from grader.grading import manual

        for problem in manual.merge_file([result], args.manual, Path(args.paths[0])):
            print(f"--manual: {problem}")
    data = capped(result, hidden_rows=args.feedback_hidden_rows)
    out = Path(args.results) if args.results else grade_root() / "results" / "results.json"
    atomic_write(out, json.dumps(data, indent=2, ensure_ascii=False))
    print(f"wrote {out}: " + (f"score {data['score']}" if data.get("gradable", True) else "not gradable"))
    return 0
