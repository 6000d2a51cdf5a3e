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
from grader.engine.notebook import Submission, exercise_id_of, is_exercise_notebook, notebook_files, read_student, read_submission
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult, bound_submission
from grader.engine.sandbox import Limits
# The batch's worker processes (workers.py); a module reference, as workers.py calls back into this
# module's _run_check and read_unit.
from grader.grading import workers as _workers


def _run_check(check, answers: dict, limits: Limits) -> CheckResult:
    try:
        return check.run(answers, limits)
    except Exception as exc:  # a grader bug must not cost the student the whole batch
        traceback.print_exc()
        return CheckResult(check.name, "error", 0.0, check.points, f"internal grader error: {exc!r}", check.hidden)


def grade_exercise(
    ex: Exercise, answers: dict, hidden: bool = True, limits: Limits = Limits(), isolate: bool = False
) -> ExerciseResult:
    """Run the exercise's checks. `isolate` (used when grading submissions) runs them in a child
    process that is killed when a statement ignores DuckDB's interrupt or memory limit."""
    checks = ex.all_checks(hidden)
    if isolate and _can_fork():
        results = _run_isolated(checks, answers, limits)
    else:
        results = [_run_check(c, answers, limits) for c in checks]
    return ExerciseResult(ex.id, ex.title, results)


# ---------- isolation: a child process per exercise, replaced when a check wedges it ----------

CHILD_MEMORY_BYTES = 3 * 1024**3  # address space a child may add: DuckDB is capped far lower


def check_budget(limits: Limits) -> float:
    """Wall time one check may take in a child (its query, reruns and shrinking) before a kill."""
    return max(30.0, 6 * limits.timeout_s)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _cap_memory() -> None:
    try:
        import resource

        with open("/proc/self/status") as fh:
            size_kb = next(int(line.split()[1]) for line in fh if line.startswith("VmSize:"))
        cap = size_kb * 1024 + CHILD_MEMORY_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except Exception:  # no /proc or no rlimits: the wall-clock kill still applies
        pass


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


def _assemble(path, student, wanted, flat, outcomes, **extra) -> SubmissionResult:
    by_exercise: dict[str, list[CheckResult]] = {ex.id: [] for ex in wanted}
    for (ex, _), outcome in zip(flat, outcomes):
        by_exercise[ex.id].append(outcome)
    results = [ExerciseResult(ex.id, ex.title, by_exercise[ex.id]) for ex in wanted]
    return SubmissionResult(str(path), student, extra.pop("status", "graded"), results, **extra)


def grade_path(path, hidden: bool = True, limits: Limits = Limits(), only=None, budget_s: float | None = None,
               show_hidden_rows: bool = False) -> SubmissionResult:
    """Grade one submission: a notebook file, or a student's folder of exercise notebooks, as
    grade_many does (in a worker process, under the submission budget). A lone exercise
    notebook (`ex06.ipynb` named on its own) is graded on its exercise only."""
    return grade_many([Path(path)], hidden, limits, workers=1, only=only, budget_s=budget_s,
                      show_hidden_rows=show_hidden_rows)[0]


def exercises_for(path: Path, only=None) -> list[str]:
    """The exercises a submission is graded on: `only`, else its own exercise for a lone
    exercise notebook, else every exercise."""
    if only:
        return list(only)
    exercise_id = exercise_id_of(path)
    if exercise_id in exercises.IDS and not path.is_dir():
        return [exercise_id]
    return list(exercises.available())


def read_unit(path: Path) -> Submission:
    """A submission as find_submissions names it: a student's folder or one notebook file."""
    if path.is_dir() and not path.is_symlink():
        files, skipped = notebook_files(path)
        sub = read_student([f for f in files if is_exercise_notebook(f)], _show_name(path.name))
        sub.notes[:0] = skipped
        if not files:
            sub.invalid = "no exercise notebook in this folder could be read" + (": " + "; ".join(skipped) if skipped else "")
        return sub
    sub = read_submission(path)
    sub.student = _show_name(path.stem)
    exercise_id = exercise_id_of(path)
    if exercise_id:
        files, _ = notebook_files(path.parent)
        twins = [f.name for f in files if f != path and exercise_id_of(f) == exercise_id]
        if twins:
            sub.notes.insert(0, f"graded as a submission of its own: its folder also holds {', '.join(map(_show_name, twins[:3]))}"
                                f"{', …' if len(twins) > 3 else ''} for {exercise_id}, so the folder is not one student's work")
    return sub


def _show_name(name: str) -> str:
    from grader.engine.results import safe_text

    return safe_text(name, paths=False)


