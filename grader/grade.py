"""Grade submissions: answers -> checks in sandboxes -> results. The `check` verb.

`grade_path` grades one notebook file; `grade_many` grades many across processes with a
progress callback. Neither ever raises on a bad submission: it becomes a status."""

from __future__ import annotations

import os
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Callable, Iterable

from . import exercises
from .exercise import Exercise
from .notebook import Submission, is_exercise_notebook, read_student, read_submission
from .results import CheckResult, ExerciseResult, SubmissionResult
from .sandbox import Limits


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
    from . import sandbox

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


def grade_submission(
    sub: Submission,
    only: Iterable[str] | None = None,
    hidden: bool = True,
    limits: Limits = Limits(),
) -> SubmissionResult:
    started = time.perf_counter()
    wanted = [exercises.get(i) for i in (only or exercises.available())]
    if sub.invalid:
        return SubmissionResult(sub.path, sub.student, "invalid", [], reason=sub.invalid)
    # All of a submission's checks share one child process (one fork, one DuckDB instance);
    # a check that wedges it costs only a replacement child.
    flat = [(ex, c) for ex in wanted for c in ex.all_checks(hidden)]
    if _can_fork():
        for _, check in flat:
            check.prepare(limits)
        outcomes = _run_isolated([c for _, c in flat], [sub.answers_for(ex.id) for ex, _ in flat], limits)
    else:
        outcomes = [_run_check(c, sub.answers_for(ex.id), limits) for ex, c in flat]
    by_exercise: dict[str, list[CheckResult]] = {ex.id: [] for ex in wanted}
    for (ex, _), outcome in zip(flat, outcomes):
        by_exercise[ex.id].append(outcome)
    results = [ExerciseResult(ex.id, ex.title, by_exercise[ex.id]) for ex in wanted]
    return SubmissionResult(
        sub.path, sub.student, "graded", results, notes=sub.notes, seconds=time.perf_counter() - started
    )


def grade_path(path, hidden: bool = True, limits: Limits = Limits(), only=None) -> SubmissionResult:
    """Grade one submission: a notebook file, or a student's folder of exercise notebooks.
    A lone exercise notebook (`ex06.ipynb` named on its own) is graded on its exercise only."""
    path = Path(path)
    if only is None and path.is_file() and is_exercise_notebook(path) and path.stem[:4].lower() in exercises.IDS:
        only = [path.stem[:4].lower()]
    return grade_submission(read_unit(path), only, hidden, limits)


def read_unit(path: Path) -> Submission:
    if path.is_dir():
        files = sorted(p for p in path.glob("*.ipynb") if is_exercise_notebook(p))
        return read_student(files, path.name)
    return read_submission(path)


def find_submissions(paths: Iterable[str | Path]) -> list[Path]:
    """The submissions under `paths`, each once, sorted.

    A notebook named like an exercise (`ex06.ipynb`) belongs to its folder: the folder is the
    student's submission (the workbook is twelve notebooks). Any other notebook is a
    submission by itself, its student named by the file or `metadata.student`."""
    found: list[Path] = []
    for p in map(Path, paths):
        if not p.exists():
            raise FileNotFoundError(f"no such file or folder: {p}")
        files = [p] if p.is_file() else [q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts]
        for f in files:
            # a file named on the command line is graded as given
            found.append(f.parent if p.is_dir() and is_exercise_notebook(f) else f)
    return sorted(dict.fromkeys(q.resolve() for q in found))



def _grade_one(args: tuple) -> SubmissionResult:
    path, hidden, limits, only = args
    return grade_path(path, hidden, limits, only)


def grade_many(
    paths: list[Path],
    hidden: bool = True,
    limits: Limits = Limits(),
    workers: int | None = None,
    only=None,
    progress: Callable[[SubmissionResult], None] | None = None,
) -> list[SubmissionResult]:
    """Grade every path, in parallel across cores; results come back in `paths` order."""
    workers = workers or min(len(paths), os.cpu_count() or 1) or 1
    jobs = [(p, hidden, limits, only) for p in paths]
    if workers <= 1:
        out = []
        for path, job in zip(paths, jobs):
            try:
                out.append(_grade_one(job))
            except Exception as exc:  # as in the parallel branch: report it, grade the rest
                out.append(SubmissionResult(str(path), Path(path).stem, "invalid", [], reason=f"grader crashed: {exc!r}"))
            if progress:
                progress(out[-1])
        return out
    results: dict[int, SubmissionResult] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_grade_one, job): i for i, job in enumerate(jobs)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                results[i] = fut.result()
            except Exception as exc:  # a crashed worker: the submission is reported, the batch goes on
                results[i] = SubmissionResult(str(paths[i]), paths[i].stem, "invalid", [], reason=f"grader crashed: {exc!r}")
            if progress:
                progress(results[i])
    return [results[i] for i in range(len(paths))]
