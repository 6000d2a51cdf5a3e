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


def grade_exercise(
    ex: Exercise, answers: dict, hidden: bool = True, limits: Limits = Limits()
) -> ExerciseResult:
    results = []
    for check in ex.all_checks(hidden):
        try:
            results.append(check.run(answers, limits))
        except Exception as exc:  # a grader bug must not cost the student the whole batch
            results.append(
                CheckResult(check.name, "error", 0.0, check.points, f"internal grader error: {exc!r}", check.hidden)
            )
            traceback.print_exc()
    return ExerciseResult(ex.id, ex.title, results)


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
    results = [grade_exercise(ex, sub.answers, hidden, limits) for ex in wanted]
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


find_notebooks = find_submissions


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
        for job in jobs:
            out.append(_grade_one(job))
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
