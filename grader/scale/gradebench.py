"""Benchmark of grading itself: N generated submissions graded with every hidden check (a class
of distinct answers, and one whose answers repeat), next to
the cost of executing the same notebooks in a kernel (nbclient), as notebook-executing graders
do. Measured in one run so the ratio holds on a noisy machine."""

from __future__ import annotations

import json
import os
import platform
import random
import tempfile
import time
from pathlib import Path

import nbformat

from grader.authoring.release import SOLUTIONS
from grader.scale.mutations import MUTATIONS, mutate as _mutate, student_notebooks  # noqa: F401


def generate(out: Path, n: int, seed: int = 7) -> list[Path]:
    """n student folders, each with every exercise's notebook: answers kept, mutated or left blank."""
    rng = random.Random(seed)
    solutions = sorted(SOLUTIONS.glob("ex*.ipynb"))
    folders = []
    for i in range(n):
        folder = out / f"student{i:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        for path, nb in student_notebooks(solutions):
            for cell in nb.cells:
                if "solution" not in cell.get("metadata", {}).get("tags", []) or cell.cell_type != "code":
                    continue
                roll = rng.random()
                if roll < 0.3:
                    cell.source = _mutate(cell.source, rng)
                elif roll < 0.4:
                    first = cell.source.split("\n", 1)[0]
                    cell.source = first + "\n" if first.startswith("%%sql") else "\n"
            nb.metadata["student"] = folder.name
            nbformat.write(nb, folder / path.name)
        folders.append(folder)
    return folders


def _peak_rss_mb(who: int | None = None) -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF if who is None else who).ru_maxrss / 1024


def verdicts(results) -> list[tuple]:
    """What a grading decided, per submission and check: status, points and message (tables
    aside: a shrunk counterexample may stop at its time budget)."""
    return [(r.path, r.status, [(e.id, c.name, c.status, c.points, c.max_points, c.message)
                                for e in r.exercises for c in e.checks]) for r in results]


def differences(fast, slow, limit: int = 5) -> list[str]:
    """Where the fast path's verdicts differ from the reference path's (empty: the same)."""
    out = []
    for f, s in zip(verdicts(fast), verdicts(slow)):
        if f[1] != s[1]:
            out.append(f"{f[0]}: status {f[1]} vs {s[1]}")
        for a, b in zip(f[2], s[2]):
            if a != b:
                out.append(f"{f[0]} {a[0]} {a[1]}: {a[2:]} vs {b[2:]}")
        if len(f[2]) != len(s[2]):
            out.append(f"{f[0]}: {len(f[2])} checks vs {len(s[2])}")
    return out[:limit]


def grade_reference(folders, workers=None):
    """The slow reference path: no answer shared between students, no query result reused;
    every check runs its SQL on a sandbox built afresh (no kept fixture for read-only queries),
    and every crash point is run (none takes an earlier one's outcome)."""
    from grader.course.harness import crash
    from grader.engine import readonly, sandbox
    from grader.grading.grade import grade_many

    saved = sandbox.CACHE_RESULTS, readonly.ENABLED, crash.SHARE_EQUAL_CRASHES
    # inherited by the forked workers
    sandbox.CACHE_RESULTS = readonly.ENABLED = crash.SHARE_EQUAL_CRASHES = False
    try:
        return grade_many(folders, hidden=True, workers=workers, share=False)
    finally:
        sandbox.CACHE_RESULTS, readonly.ENABLED, crash.SHARE_EQUAL_CRASHES = saved


CHECK_TIMING_CELL = """
import time as _bench_time
try:
    from grader.course import harness as _bench_harness
    from grader.engine import sandbox as _bench_sandbox
except ImportError:  # older code, before grader/ was laid out in parts (issues 15, 24)
    from grader import harness as _bench_harness, sandbox as _bench_sandbox
def _bench_forget():  # what a student who has just edited the answer meets: nothing of it reused
    for _cache in (getattr(_bench_sandbox, "_results", dict()), _bench_harness._runs, _bench_harness._explored,
                   _bench_harness._alone_runs):
        _cache.clear()
_bench_cold, _bench_warm = [], []
for _ in range(3):
    _bench_forget()
    _bench_start = _bench_time.perf_counter()
    _bench_report = check({exercise!r})
    _bench_cold.append(_bench_time.perf_counter() - _bench_start)
    _bench_start = _bench_time.perf_counter()
    check({exercise!r})
    _bench_warm.append(_bench_time.perf_counter() - _bench_start)
print("CHECK_SECONDS", sorted(_bench_cold)[1], sorted(_bench_warm)[1], _bench_report.passed)
"""