def find_submissions(paths: Iterable[str | Path], log: Callable[[str], None] | None = None) -> list[Path]:
    """The submissions under `paths`, each once, sorted.

    A folder holding exercise notebooks (`ex06.ipynb`, `ex06-ada.ipynb`) is one student's
    submission when they are notebooks of distinct exercises (the workbook is twelve
    notebooks). When two of them are the same exercise (a class folder holding `ex06-ada`
    and `ex06-bob`), the folder is not one student's: each of its notebooks is a submission
    by itself, graded on its exercise, and `log` is told. Any other notebook is a submission
    by itself, named by its file. Links inside folders are never followed; paths are made
    absolute without resolving links."""
    found: list[Path] = []
    for p in map(Path, paths):
        if not p.exists():
            raise FileNotFoundError(f"no such file or folder: {p}")
        p = Path(os.path.abspath(p))
        if p.is_symlink():  # `grader check submissions/*` would otherwise follow a student's link
            if log:
                log(f"{_show_name(str(p))} is a link: not followed (name the file or folder it points to)")
            continue
        if not p.is_dir():
            found.append(p)  # a file named on the command line is graded as given
            continue
        for folder, files, skipped in _walk(p, log=log):
            ex_files = [f for f in files if is_exercise_notebook(f)]
            found.extend(f for f in files if not is_exercise_notebook(f))
            if not ex_files:
                if skipped:  # only links, pipes or devices: reported as an unreadable submission
                    found.append(folder)
                continue
            by_id: dict[str, list[Path]] = {}
            for f in ex_files:
                by_id.setdefault(exercise_id_of(f), []).append(f)
            repeated = {i: fs for i, fs in by_id.items() if len(fs) > 1}
            if not repeated:
                found.append(folder)
                continue
            found.extend(ex_files)
            if log:
                i, fs = sorted(repeated.items())[0]
                log(f"{_show_name(str(folder))} holds {len(fs)} notebooks for {i} ({', '.join(_show_name(f.name) for f in fs[:4])}"
                    f"{', …' if len(fs) > 4 else ''}): it is not one student's folder, so each of its "
                    f"{len(ex_files)} exercise notebooks is graded as a submission of its own")
    return sorted(dict.fromkeys(found))


def _walk(root: Path, max_depth: int = 8, log: Callable[[str], None] | None = None):
    """(folder, its .ipynb regular files) for root and the folders below it, links never
    followed, `.ipynb_checkpoints` and hidden folders skipped."""
    stack = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        files, skipped = notebook_files(folder)
        yield folder, files, skipped
        if depth >= max_depth:
            continue
        try:
            entries = list(os.scandir(folder))
            subdirs = sorted(e.path for e in entries if e.is_dir(follow_symlinks=False)
                             and not e.name.startswith(".") and e.name != "__pycache__")
            links = sorted(e.name for e in entries if e.is_symlink() and e.is_dir())
        except OSError:
            continue
        if links and log:
            log(f"{_show_name(str(folder))}: not followed, links to folders: {', '.join(map(_show_name, links[:5]))}")
        stack.extend((Path(d), depth + 1) for d in reversed(subdirs))


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
) -> list[SubmissionResult]:
    """Grade every path; results come back in `paths` order.

    Each submission gets `budget_s` (default DEFAULT_BUDGET_S, workers.py) for reading it and running all
    its checks, in a worker process this process watches and kills when the budget, a check's
    budget or an ignored interrupt says so; a worker that dies is replaced and the check it
    was on tried once more. Texts are bounded (results.bound_submission); a hidden check's
    rows and DuckDB's own error text on hidden data are withheld unless `show_hidden_rows`.
    `share`: an answer identical to one already graded in this batch (a blank cell, the same
    snippet) takes that result instead of running again (see workers._answer_key); False grades every
    answer afresh (the benchmark's reference path)."""
    paths = [Path(p) for p in paths]
    if not paths:
        return []
    budget_s = _workers.DEFAULT_BUDGET_S if budget_s is None else budget_s
    workers = max(1, min(workers or os.cpu_count() or 1, len(paths)))
    jobs = [_workers._Job(i, p, exercises_for(p, only), hidden, limits, show_hidden_rows, share) for i, p in enumerate(paths)]
    remove_stale_temp_folders()
    if not _can_fork():  # no fork (Windows): in this process, one at a time, without a budget
        return [_grade_here(job, progress) for job in jobs]
    for ex_id in dict.fromkeys(i for j in jobs for i in j.exercise_ids):
        for check in exercises.get(ex_id).all_checks(hidden):  # built once, inherited by every worker
            check.prepare(limits)
    return _workers._grade_in_workers(jobs, workers, budget_s, progress)


def _grade_here(job: _workers._Job, progress) -> SubmissionResult:
    from grader.engine import sandbox

    started = time.monotonic()
    try:
        sub = read_unit(job.path)
        if sub.invalid:
            result = SubmissionResult(str(job.path), sub.student, "invalid", [], reason=sub.invalid, notes=sub.notes,
                                      label=sub.label)
        else:
            flat = _workers._flat_checks(job)
            outcomes = []
            for ex, check in flat:
                sandbox.DB_DETAILS = not check.hidden or job.show_hidden_rows
                outcomes.append(_run_check(check, sub.answers_for(ex.id), job.limits))
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
