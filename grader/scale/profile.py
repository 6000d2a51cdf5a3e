"""Where grading's time goes: a generated class of distinct answers (distinct.py) graded in one
process (grade.grade_here), each check's CPU time added to its kind (the check's class: result
queries, clean job runs, crash trials, backfill schedules...), reading timed apart. The class is
graded twice, each pass in a fresh forked process so neither reuses the other's caches: as the
batch grades it, and with no counterexample shrunk, whose difference is what shrinking costs.
With the fault harness's own counts (job runs, databases, crash points) per submission, and the
CPU time spent handing DuckDB work by purpose (grader/engine/spent.py): the learner's statements
against building and loading the databases they run on.

CPU time, not wall time: on a shared machine the figures hold where wall time would not, and two
grading workers on two cores divide the total by about two."""

from __future__ import annotations

import multiprocessing
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from grader.course import harness
from grader.engine import spent as duckdb_work
from grader.grading import grade
from grader.grading.steps import Steps
from grader.scale import distinct

PASSES = {"as graded": True, "no counterexamples shrunk": False}
WORKERS = 2  # the batch's default on this course's two-core machine: CPU time / 2 ~ wall time
# What DuckDB needs at the least, at the sizes of this course's fixtures: a small statement's
# parsing, planning and running; a fresh database with the course tables, filled.
FLOOR_STATEMENT_S, FLOOR_DATABASE_S = 0.001, 0.005
COSTLIEST = 8  # checks listed by their own cost


HANDED_AS = {duckdb_work.LEARNER: "learner statements", duckdb_work.BUILDING: "databases built",
             duckdb_work.LOADING: "loads of the kept fixture", duckdb_work.READING: "reads of a job's state"}


def _pass(folders: list[Path], shrink: bool) -> dict:
    """One grading of the class in this (forked, fresh) process: CPU seconds by kind of work."""
    spent: Counter = Counter()
    checks: Counter = Counter()
    by_check: Counter = Counter()  # "answer:check" -> CPU seconds
    failed: Counter = Counter()  # "answer:check" -> submissions it did not pass

    def read(unit):
        started = time.process_time()
        try:
            return grade.STEPS.read(unit)
        finally:
            spent["reading the notebooks"] += time.process_time() - started

    def run_check(check, answers, limits):
        kind = type(check).__name__
        started = time.process_time()
        result = None
        try:
            result = grade.STEPS.run_check(check, answers, limits if shrink else replace(limits, shrink=False))
            return result
        finally:
            took = time.process_time() - started
            spent[kind] += took
            checks[kind] += 1
            by_check[f"{check.answer}:{check.name}"] += took
            failed[f"{check.answer}:{check.name}"] += getattr(result, "status", "pass") != "pass"

    harness.COUNTS.clear()
    duckdb_work.clear()
    started = time.process_time()
    results = grade.grade_here(folders, hidden=True, steps=Steps(read=read, run_check=run_check))
    total = time.process_time() - started
    verdicts = [(c.status, c.points) for r in results for e in r.exercises for c in e.checks]
    return {"cpu_s": total, "by_kind": dict(spent), "checks": dict(checks), "counts": dict(harness.COUNTS),
            "by_check": dict(by_check), "failed": dict(failed),
            "duckdb": {p: duckdb_work.SPENT[p] for p in duckdb_work.PURPOSES},
            "handed": {p: duckdb_work.HANDED[p] for p in duckdb_work.PURPOSES}, "verdicts": verdicts}


def _in_fresh_process(folders: list[Path], shrink: bool) -> dict:
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(_pass, (folders, shrink))


