"""Where instructors grade: each platform's own format, one module per platform.

  gradescope.py    the autograder zip (`grader release gradescope OUT/`) and its run in the container
  prairielearn.py  an external grader's results.json (`grader check --format prairielearn`, and the
                   entrypoint of the questions `grader release prairielearn` writes)
  canvas.py        the gradebook CSV Canvas imports (`--gradebook-format canvas --roster roster.csv`)
  moodle.py        the grading worksheet Moodle uploads (`--gradebook-format moodle --roster worksheet.csv`)

What they share is here: the points each exercise is worth (automatic and written), how a name
is compared with a roster's (name_key), the HTML
of one check (message and counterexample tables) and the single-submission resolution a
platform container needs."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from grader.grading.report import fmt
from grader.engine.results import CheckResult, SubmissionResult


def name_key(text: str | None) -> str:
    """A name as a roster is searched by: lower case, letters and digits only (`Lovelace, Ada`,
    `ada_lovelace` and `Ada Lovelace` differ only in order, which callers try both ways)."""
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def points_by_exercise(only=None, hidden: bool = True) -> list[tuple[str, float, float]]:
    """(exercise id, automatic points, written points) from the declarations, in course order:
    what a platform is told each exercise is worth (written answers are ManualChecks)."""
    from grader.course import exercises
    from grader.engine.checks import ManualCheck

    out = []
    for ex in exercises.all_exercises():
        if only and ex.id not in only:
            continue
        written = sum(c.points for c in ex.all_checks(hidden) if isinstance(c, ManualCheck))
        out.append((ex.id, ex.max_points(hidden) - written, written))
    return out


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


def grade_one(folder: Path, only=None, hidden: bool = True, timeout_s: float = 5.0,
              budget_s: float | None = None, scope_to_present: bool = False) -> SubmissionResult:
    """Grade what a platform put in `folder` (one notebook, or a student's exercise notebooks,
    possibly one folder down; or one uploaded notebook file itself) as ONE submission; anything
    else is an `invalid` result saying why. Never raises.

    `only` names the exercises graded; else `scope_to_present` (PrairieLearn, where a question
    is one exercise and names its file) grades the exercises whose notebooks were handed in,
    so a folder holding only ex06.ipynb is scored over ex06; else every exercise."""
    import os
    import secrets

    from grader.delivery.copies import notebook_name
    from grader.engine.exercise import SECRET_ENV
    from grader.grading.grade import find_submissions, grade_path
    from grader.engine.sandbox import Limits

    # hidden fixtures disguised per run unless the instructor fixed a secret (as `grader check` does)
    os.environ.setdefault(SECRET_ENV, secrets.token_hex(16))
    folder = Path(folder)
    name = folder.name or "submission"
    limits = Limits(timeout_s=timeout_s)
    try:
        if folder.is_file() and not folder.is_symlink():  # one uploaded notebook, named as handed in
            if notebook_name(folder.name) is None:  # (Safari's `ex06.ipynb.json` is a notebook)
                return SubmissionResult(str(folder), name, "invalid", [], reason=f"{name} is not a notebook (.ipynb)")
            return explain_unreadable(grade_path(folder, hidden=hidden, limits=limits, only=only, budget_s=budget_s))
        if not folder.is_dir():
            return SubmissionResult(str(folder), name, "invalid", [], reason=f"no submission folder or notebook at {folder}")
        units = find_submissions([folder])
        if not units:
            return SubmissionResult(str(folder), name, "invalid", [],
                                    reason="no notebook (.ipynb) was found in the submission")
        if len(units) > 1:
            listed = ", ".join(os.path.relpath(u.path, folder) for u in units[:6])
            return SubmissionResult(str(folder), name, "invalid", [], reason=(
                f"found {len(units)} separate submissions ({listed}): hand in one notebook, or your exercise "
                "notebooks (ex01.ipynb … ex12.ipynb) together"))
        unit = units[0]
        if not only and scope_to_present:
            only = present_exercises(unit) or None
        # An exercise notebook (even a lone ex06.ipynb) stands for its folder: find_submissions
        # returns the folder, graded on every exercise the platform asks for (`only`).
        return explain_unreadable(grade_path(unit, hidden=hidden, limits=limits, only=only, budget_s=budget_s), unit)
    except Exception as exc:  # the platform must always get a result that says what happened
        return SubmissionResult(str(folder), name, "invalid", [], reason=f"the grader failed: {exc!r}")


def present_exercises(unit) -> list[str]:
    """The exercises whose notebooks a submission (an intake Unit, or a path) holds
    (`ex06.ipynb` -> ex06), in course order; empty for anything else (one notebook holding every
    answer is graded on all)."""
    from grader.course import exercises
    from grader.delivery.intake import unit_of
    from grader.delivery.units import Unit

    if not isinstance(unit, Unit):
        unit = unit_of(Path(unit))
    if unit.files:
        return [i for i in exercises.available() if i in unit.files]
    return list(unit.exercises or [])


def explain_unreadable(r: SubmissionResult, unit=None) -> SubmissionResult:
    """Checks left `missing` because their exercise's own notebook could not be read say which
    file and why, instead of "no answer named ex07 found" with the cause in a footnote. `unit`:
    the intake's Unit graded (else the one at the result's path)."""
    from grader.course import exercises
    from grader.delivery.intake import unit_of
    from grader.engine.notebook import exercise_id_of, read_submission

    if r.status != "graded":
        return r
    unit = unit or unit_of(Path(r.path))
    own = exercise_id_of(unit.path)
    files = dict(unit.files) if unit.files else ({own: unit.path} if own in exercises.IDS else {})
    broken: dict[str, str] = {}
    for exercise_id, f in files.items():
        e = next((e for e in r.exercises if e.id == exercise_id), None)
        if e is None or not any(c.status == "missing" for c in e.checks):
            continue  # only read again where a check lost its answer
        why = read_submission(f).invalid
        if why:
            broken[exercise_id] = f"{f.name} could not be read ({why})"
    for e in r.exercises:
        if e.id in broken:
            for c in e.checks:
                if c.status == "missing":
                    c.message = f"{broken[e.id]}, so this answer was not graded: fix that notebook and hand it in again"
    return r
