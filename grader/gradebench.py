"""Benchmark of grading itself: N generated submissions graded with every hidden check, next to
the cost of executing the same notebooks in a kernel (nbclient), as notebook-executing graders
do. Measured in one run so the ratio holds on a noisy machine."""

from __future__ import annotations

import json
import os
import platform
import random
import re
import tempfile
import time
from pathlib import Path

import nbformat

from .release import SOLUTIONS

# Mistakes students make, as text edits on a reference answer (applied where they match).
MUTATIONS = [
    (r"\bDISTINCT\b", ""),  # retries counted twice
    (r"<=", "<"),  # window edge
    (r"NULLIF\(([^,]+),\s*0\)", r"\1"),  # ctr without NULLIF
    (r"\bAND\s+e\.event_ts\s*<=\s*a\.as_of_ts", ""),  # leakage
]


def _mutate(source: str, rng: random.Random) -> str:
    options = [(p, r) for p, r in MUTATIONS if re.search(p, source)]
    if not options:
        return source
    pattern, repl = rng.choice(options)
    return re.sub(pattern, repl, source, count=1)


def generate(out: Path, n: int, seed: int = 7) -> list[Path]:
    """n student folders, each with the twelve notebooks: answers kept, mutated or left blank."""
    rng = random.Random(seed)
    solutions = sorted(SOLUTIONS.glob("ex*.ipynb"))
    folders = []
    for i in range(n):
        folder = out / f"student{i:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        for path in solutions:
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
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


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n: int = 20, kernel_sample: int = 1, workers: int | None = None, out_json: Path | None = None, log=print) -> dict:
    from .grade import grade_many

    with tempfile.TemporaryDirectory(prefix="week12-gradebench-") as tmp:
        folders = generate(Path(tmp), n)
        log(f"generated {n} submissions x {len(list(folders[0].glob('*.ipynb')))} notebooks")
        t0 = time.perf_counter()
        results = grade_many(folders, hidden=True, workers=workers)
        grading = time.perf_counter() - t0
        checks = sum(len(e.checks) for r in results for e in r.exercises)
        per_sub = grading / n
        log(f"grader: {grading:.2f} s for {n} submissions = {per_sub:.3f} s per submission ({checks} checks)")
        kernel = None
        if kernel_sample:
            from nbclient import NotebookClient

            t0 = time.perf_counter()
            for folder in folders[:kernel_sample]:
                for path in sorted(folder.glob("*.ipynb")):
                    nb = nbformat.read(path, as_version=4)
                    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                                   resources={"metadata": {"path": str(SOLUTIONS)}}).execute()
            kernel = (time.perf_counter() - t0) / kernel_sample
            log(f"executing the notebooks in a kernel (nbclient): {kernel:.2f} s per submission "
                f"({kernel / per_sub:.0f}x the grader's time)")
    figures = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "submissions": n,
        "workers": workers or min(n, os.cpu_count() or 1),
        "checks_run": checks,
        "grader_seconds_total": round(grading, 3),
        "grader_seconds_per_submission": round(per_sub, 4),
        "kernel_seconds_per_submission": round(kernel, 3) if kernel else None,
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
    from .grade import grade_many

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