def run(n: int = 12, seed: int = 7, log=print) -> dict:
    """Profile grading n distinct submissions; returns (and logs) CPU seconds per submission by
    kind of work for each pass, and the harness's counts per submission."""
    with tempfile.TemporaryDirectory(prefix="week12-profile-") as tmp:
        folders = distinct.generate_distinct(Path(tmp), n, seed=seed)
        log(f"{n} generated submissions whose answers all differ (seed {seed}), graded in one process; "
            "CPU seconds per submission:")
        passes = {label: _in_fresh_process(folders, shrink) for label, shrink in PASSES.items()}
    graded, plain = passes["as graded"], passes["no counterexamples shrunk"]
    kinds = sorted(graded["by_kind"], key=lambda k: -graded["by_kind"][k])
    width = max(len(k) for k in kinds) + 2
    log(f"{'':{width}}{'checks':>8}{'as graded':>12}{'share':>8}{'unshrunk':>11}")
    for kind in kinds:
        mine, bare = graded["by_kind"][kind] / n, plain["by_kind"].get(kind, 0.0) / n
        count = f"{graded['checks'][kind] / n:.1f}" if kind in graded["checks"] else ""
        log(f"{kind:{width}}{count:>8}{mine:>12.3f}"
            f"{mine * n / graded['cpu_s']:>8.0%}{bare:>11.3f}")
    log(f"{'all':{width}}{sum(graded['checks'].values()) / n:>8.1f}{graded['cpu_s'] / n:>12.3f}{'':>8}"
        f"{plain['cpu_s'] / n:>11.3f}")
    shrinking = (graded["cpu_s"] - plain["cpu_s"]) / graded["cpu_s"]
    same = [a[0] == b[0] for a, b in zip(graded["verdicts"], plain["verdicts"])]
    log(f"shrinking counterexamples: {shrinking:.0%} of the time (statuses equal without it: {all(same)})")
    log(f"the {COSTLIEST} costliest checks (answer:check, as graded, unshrunk, submissions failing it):")
    for name in sorted(graded["by_check"], key=lambda k: -graded["by_check"][k])[:COSTLIEST]:
        log(f"  {name:58}{graded['by_check'][name] / n:>8.3f}{plain['by_check'].get(name, 0.0) / n:>8.3f}"
            f"{graded['failed'].get(name, 0):>5} of {n}")
    log("fault harness, per submission: " + ", ".join(f"{v / n:.1f} {k}" for k, v in sorted(graded["counts"].items())))
    work = graded["duckdb"]
    log("handing DuckDB work, CPU seconds per submission: " + ", ".join(f"{p} {work[p] / n:.3f}" for p in work)
        + f"; everything else {(graded['cpu_s'] - sum(work.values())) / n:.3f}")
    log(f"the learner's statements alone, on {WORKERS} workers: {work[duckdb_work.LEARNER] / n / WORKERS:.3f} s "
        "a submission")
    handed = graded["handed"]
    log("work handed to DuckDB, per submission: " + ", ".join(
        f"{handed[p] / n:.1f} {what} ({1000 * work[p] / handed[p]:.2f} ms each)" for p, what in HANDED_AS.items() if handed[p]))
    statements, databases = handed[duckdb_work.LEARNER] / n, handed[duckdb_work.BUILDING] / n
    floor = (statements * FLOOR_STATEMENT_S + databases * FLOOR_DATABASE_S) / WORKERS
    log(f"at {1000 * FLOOR_STATEMENT_S:g} ms a statement and {1000 * FLOOR_DATABASE_S:g} ms a database, those "
        f"statements and databases alone would take {floor:.3f} s a submission on {WORKERS} workers")
    return {"submissions": n, "seed": seed,
            "passes": {label: {"cpu_s_per_submission": round(p["cpu_s"] / n, 4),
                               "by_kind_s_per_submission": {k: round(v / n, 4) for k, v in p["by_kind"].items()},
                               "checks_per_submission": {k: round(v / n, 2) for k, v in p["checks"].items()},
                               "by_check_s_per_submission": {k: round(v / n, 4) for k, v in p["by_check"].items()},
                               "submissions_failing": dict(p["failed"]),
                               "harness_counts_per_submission": {k: round(v / n, 2) for k, v in p["counts"].items()},
                               "duckdb_work_s_per_submission": {k: round(v / n, 4) for k, v in p["duckdb"].items()},
                               "duckdb_handed_per_submission": {k: round(v / n, 2) for k, v in p["handed"].items()}}
                       for label, p in passes.items()},
            "shrinking_share": round(shrinking, 3), "statuses_equal_unshrunk": all(same)}
