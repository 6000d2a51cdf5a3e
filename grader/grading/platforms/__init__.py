"""Where instructors grade: each platform's own format, one module per platform.

  gradescope.py    the autograder zip (`grader release gradescope OUT/`) and its run in the container
  prairielearn.py  an external grader's results.json (`grader check --format prairielearn`)
  canvas.py        the gradebook CSV Canvas imports (`--gradebook-format canvas --roster roster.csv`)

What they share is here: the HTML of one check (message and counterexample tables) and the
single-submission resolution a platform container needs."""

from __future__ import annotations

from html import escape
from pathlib import Path

from grader.grading.report import fmt
from grader.engine.results import CheckResult, SubmissionResult


def check_html(c: CheckResult, max_rows: int = 12) -> str:
    """A check's message and tables, as small HTML (every value escaped). Give it a check from
    results.bound_submission, which withholds hidden checks' rows unless the instructor opts in."""
    parts = [f"<p>{escape(c.message)}</p>"]
    for t in c.tables:
        head = "".join(f"<th>{escape(str(col))}</th>" for col in t.columns)
        rows = "".join("<tr>" + "".join(f"<td>{escape(fmt(v))}</td>" for v in row) + "</tr>" for row in t.rows[:max_rows])
        more = f"<p>… {len(t.rows) - max_rows} more row(s)</p>" if len(t.rows) > max_rows else ""
        parts.append(f"<p><em>{escape(t.caption)}</em></p><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}")
    return "".join(parts)


def check_text(c: CheckResult, max_rows: int = 12) -> str:
    """The same as plain text (for formats that render no HTML)."""
    lines = [c.message]
    for t in c.tables:
        lines.append(t.caption)
        lines.append(" | ".join(str(col) for col in t.columns))
        lines.extend(" | ".join(fmt(v) for v in row) for row in t.rows[:max_rows])
        if len(t.rows) > max_rows:
            lines.append(f"… {len(t.rows) - max_rows} more row(s)")
    return "\n".join(lines)


def grade_one(folder: Path, only=None, hidden: bool = True, timeout_s: float = 5.0) -> SubmissionResult:
    """Grade what a platform put in `folder` (one notebook, or a student's exercise notebooks,
    possibly one folder down) as ONE submission; anything else is an `invalid` result saying
    why. Never raises."""
    import os
    import secrets

    from grader.engine.exercise import SECRET_ENV
    from grader.grading.grade import find_submissions, grade_path
    from grader.engine.sandbox import Limits

    # hidden fixtures disguised per run unless the instructor fixed a secret (as `grader check` does)
    os.environ.setdefault(SECRET_ENV, secrets.token_hex(16))
    name = folder.name or "submission"
    try:
        if not folder.is_dir():
            return SubmissionResult(str(folder), name, "invalid", [], reason=f"no submission folder at {folder}")
        units = find_submissions([folder])
        if not units:
            return SubmissionResult(str(folder), name, "invalid", [],
                                    reason="no notebook (.ipynb) was found in the submission")
        if len(units) > 1:
            listed = ", ".join(str(Path(u).relative_to(folder.resolve())) for u in units[:6])
            return SubmissionResult(str(folder), name, "invalid", [], reason=(
                f"found {len(units)} separate submissions ({listed}): hand in one notebook, or your exercise "
                "notebooks (ex01.ipynb … ex12.ipynb) together"))
        # An exercise notebook (even a lone ex06.ipynb) stands for its folder: find_submissions
        # returns the folder, graded on every exercise the platform asks for (`only`).
        return grade_path(Path(units[0]), hidden=hidden, limits=Limits(timeout_s=timeout_s), only=only)
    except Exception as exc:  # the platform must always get a result that says what happened
        return SubmissionResult(str(folder), name, "invalid", [], reason=f"the grader failed: {exc!r}")
