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
