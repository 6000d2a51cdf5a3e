"""The steps of grading one submission, declared: read it, run each check, assemble the results.
grade.py declares the grader's own (grade.STEPS) and hands them to the batch's workers
(workers.py), so a test or tool swaps one step (`dataclasses.replace(grade.STEPS, run_check=slow)`,
passed as grade_many(steps=...)) instead of patching a private name; the worker processes are
forked with the steps they were given. Also here: the memory cap a forked grading process sets
on itself, and assembling check outcomes into a submission's result, which both use."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from grader.engine.notebook import Submission
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult
from grader.engine.sandbox import Limits

CHILD_MEMORY_BYTES = 3 * 1024**3  # address space a child may add: DuckDB is capped far lower


@dataclass(frozen=True)
class Steps:
    read: Callable[[object], Submission]  # a submission (an intake unit, or its path) -> its answers
    run_check: Callable[[object, dict, Limits], CheckResult]  # (check, answers, limits) -> its result


def rows_shown(check, show_hidden_rows: bool) -> bool:
    """Whether the student (and the JSON) see the rows of `check`'s data and DuckDB's own error
    text on it: always for a public check, for a hidden one only with --feedback-hidden-rows."""
    return show_hidden_rows or not check.hidden


def limits_for(check, limits: Limits, show_hidden_rows: bool) -> Limits:
    """The limits `check` runs under: a hidden check whose rows are withheld is not shrunk to a
    counterexample (its message is then about the whole hidden fixture, still true of the answer)."""
    return limits if rows_shown(check, show_hidden_rows) or not limits.shrink else replace(limits, shrink=False)


def check_budget(limits: Limits) -> float:
    """Wall time one check may take in a child (its query, reruns and shrinking) before a kill."""
    return max(30.0, 6 * limits.timeout_s)


def show_name(name: str) -> str:
    """A file or folder name as shown in results: control characters and paths made safe."""
    from grader.engine.results import safe_text

    return safe_text(name, paths=False)


def cap_memory() -> None:
    """Cap this (forked) process's address space at its size now plus CHILD_MEMORY_BYTES."""
    try:
        import resource

        with open("/proc/self/status") as fh:
            size_kb = next(int(line.split()[1]) for line in fh if line.startswith("VmSize:"))
        cap = size_kb * 1024 + CHILD_MEMORY_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except Exception:  # no /proc or no rlimits: the wall-clock kill still applies
        pass


def assemble(path, student, wanted, flat, outcomes, **extra) -> SubmissionResult:
    """A submission's result from its checks' outcomes, `flat` being (exercise, check) pairs in
    the order the outcomes came, grouped by the exercises `wanted`."""
    by_exercise: dict[str, list[CheckResult]] = {ex.id: [] for ex in wanted}
    for (ex, _), outcome in zip(flat, outcomes):
        by_exercise[ex.id].append(outcome)
    results = [ExerciseResult(ex.id, ex.title, by_exercise[ex.id]) for ex in wanted]
    return SubmissionResult(str(path), student, extra.pop("status", "graded"), results, **extra)