def check_timings(exercise_ids=("ex06", "ex08"), log=print) -> dict:
    """check() in a live kernel (nbclient) after running a solution notebook (which called it
    once already), per exercise (ex06: SQL answers; ex08: a job, with crash trials): the median
    of three calls with nothing of the answer reused (as after an edit), and of three repeats."""
    from nbclient import NotebookClient

    out = {}
    for ex_id in exercise_ids:
        nb = nbformat.read(SOLUTIONS / f"{ex_id}.ipynb", as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(CHECK_TIMING_CELL.format(exercise=ex_id)))
        NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(SOLUTIONS)}}).execute()
        text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
        line = next((ln for ln in text.splitlines() if ln.startswith("CHECK_SECONDS")), None)
        if line is None:
            log(f"check() timing for {ex_id}: no figure (cell output: {text[:300]!r})")
            continue
        _, cold, warm, passed = line.split()
        out[ex_id] = {"edited_s": float(cold), "repeated_s": float(warm), "passed": passed == "True"}
        log(f"check({ex_id!r}) in a live kernel: {float(cold):.3f} s after an edit, {float(warm):.3f} s repeated "
            f"(medians of 3); all public checks passed: {passed}")
    return out


def _worker_rss_mb() -> list[float]:
    """Resident memory of this process's children (the grading workers), in MB (Linux /proc)."""
    out = []
    for children in Path("/proc/self/task").glob("*/children"):
        for pid in children.read_text().split():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            kb = next((int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmRSS:")), 0)
            out.append(kb / 1024)
    return out


def distinct_answers(results) -> tuple[int, int]:
    """(distinct answer-check pairs, all pairs) of SQL answers in a graded class: how much of it
    a grader that reuses results could have reused."""
    from grader.grading.grade import read_unit

    pairs = [(ex_id, name, a.sql) for r in results for ex_id, answers in read_unit(Path(r.path)).by_exercise.items()
             for name, a in answers.items() if a.kind == "sql"]
    return len(set(pairs)), len(pairs)


def grade_class(label: str, folders: list[Path], workers: int, reference_sample: int, log=print) -> dict:
    """Grade one generated class by the fast path (worker memory sampled as it goes), then the
    first `reference_sample` by the reference path, asserting the same verdicts."""
    from grader.grading.grade import grade_many

    n = len(folders)
    stamps: list[float] = []
    memory: list[tuple[int, float]] = []  # (submissions done, largest worker's RSS in MB)
    every = max(1, n // 10)

    def progress(_result) -> None:
        stamps.append(time.perf_counter() - t0)
        if len(stamps) % every == 0 or len(stamps) == 1:
            memory.append((len(stamps), round(max(_worker_rss_mb(), default=0.0), 1)))

    t0 = time.perf_counter()
    results = grade_many(folders, hidden=True, workers=workers, progress=progress)
    grading = time.perf_counter() - t0
    checks = sum(len(e.checks) for r in results for e in r.exercises)
    per_sub = grading / n
    distinct, pairs = distinct_answers(results)
    log(f"{label} class: {grading:.2f} s for {n} submissions = {per_sub:.3f} s per submission ({checks / n:.0f} "
        f"checks each; {workers} workers; {distinct} distinct of {pairs} SQL answers)")
    log(f"{label} class: largest worker's memory after k submissions (k: MB): "
        + ", ".join(f"{k}: {mb:.0f}" for k, mb in memory))
    figures = {"submissions": n, "grader_seconds_total": round(grading, 3),
               "grader_seconds_per_submission": round(per_sub, 4), "checks_per_submission": round(checks / n, 1),
               "distinct_sql_answers": distinct, "sql_answers": pairs, "worker_rss_mb": memory, "rate": None,
               "reference": None}
    if n >= 200:
        first, last = 100 / stamps[99], 100 / (stamps[-1] - stamps[-101])
        figures["rate"] = {"first_100_per_s": round(first, 2), "last_100_per_s": round(last, 2)}
        log(f"{label} class: first hundred {first:.1f} submissions/s, last hundred {last:.1f} submissions/s")
    if reference_sample:
        t0 = time.perf_counter()
        slow = grade_reference(folders[:reference_sample], workers)
        ref_s = time.perf_counter() - t0
        diff = differences(results[:reference_sample], slow)
        figures["reference"] = {"submissions": reference_sample, "same_verdicts": not diff,
                                "seconds_per_submission": round(ref_s / reference_sample, 4)}
        log(f"{label} class, reference path (nothing shared or reused): {ref_s / reference_sample:.3f} s per "
            f"submission on {reference_sample}; verdicts equal to the fast path's: {not diff}")
        if diff:
            raise AssertionError(f"{label} class: the fast path's verdicts differ from the reference path's:\n"
                                 + "\n".join(diff))
    return figures


CLASSES = ("distinct", "repeating")


def run(n: int = 20, kernel_sample: int = 1, workers: int | None = None, out_json: Path | None = None, log=print,
        reference_sample: int | None = None, classes=CLASSES) -> dict:
    """Grade n generated submissions of each class by the fast path: "distinct" (every answer
    drawn from the declared right and wrong ones and made unique to its student, distinct.py)
    and "repeating" (the solutions kept, mutated or blank, so answers repeat across students);
    then `reference_sample` of each (default: all up to 50, else 30) by the slow reference
    path, asserting the same verdicts. Reports seconds per submission, the largest worker's
    memory over the batch, the rate of the first and last hundred, the kernel baseline and
    check() in a live kernel."""
    import resource

    from grader.scale import distinct

    workers = workers or min(n, os.cpu_count() or 1)
    reference_sample = (n if n <= 50 else 30) if reference_sample is None else min(reference_sample, n)
    per_class, kernel = {}, None
    with tempfile.TemporaryDirectory(prefix="week12-gradebench-") as tmp:
        for label in classes:
            make = distinct.generate_distinct if label == "distinct" else generate
            folders = make(Path(tmp) / label, n)
            log(f"generated a {label} class: {n} submissions x {len(list(folders[0].glob('*.ipynb')))} notebooks")
            per_class[label] = grade_class(label, folders, workers, reference_sample, log)
        per_sub = per_class[classes[0]]["grader_seconds_per_submission"]
        if kernel_sample:
            from nbclient import NotebookClient

            t0 = time.perf_counter()
            for folder in sorted((Path(tmp) / classes[0]).iterdir())[:kernel_sample]:
                for path in sorted(folder.glob("*.ipynb")):
                    nb = nbformat.read(path, as_version=4)
                    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                                   resources={"metadata": {"path": str(SOLUTIONS)}}).execute()
            kernel = (time.perf_counter() - t0) / kernel_sample
            log(f"executing the notebooks in a kernel (nbclient): {kernel:.2f} s per submission "
                f"({kernel / per_sub:.0f}x the grader's time on the {classes[0]} class)")
    timings = check_timings(log=log) if kernel_sample else None
    figures = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "submissions": n,
        "workers": workers,
        "classes": per_class,
        "kernel_seconds_per_submission": round(kernel, 3) if kernel else None,
        "check_in_kernel": timings,
        "peak_rss_mb_any_worker": round(_peak_rss_mb(resource.RUSAGE_CHILDREN), 1),
        "peak_rss_mb_main_process": round(_peak_rss_mb(), 1),
    }
    if out_json:
        Path(out_json).write_text(json.dumps(figures, indent=2))
    return figures


# ---------- a batch beside hostile submissions (issue 16): honest scores and wall time ----------

# Answers that cost the grader the most time without breaking anything: one that ignores
# DuckDB's interrupt (one enormous value), one that is wrong and slow on every run (each run
# under the shrink limit, so every failing check shrinks at full cost).
HOSTILE_SQL = {
    "stuck": "SELECT length(repeat('x', 1000000000)) AS n",
    "slow": "SELECT user_id, item_id, (SELECT count(*) FROM range(400000000) r, range(1) s WHERE r.range % 7 = 3) AS clicks_7d "
            "FROM events",
}


def hostile_generate(out: Path, n: int, kind: str = "stuck") -> list[Path]:
    """n student folders whose every SQL answer is HOSTILE_SQL[kind] (structured answers kept)."""
    solutions = sorted(SOLUTIONS.glob("ex*.ipynb"))
    folders = []
    for i in range(n):
        folder = out / f"hostile{i:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        for path in solutions:
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                if cell.cell_type != "code":
                    continue
                cell.outputs, cell.execution_count = [], None
                first = cell.source.split("\n", 1)[0]
                if "solution" in cell.get("metadata", {}).get("tags", []) and first.startswith("%%sql") and "--save" in first:
                    cell.source = f"{first}\n{HOSTILE_SQL[kind]}\n"
            nbformat.write(nb, folder / path.name)
        folders.append(folder)
    return folders


def run_hostile(n: int = 20, hostile: int = 5, kind: str = "stuck", workers: int | None = None,
                out_json: Path | None = None, log=print) -> dict:
    """Grade n honest submissions alone, then beside `hostile` hostile ones: wall time of each
    batch and whether every honest student got the same score both times."""
    from grader.grading.grade import grade_many

    with tempfile.TemporaryDirectory(prefix="week12-hostilebench-") as tmp:
        honest = generate(Path(tmp) / "honest", n)
        bad = hostile_generate(Path(tmp) / "hostile", hostile, kind)
        t0 = time.perf_counter()
        alone = grade_many(honest, hidden=True, workers=workers)
        t_alone = time.perf_counter() - t0
        log(f"{n} honest submissions alone: {t_alone:.1f} s")
        # hostile ones first: the worst case for the honest students queued behind them
        mixed_paths = bad + honest
        t0 = time.perf_counter()
        mixed = grade_many(mixed_paths, hidden=True, workers=workers)
        t_mixed = time.perf_counter() - t0
        beside = {str(r.path): r for r in mixed}
        same = [beside[str(r.path)].score == r.score and beside[str(r.path)].status == r.status for r in alone]
        hostile_status = sorted({r.status for r in mixed[:hostile]})
        log(f"{n} honest beside {hostile} hostile ({kind}): {t_mixed:.1f} s; honest scores unchanged: "
            f"{sum(same)}/{n}; hostile statuses: {', '.join(hostile_status)}")
    figures = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "honest": n, "hostile": hostile, "kind": kind,
        "workers": workers or min(n + hostile, os.cpu_count() or 1),
        "seconds_honest_alone": round(t_alone, 2),
        "seconds_beside_hostile": round(t_mixed, 2),
        "honest_scores_unchanged": sum(same),
        "hostile_statuses": hostile_status,
    }
    if out_json:
        Path(out_json).write_text(json.dumps(figures, indent=2))
    return figures
