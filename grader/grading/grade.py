"""Grade submissions: answers -> checks in sandboxes -> results. The `check` verb.

`grade_many` grades a batch; `grade_path` one submission the same way. Neither ever raises on
a bad submission: it becomes a status. The batch design (issue 16):

- this process (the grader) forks one long-lived worker per core after preparing every check
  (the workers inherit what `Check.prepare` built); a worker reads a submission and runs its
  checks, sending each result as it finishes;
- the grader watches from outside: each submission has a budget (reading + checks, default
  60 s), each check `check_budget`; a worker past either, or whose watchdog reports a query
  that ignores DuckDB's interrupt, is killed and replaced, and the submission goes on from
  the next check in a fresh worker;
- a worker that dies costs the check it was on one retry in a fresh worker, then an `error`
  on that check; no later check runs SQL that wedged or killed a worker;
- workers die with the grader (PR_SET_PDEATHSIG, and a thread polling for the parent).
- an answer identical to one already graded in the batch (a blank cell, the same snippet) takes
  that result: the grader collects each shareable result (never a timeout, memory or grader
  error) and sends workers the new ones with their next submission (workers.py's `_answer_key`
  says what must match; `share=False` turns it off).

`grade_exercise(isolate=True)` (tests, one exercise) keeps the simpler child-per-call design."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import traceback
from pathlib import Path
from typing import Callable, Iterable

from grader.course import exercises
from grader.engine.exercise import Exercise
from grader.delivery import intake
from grader.delivery.units import Unit
from grader.engine.notebook import Submission, read_student, read_submission
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult, bound_submission
from grader.engine.sandbox import Limits
from grader.grading import workers as _workers
from grader.grading.steps import (  # noqa: F401
    CHILD_MEMORY_BYTES, Steps, assemble as _assemble, cap_memory as _cap_memory, check_budget, limits_for, rows_shown, show_name as _show_name,
)


def _run_check(check, answers: dict, limits: Limits) -> CheckResult:
    try:
        return check.run(answers, limits)
    except Exception as exc:  # a grader bug must not cost the student the whole batch
        traceback.print_exc()
        return CheckResult(check.name, "error", 0.0, check.points, f"internal grader error: {exc!r}", check.hidden)


def grade_exercise(
    ex: Exercise, answers: dict, hidden: bool = True, limits: Limits = Limits(), isolate: bool = False,
    show_hidden_rows: bool = True,
) -> ExerciseResult:
    """Run the exercise's checks. `isolate` (used when grading submissions) runs them in a child
    process that is killed when a statement ignores DuckDB's interrupt or memory limit. Without
    `show_hidden_rows`, a hidden check is not shrunk to a counterexample, as a class is graded
    (steps.limits_for); the verdicts are the same."""
    checks = ex.all_checks(hidden)
    if isolate and _can_fork():
        results = _run_isolated(checks, answers, limits)
    else:
        results = [_run_check(c, answers, limits_for(c, limits, show_hidden_rows)) for c in checks]
    return ExerciseResult(ex.id, ex.title, results)


# ---------- isolation: a child process per exercise, replaced when a check wedges it ----------

def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _child(checks, answers, limits, send) -> None:
    from grader.engine import sandbox

    _cap_memory()

    def stuck(seconds: float) -> None:
        send.send(("stuck", seconds))
        os._exit(0)

    sandbox.ON_STUCK = stuck
    inherited = getattr(sandbox, "_instances", None)
    if isinstance(inherited, dict):  # a DuckDB instance copied by fork is not safe to use
        keep_alive = dict(inherited)  # noqa: F841  (never closed: os._exit ends the child)
        inherited.clear()
    for i, check in enumerate(checks):
        send.send(("done", i, _run_check(check, _answers_at(answers, i), limits)))
    send.close()


def _answers_at(answers: dict | list[dict], i: int) -> dict:
    """One answer set for every check, or one per check (a student's notebooks, see read_student)."""
    return answers[i] if isinstance(answers, list) else answers


def _run_isolated(checks: list, answers: dict | list[dict], limits: Limits) -> list[CheckResult]:
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    results: list[CheckResult] = []
    while len(results) < len(checks):
        start = len(results)
        recv, send = ctx.Pipe(duplex=False)
        rest = answers[start:] if isinstance(answers, list) else answers
        proc = ctx.Process(target=_child, args=(checks[start:], rest, limits, send))
        proc.start()
        send.close()
        lost = None
        while len(results) < len(checks):
            check = checks[len(results)]
            try:
                if not recv.poll(check_budget(limits)):
                    lost = ("timeout", f"{check.answer}: the check did not finish within {check_budget(limits):g} s and was stopped")
                    break
                message = recv.recv()
            except (EOFError, OSError):
                lost = ("error", f"{check.answer}: the query crashed the grader's sandbox (it ran out of memory?)")
                break
            if message[0] == "stuck":
                lost = ("timeout", f"{check.answer}: stopped after {message[1]:g} s: the query builds one enormous "
                        "value (a huge string or list?) and never finished")
                break
            results.append(message[2])
        if lost:
            results.append(CheckResult(check.name, lost[0], 0.0, check.points, lost[1], check.hidden))
            # The same answer would wedge the next child too: its other checks are not re-run.
            while len(results) < len(checks) and checks[len(results)].answer == check.answer:
                nxt = checks[len(results)]
                results.append(CheckResult(nxt.name, lost[0], 0.0, nxt.points,
                                           f"{lost[1]} (not run again: see {check.name})", nxt.hidden))
        proc.kill()
        proc.join()
        recv.close()
    return results


def grade_path(path, hidden: bool = True, limits: Limits = Limits(), only=None, budget_s: float | None = None,
               show_hidden_rows: bool = False) -> SubmissionResult:
    """Grade one submission: a notebook file, or a student's folder of exercise notebooks, as
    grade_many does (in a worker process, under the submission budget). A lone exercise
    notebook (`ex06.ipynb` named on its own) is graded on its exercise only."""
    return grade_many([path if isinstance(path, Unit) else Path(path)], hidden, limits, workers=1, only=only, budget_s=budget_s,
                      show_hidden_rows=show_hidden_rows)[0]


def exercises_for(unit, only=None) -> list[str]:
    """The exercises a submission is graded on: `only` (a platform's question, a test), else
    what the intake set (a lone exercise notebook: its exercise; `--exercises`: those), else
    every exercise."""
    if only:
        return list(only)
    if not isinstance(unit, Unit):
        unit = intake.unit_of(Path(unit))
    return list(unit.exercises or exercises.available())


def read_unit(unit) -> Submission:
    """A submission as the intake names it (a Unit), or a path: a student's folder or one notebook."""
    if not isinstance(unit, Unit):
        unit = intake.unit_of(Path(unit))
    student = _show_name(unit.identity.student)
    if unit.files:
        sub = read_student(unit.files, student)
    elif unit.path.is_dir() and not unit.path.is_symlink():  # the intake's notes say why: they are the reason
        return Submission(str(unit.path), student, invalid="no exercise notebook in this hand-in could be read"
                          + (": " + "; ".join(unit.notes) if unit.notes else ""))
    else:
        sub = read_submission(unit.path)
        sub.student = student
    sub.notes[:0] = unit.notes
    return sub


def find_submissions(paths: Iterable[str | Path], log: Callable[[str], None] | None = None,
                     workdir: Path | None = None, only=None) -> list[Unit]:
    """The submissions under `paths` (folders, notebooks, .zip files), each once, sorted by
    path: one unit per student, as grader/delivery/intake.py decides (a class folder, a
    Canvas download, a Gradescope export, a student's folder with scratch copies beside).
    Zips are extracted below `workdir`; without one, into a temp folder removed when this
    process ends (`grader check` removes its own after the run). `log` is told what the
    instructor should know at once (splits, refusals, links)."""
    return intake.gather(paths, workdir, only=only, log=log).units


# Folders earlier grader versions left in the temp folder (one per process, never removed).
_OLD_TEMP_GLOB = "week12-grader-*"


def remove_stale_temp_folders() -> int:
    """Remove spill folders that grader processes which no longer run left behind; the count."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(_OLD_TEMP_GLOB):
        try:
            pid = int(folder.name.rsplit("-", 1)[1])
            os.kill(pid, 0)  # still running: not ours to remove
            continue
        except (ValueError, IndexError):
            continue
        except ProcessLookupError:
            pass
        except PermissionError:
            continue  # another user's running process
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


# The grader's steps for one submission (steps.py): a test swaps one with dataclasses.replace
# and passes the result to grade_many.
STEPS = Steps(read=read_unit, run_check=_run_check)


def grade_many(
    paths: list[Path],
    hidden: bool = True,
    limits: Limits = Limits(),
    workers: int | None = None,
    only=None,
    progress: Callable[[SubmissionResult], None] | None = None,
    budget_s: float | None = None,
    show_hidden_rows: bool = False,
    share: bool = True,
    steps: Steps = STEPS,
) -> list[SubmissionResult]:
    """Grade every path; results come back in `paths` order.

    Each submission gets `budget_s` (default DEFAULT_BUDGET_S, workers.py) for reading it and running all
    its checks, in a worker process this process watches and kills when the budget, a check's
    budget or an ignored interrupt says so; a worker that dies is replaced and the check it
    was on tried once more. Texts are bounded (results.bound_submission); a hidden check's
    rows and DuckDB's own error text on hidden data are withheld unless `show_hidden_rows`.
    `share`: an answer identical to one already graded in this batch (a blank cell, the same
    snippet) takes that result instead of running again (see workers._answer_key); False grades every
    answer afresh (the benchmark's reference path). `steps`: how a submission is read and a
    check run (STEPS; the workers are forked with them)."""
    jobs = _jobs(paths, hidden, limits, only, show_hidden_rows, share)
    if not jobs:
        return []
    if not _can_fork():  # no fork (Windows): in this process, one at a time, without a budget
        return _grade_jobs_here(jobs, progress, steps)
    budget_s = _workers.DEFAULT_BUDGET_S if budget_s is None else budget_s
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    _prepare(jobs, hidden, limits)
    results = _workers._grade_in_workers(jobs, workers, budget_s, progress, steps)
    return [_with_identity(r, j.unit) for r, j in zip(results, jobs)]


def grade_here(
    paths: list[Path],
    hidden: bool = True,
    limits: Limits = Limits(),
    only=None,
    progress: Callable[[SubmissionResult], None] | None = None,
    show_hidden_rows: bool = False,
    steps: Steps = STEPS,
) -> list[SubmissionResult]:
    """Grade every path in this process, one submission and one check at a time, with no budget
    and no worker to kill: what grade_many does where processes cannot fork, and what a profile
    of grading measures (`grader bench profile`: every check's CPU time is this process's)."""
    jobs = _jobs(paths, hidden, limits, only, show_hidden_rows, share=False)
    _prepare(jobs, hidden, limits)
    return _grade_jobs_here(jobs, progress, steps)


def _jobs(paths, hidden, limits, only, show_hidden_rows, share) -> list[_workers._Job]:
    units = [p if isinstance(p, Unit) else intake.unit_of(Path(p)) for p in paths]
    if units:
        remove_stale_temp_folders()
    return [_workers._Job(i, Path(u.key), exercises_for(u, only), hidden, limits, show_hidden_rows, share, unit=u)
            for i, u in enumerate(units)]


def _prepare(jobs, hidden: bool, limits: Limits) -> None:
    for ex_id in dict.fromkeys(i for j in jobs for i in j.exercise_ids):
        for check in exercises.get(ex_id).all_checks(hidden):  # built once, inherited by every worker
            check.prepare(limits)


def _grade_jobs_here(jobs, progress, steps: Steps) -> list[SubmissionResult]:
    return [_with_identity(_grade_here(job, progress, steps), job.unit) for job in jobs]


def _with_identity(result: SubmissionResult, unit: Unit) -> SubmissionResult:
    """The result, carrying who the delivery says the student is (Canvas user id, LATE, files)."""
    from dataclasses import replace

    from grader.engine.results import safe_text

    who = unit.identity
    return replace(result, canvas_user_id=who.canvas_user_id, late=who.late,
                   login=safe_text(who.login, 200, paths=False) if who.login else None,
                   sources=[safe_text(s, paths=False) for s in who.sources[:40]])


def _grade_here(job: _workers._Job, progress, steps: Steps = STEPS) -> SubmissionResult:
    from grader.engine import sandbox

    started = time.monotonic()
    try:
        sub = steps.read(job.unit or job.path)
        if sub.invalid:
            result = SubmissionResult(str(job.path), sub.student, "invalid", [], reason=sub.invalid, notes=sub.notes,
                                      label=sub.label)
        else:
            flat = _workers._flat_checks(job)
            outcomes = []
            for ex, check in flat:
                sandbox.DB_DETAILS = rows_shown(check, job.show_hidden_rows)
                outcomes.append(steps.run_check(check, sub.answers_for(ex.id), limits_for(check, job.limits, job.show_hidden_rows)))
            sandbox.DB_DETAILS = True
            wanted = [exercises.get(i) for i in job.exercise_ids]
            result = _assemble(job.path, sub.student, wanted, flat, outcomes, notes=sub.notes, label=sub.label,
                               seconds=time.monotonic() - started)
    except Exception as exc:  # report it, grade the rest
        result = SubmissionResult(str(job.path), job.path.stem, "invalid", [], reason=f"grader crashed: {exc!r}")
    result = bound_submission(result, job.show_hidden_rows)
    if progress:
        progress(result)
    return result
