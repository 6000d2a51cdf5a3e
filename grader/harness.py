"""Fault injection for job scripts: run a learner's job statement by statement on a database
FILE, crash it after any statement, reopen the file and run the job again as a scheduler would.

Why a file and a real reopen: a crashed job's uncommitted work must vanish exactly as it does
when a process dies. DuckDB rolls back an open transaction when its connection closes, and only
committed work survives a reopen (tests/test_harness.py pins both facts down). Each job run gets
its own connection (a cursor: own session, variables and temp tables), like its own process.

Checks here are ordinary `Check`s (run/evaluate -> Verdict), so grade.py runs them unchanged:
- CleanRunsCheck: the job run N times in a row (table, watermark, untouched finished days);
- CrashCheck: a crash after every statement boundary of one run, then reruns until caught up;
- BackfillCheck: backfill jobs in sequence (both orders, twice) or interleaved on two
  connections, a failed task retried as an orchestrator retries it.
Expected tables come from the Python oracle (semantics.feature_rows), never from reference SQL.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import compare, sandbox, semantics
from .checks import Check, Verdict, _sql, day_text, days_text, diff_tables
from .course import FEATURE_COLUMNS, FEATURE_KEY, JOB_KEY, Dataset
from .notebook import SubmittedAnswer
from .results import Table
from .sandbox import Limits, SandboxError

RETRIES = 2  # an orchestrator's retries of a failed task
MAX_RERUNS = 4  # reruns after a crash before the job counts as stuck
MAX_SCHEDULES = 12  # interleavings explored per pair of jobs (chosen deterministically)
AS_OF = 2  # column of as_of_ts in feature_table rows

# What the harness explored in this process (for `grader bench`-style measurements and tests).
COUNTS: Counter = Counter()


# ---------- scenarios and database files ----------

@dataclass
class Scenario:
    """The tables a job starts from; `variables` reach it through getvariable()."""

    name: str
    dataset: Dataset
    variables: dict[str, Any] = field(default_factory=dict)

    @property
    def events(self) -> list[tuple]:
        return self.dataset.rows("events")

    @property
    def initial_rows(self) -> list[tuple]:
        return self.dataset.rows("feature_table")

    @property
    def watermark(self) -> datetime:
        return next(r[1] for r in self.dataset.rows("feature_job_control") if r[0] == JOB_KEY)

    @property
    def last_run(self) -> datetime | None:
        return next(r[2] for r in self.dataset.rows("feature_job_control") if r[0] == JOB_KEY)


_BASES: dict[int, tuple[Scenario, bytes]] = {}


def _base(scenario: Scenario, limits: Limits) -> bytes:
    """The scenario's database file, built once per process and kept as bytes: nothing stays on
    disk between checks (graders run checks in forked children that skip atexit clean-up). The
    scenario object is kept alive with it, so its id is never reused for another one."""
    if id(scenario) not in _BASES:
        folder = tempfile.mkdtemp(prefix="week12-harness-")
        try:
            path = os.path.join(folder, "base.duckdb")
            sandbox.open_sandbox(scenario.dataset, None, limits, path=path).close()
            with open(path, "rb") as fh:
                _BASES[id(scenario)] = (scenario, fh.read())
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return _BASES[id(scenario)][1]


class Workspace:
    """A grader-owned temp folder holding copies of a scenario's database file, one per trial,
    so trials never see each other's writes; the folder is deleted when the workspace closes."""

    def __init__(self, scenario: Scenario, limits: Limits):
        self.limits = limits
        self.scenario = scenario
        self.dir: str | None = None  # made on the first crash trial
        self.count = 0

    def fresh(self) -> str:
        """A database FILE for a crash trial: killed and reopened like a real job's process."""
        if self.dir is None:
            self.dir = tempfile.mkdtemp(prefix="week12-harness-")
        self.count += 1
        COUNTS["database files"] += 1
        path = os.path.join(self.dir, f"trial{self.count}.duckdb")
        with open(path, "wb") as fh:
            fh.write(_base(self.scenario, self.limits))
        return path

    def scratch(self) -> sandbox.SharedDatabase:
        """An in-memory database for runs that crash nothing (clean runs, backfill schedules):
        the same sessions and transactions, without starting a database instance per run."""
        COUNTS["in-memory databases"] += 1
        return sandbox.SharedDatabase(self.scenario.dataset, None, self.limits)

    def open(self, path: str):
        return sandbox.reopen(path, None, self.limits)

    def close(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class Failure:
    statement: int
    text: str
    error: str

    def describe(self) -> str:
        return f"statement {self.statement} (`{short(self.text)}`) failed: {self.error.rstrip('.')}"


def short(statement: str, width: int = 60) -> str:
    text = " ".join(statement.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def run_job(db, statements: list[str], variables: dict, limits: Limits, stop_after: int | None = None) -> Failure | None:
    """One run of the job in its own session on `db`. With `stop_after`, the process dies after
    that statement: the session closes without COMMIT, so an open transaction is rolled back."""
    COUNTS["job runs"] += 1
    cur = db.cursor()
    try:
        sandbox.set_variables(cur, variables)
        deadline = sandbox.Deadline(limits.timeout_s)
        for i, stmt in enumerate(statements[:stop_after], 1):
            try:
                deadline.execute(cur, stmt, i)
            except SandboxError as exc:
                if exc.kind == "timeout":
                    raise
                return Failure(i, stmt, str(exc))
        return None
    finally:
        cur.close()


@dataclass
class State:
    rows: list[tuple]
    watermark: datetime | None
    last_run: datetime | None

    def day(self, as_of: datetime) -> list[tuple]:
        return sorted(r for r in self.rows if r[AS_OF] == as_of)


def read_state(db) -> State:
    cur = db.cursor()
    try:
        rows = cur.execute(f"SELECT {', '.join(FEATURE_COLUMNS)} FROM feature_table").fetchall()
        ctl = cur.execute(
            "SELECT last_as_of_ts, last_run_ts FROM feature_job_control WHERE job_key = ?", [JOB_KEY]
        ).fetchall()
    finally:
        cur.close()
    watermark, last_run = ctl[0] if len(ctl) == 1 else (None, None)
    return State([tuple(r) for r in rows], watermark, last_run)


def expected_after(scenario: Scenario, days: list[datetime]) -> list[tuple]:
    """The table after `days` were (re)written: every other row kept, those days from the oracle."""
    wanted = set(days)
    kept = [r for r in scenario.initial_rows if r[AS_OF] not in wanted]
    return kept + semantics.feature_rows(scenario.events, days)


def table_diff(expected: list[tuple], state: State) -> compare.Diff:
    return compare.diff(expected, FEATURE_COLUMNS, state.rows, FEATURE_COLUMNS, FEATURE_KEY)


def _statements(answer: SubmittedAnswer, name: str) -> list[str]:
    statements = sandbox.split_statements(_sql(answer, name))
    if not statements:
        raise SandboxError("the answer holds no SQL statement")
    return statements


# ---------- clean runs ----------

@dataclass
class CleanRunsCheck(Check):
    """The job run `runs` times in a row, no faults. `aspect`: "table" (the new days match the
    oracle, other rows kept), "control" (watermark on the last day written, last_run_ts set),
    "untouched" (rows of days already written are exactly as before)."""

    scenario: Scenario = None  # type: ignore[assignment]
    runs: int = 2
    aspect: str = "table"

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        statements = _statements(answer, self.answer)
        sc = self.scenario
        days = [sc.watermark + semantics.DAY * (i + 1) for i in range(self.runs)]
        before, failures, after = clean_runs(statements, sc, limits, self.runs)
        for run, failure in enumerate(failures):
            if failure:
                return Verdict("fail", f"{self.fail} (run {run + 1}: {failure.describe()}; a job that fails "
                               "is retried by the scheduler and fails again: no later day gets written)")
        what = f"{self.runs} run(s) from watermark {day_text(sc.watermark)}"
        if self.aspect == "table":
            d = table_diff(expected_after(sc, days), after)
            if d.equal:
                return Verdict("pass", self.passed)
            return Verdict("fail", f"{self.fail} (after {what}: {d.summary()})", diff_tables(d))
        if self.aspect == "untouched":
            old = {r[AS_OF] for r in sc.initial_rows}
            got = sorted(r for r in after.rows if r[AS_OF] in old)
            was = sorted(r for r in before.rows if r[AS_OF] in old)
            if compare.diff(was, FEATURE_COLUMNS, got, FEATURE_COLUMNS).equal:
                return Verdict("pass", self.passed)
            d = compare.diff(was, FEATURE_COLUMNS, got, FEATURE_COLUMNS, FEATURE_KEY)
            return Verdict("fail", f"{self.fail} (days {days_text(old)} after {what}: {d.summary()})", diff_tables(d))
        # control
        problems = []
        if after.watermark != days[-1]:
            problems.append(f"last_as_of_ts is {day_text(after.watermark)}, expected {day_text(days[-1])} "
                            "(the last day written)")
        if after.last_run is None or after.last_run == sc.last_run:
            problems.append("last_run_ts was not set by the run")
        if not problems:
            return Verdict("pass", self.passed)
        return Verdict("fail", f"{self.fail} (after {what}: {'; '.join(problems)})")


# ---------- crashes ----------

@dataclass
class Trial:
    crash_after: int
    statement: str
    watermark: datetime | None  # after the crash and reopen
    days: list[datetime]  # target days whose rows are complete after the crash
    ahead: list[datetime]  # days at or before the watermark whose rows are not there
    reruns: int = 0
    problem: str = ""  # what went wrong after the reruns, "" when the job recovered
    diff: compare.Diff | None = None

    @property
    def outcome(self) -> str:
        return self.problem or f"recovered after {self.reruns} rerun(s)"


_explored: dict[tuple, list[Trial]] = {}


@dataclass
class Baseline:
    """What the job itself does in `days` clean runs, and what each crash must end in: the
    oracle's table when the clean runs get it right, otherwise the clean runs' own table, so a
    job with wrong values (caught by the clean-run checks) is judged here on crashes alone."""

    targets: list[datetime]
    expected: list[tuple]  # the final table every crash + reruns must end with
    per_day: dict[datetime, list[tuple]]  # a target day's rows once that day is written
    watermark: datetime | None  # where the clean runs leave the watermark
    correct: bool


_clean: dict[tuple, tuple] = {}


def clean_runs(statements: list[str], sc: Scenario, limits: Limits, runs: int) -> tuple[State, list, State]:
    """(state before, each run's failure or None, state after) for `runs` fault-free runs in a
    row. Cached per process: several checks of one answer read the same clean runs."""
    key = (tuple(statements), id(sc), sc.name, runs, limits)
    if key not in _clean:
        with Workspace(sc, limits) as ws:
            db = ws.scratch()
            try:
                before = read_state(db)
                failures = [run_job(db, statements, sc.variables, limits) for _ in range(runs)]
                after = read_state(db)
            finally:
                db.close()
        if len(_clean) > 64:
            _clean.clear()
        _clean[key] = (sc, before, failures, after)  # the scenario kept alive: its id stays unique
    _, before, failures, after = _clean[key]
    return before, failures, after


def baseline(ws: Workspace, statements: list[str], sc: Scenario, limits: Limits, days: int) -> Baseline:
    targets = [sc.watermark + semantics.DAY * (i + 1) for i in range(days)]
    oracle = expected_after(sc, targets)
    _, failures, clean = clean_runs(statements, sc, limits, days)
    correct = not any(failures) and clean.watermark == targets[-1] and table_diff(oracle, clean).equal
    final = oracle if correct or any(failures) else clean.rows
    per_day = {}
    for d in targets:
        mine = sorted(r for r in final if r[AS_OF] == d)
        per_day[d] = mine or sorted(r for r in oracle if r[AS_OF] == d)
    return Baseline(targets, final, per_day, targets[-1] if correct else clean.watermark, correct)


# Where crash trials run. "file": a database file whose process is killed after statement k and
# which is then opened again, exactly as a scheduler meets it. "memory": the job's session is
# closed after statement k without COMMIT on an in-memory database that outlives it. The two
# are indistinguishable to the job (uncommitted work is rolled back, committed work stays, temp
# tables and variables die with the session: tests/test_harness.py runs known-wrong and correct
# jobs both ways and demands the same verdicts); "memory" skips starting a database instance
# per trial, the bulk of a grading's time.
CRASH_MEDIUM = os.environ.get("WEEK12_CRASH_MEDIUM", "memory")


def crash(ws: Workspace, statements: list[str], sc: Scenario, limits: Limits, k: int):
    """Run the job, kill it after statement k, and return the database as the next run finds it."""
    if CRASH_MEDIUM == "file":
        path = ws.fresh()
        db = ws.open(path)
        try:
            run_job(db, statements, sc.variables, limits, stop_after=k)
        finally:
            db.close()  # the process dies: nothing uncommitted survives
        return ws.open(path)  # the scheduler starts the job again in a new process
    db = ws.scratch()
    run_job(db, statements, sc.variables, limits, stop_after=k)  # its session ends without COMMIT
    return db


def explore(statements: list[str], sc: Scenario, limits: Limits, days: int = 2) -> list[Trial]:
    """Crash one run after each statement boundary, reopen, rerun until caught up with `days`
    new days. Cached: several checks read the same exploration."""
    key = (tuple(statements), id(sc), sc.name, days, limits, CRASH_MEDIUM)
    if key in _explored:
        return _explored[key]
    trials = []
    with Workspace(sc, limits) as ws:
        base = baseline(ws, statements, sc, limits, days)
        for k in range(1, len(statements)):
            COUNTS["crash points"] += 1
            db = crash(ws, statements, sc, limits, k)
            try:
                st = read_state(db)
                complete = [d for d in base.targets if _same(base.per_day[d], st.day(d))]
                ahead = [d for d in base.targets if st.watermark is not None and d <= st.watermark and d not in complete]
                trial = Trial(k, statements[k - 1], st.watermark, complete, ahead)
                trial.problem = _rerun(db, statements, sc, limits, trial, base)
            finally:
                db.close()
            trials.append(trial)
    if len(_explored) > 64:
        _explored.clear()
    _explored[key] = trials
    return trials


def _same(a: list[tuple], b: list[tuple]) -> bool:
    return compare.diff(a, FEATURE_COLUMNS, b, FEATURE_COLUMNS).equal


def _caught_up(st: State, base: Baseline) -> bool:
    if st.watermark is None:
        return False
    if base.correct:
        return st.watermark >= base.targets[-1]
    # The clean runs themselves miss the target: rerun until where they got, or past the target.
    return st.watermark >= base.targets[-1] or st.watermark == base.watermark


def _rerun(db, statements, sc, limits, trial: Trial, base: Baseline) -> str:
    st = read_state(db)
    while not _caught_up(st, base):
        if trial.reruns >= MAX_RERUNS:
            return f"stuck: {MAX_RERUNS} reruns left the watermark at {day_text(st.watermark)}"
        trial.reruns += 1
        failure = run_job(db, statements, sc.variables, limits)
        if failure:
            return f"rerun {trial.reruns} {failure.describe()}: the job can never catch up"
        new = read_state(db)
        if new.watermark == st.watermark:
            return f"rerun {trial.reruns} did not move the watermark from {day_text(st.watermark)}: stuck"
        st = new
    d = table_diff(base.expected, st)
    if d.equal:
        return ""
    trial.diff = d
    written = {r[AS_OF] for r in st.rows}
    gaps = [t for t in expected_days(base.expected) if t not in written]
    if gaps:
        return f"gap: day {days_text(gaps)} is never written ({d.summary()})"
    if d.duplicated:
        return f"duplicate keys after the rerun ({d.summary()})"
    return f"final table differs from an uncrashed run's ({d.summary()})"


def expected_days(rows: list[tuple]) -> list[datetime]:
    return sorted({r[AS_OF] for r in rows})


def trials_table(trials: list[Trial], caption: str) -> Table:
    rows = [[t.crash_after, short(t.statement, 48), day_text(t.watermark), days_text(t.days), t.outcome] for t in trials]
    return Table(caption, ["crash after", "statement", "watermark after crash", "new days in table", "after reruns"], rows)


@dataclass
class CrashCheck(Check):
    """A crash after every statement boundary of one run. `aspect`: "recovers" (reruns catch up
    with no duplicate, no gap, the reference table) or "control_after_write" (at no crash point
    is the watermark ahead of the data written)."""

    scenario: Scenario = None  # type: ignore[assignment]
    aspect: str = "recovers"

    def prepare(self, limits: Limits = Limits()) -> None:
        if CRASH_MEDIUM == "file":
            _base(self.scenario, limits)  # the crash trials' database file, inherited by forked graders

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        statements = _statements(answer, self.answer)
        trials = explore(statements, self.scenario, limits)
        table = trials_table(trials, "crash points and what the reruns made of them")
        if self.aspect == "control_after_write":
            bad = next((t for t in trials if t.ahead), None)
            if bad is None:
                return Verdict("pass", self.passed or f"{len(trials)} crash points: the watermark never ran ahead of the data.")
            lost = days_text(bad.ahead)
            return Verdict("fail", (
                f"{self.fail}: a crash after statement {bad.crash_after} (`{short(bad.statement)}`) leaves "
                f"last_as_of_ts at {day_text(bad.watermark)} while day {lost} has no rows; the next run starts "
                f"the day after the watermark, so day {lost} is never written"), [table])
        bad = next((t for t in trials if t.problem), None)
        if bad is None:
            return Verdict("pass", self.passed or f"recovered from all {len(trials)} crash points.")
        tables = [table] + (diff_tables(bad.diff) if bad.diff else [])
        return Verdict("fail", f"{self.fail}: crash after statement {bad.crash_after} (`{short(bad.statement)}`), "
                       f"then reruns -> {bad.problem}", tables)


# ---------- backfills ----------

@dataclass(frozen=True)
class Backfill:
    label: str
    start: datetime
    end: datetime

    @property
    def variables(self) -> dict:
        return {"start_ts": self.start, "end_ts": self.end}

    @property
    def days(self) -> list[datetime]:
        return semantics.as_of_range(self.start, self.end)

    def __str__(self) -> str:
        return f"{self.label} [{self.start:%m-%d}..{self.end:%m-%d}]"


def interleavings(n_a: int, n_b: int) -> list[str]:
    """Deterministic schedules of two jobs' statements ("ABAB..." = whose statement runs next):
    every interleaving when there are few; otherwise lockstep and one job inside the other at
    every boundary, the shapes that put two open transactions side by side."""
    total = n_a + n_b
    every = ["".join("A" if i in pos else "B" for i in range(total)) for pos in itertools.combinations(range(total), n_a)]
    if len(every) <= MAX_SCHEDULES:
        return every
    def lockstep(first: str, second: str, n1: int, n2: int) -> str:
        return "".join(first + second for _ in range(min(n1, n2))) + first * (n1 - n2) + second * (n2 - n1)

    def inside(first: str, second: str, n1: int, n2: int, i: int) -> str:
        return first * i + second * n2 + first * (n1 - i)  # all of `second` after `first`'s i-th statement

    chosen = [lockstep("A", "B", n_a, n_b), lockstep("B", "A", n_b, n_a)]
    for i in range(1, max(n_a, n_b)):  # alternate A-around-B and B-around-A, boundary by boundary
        if i < n_a:
            chosen.append(inside("A", "B", n_a, n_b, i))
        if i < n_b:
            chosen.append(inside("B", "A", n_b, n_a, i))
    return list(dict.fromkeys(chosen))[:MAX_SCHEDULES]


@dataclass
class Outcome:
    schedule: str
    notes: list[str]
    failed: list[str]  # tasks that failed even after retries
    diff: compare.Diff
    rows: list[tuple] = field(default_factory=list)


def run_schedule(ws: Workspace, statements: list[str], jobs: dict[str, Backfill], schedule: str,
                 limits: Limits, sc: Scenario) -> Outcome:
    """Run the jobs' statements in `schedule` order, each job on its own connection. A job whose
    statement fails is rolled back and retried from its first statement once the schedule ends."""
    COUNTS["job runs"] += len(jobs)
    db = ws.scratch()
    notes, failed = [], []
    try:
        curs = {}
        for label, job in jobs.items():
            curs[label] = db.cursor()
            sandbox.set_variables(curs[label], {**sc.variables, **job.variables})
        pos = {label: 0 for label in jobs}
        broken: list[str] = []
        deadline = sandbox.Deadline(limits.timeout_s)
        for label in schedule:
            if label in broken:
                continue
            i = pos[label]
            pos[label] += 1
            try:
                deadline.execute(curs[label], statements[i], i + 1)
            except SandboxError as exc:
                if exc.kind == "timeout":
                    raise
                notes.append(f"{jobs[label]} statement {i + 1} failed ({exc}); retried")
                broken.append(label)
                curs[label].close()  # the failed task's process ends: its open transaction rolls back
        for label in jobs:  # end of each job's session: no COMMIT is implied
            if label not in broken:
                curs[label].close()
        for label in broken:
            for attempt in range(RETRIES):
                failure = run_job(db, statements, {**sc.variables, **jobs[label].variables}, limits)
                if failure is None:
                    break
                if attempt == RETRIES - 1:
                    failed.append(f"{jobs[label]} failed on every retry: {failure.describe()}")
        state = read_state(db)
    finally:
        db.close()
    days = sorted({d for job in jobs.values() for d in job.days})
    return Outcome(schedule, notes, failed, table_diff(expected_after(sc, days), state), state.rows)


def sequence(labels: str) -> str:
    return " then ".join(labels)


@dataclass
class BackfillCheck(Check):
    """Backfill jobs on one table. `orders`: sequences of job labels run one after the other
    (e.g. ["AB", "BA"]); `interleave`: run A and B concurrently under many schedules. The final
    table must equal one backfill over the union of the jobs' ranges."""

    scenario: Scenario = None  # type: ignore[assignment]
    jobs: list[Backfill] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)
    interleave: bool = False
    baseline: Scenario | None = None  # judge against the same script's backfill from this scenario
    outside_only: bool = False  # compare only rows outside the jobs' days (they must be untouched)

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        statements = _statements(answer, self.answer)
        outcomes = self.outcomes(statements, limits, stop_at_failure=True)
        bad = next((o for o in outcomes if o.failed or not o.diff.equal), None)
        if bad is not None:
            return self._fail(bad, {j.label: j for j in self.jobs})
        return Verdict("pass", self.passed or f"{len(outcomes)} schedule(s): every one ends with the reference table.")

    def outcomes(self, statements: list[str], limits: Limits, stop_at_failure: bool = False) -> list[Outcome]:
        """Each schedule's outcome, in order (stopping at the first failure when asked)."""
        jobs = {j.label: j for j in self.jobs}
        n = len(statements)
        schedules = interleavings(n, n) if self.interleave else self.orders
        out_list = []
        with Workspace(self.scenario, limits) as ws:
            alone = self._alone(ws, statements, jobs, limits)
            for schedule in schedules:
                COUNTS["interleavings" if self.interleave else "sequences"] += 1
                if self.interleave:
                    out = run_schedule(ws, statements, jobs, schedule, limits, self.scenario)
                else:  # a sequence: each job runs whole, in its own session
                    out = self._sequential(ws, statements, jobs, schedule, limits)
                if self.outside_only:
                    days = {d for j in self.jobs for d in j.days}
                    kept = [r for r in self.scenario.initial_rows if r[AS_OF] not in days]
                    out.diff = compare.diff(kept, FEATURE_COLUMNS, [r for r in out.rows if r[AS_OF] not in days],
                                            FEATURE_COLUMNS, FEATURE_KEY)
                elif alone is not None:
                    out.diff = compare.diff(alone, FEATURE_COLUMNS, out.rows, FEATURE_COLUMNS, FEATURE_KEY)
                out_list.append(out)
                if stop_at_failure and (out.failed or not out.diff.equal):
                    break
        return out_list

    def describe(self, out: Outcome) -> str:
        jobs = {j.label: j for j in self.jobs}
        if self.interleave:
            return f"interleaved as {out.schedule} (whose statement runs next)"
        return sequence([str(jobs[c]) for c in out.schedule])

    def _alone(self, ws, statements, jobs, limits: Limits) -> list[tuple] | None:
        """With several jobs: one backfill of their union by the same script. When that alone
        differs from the oracle (wrong values: backfill_matches_reference's business), the
        schedules are judged against it, so this check speaks of overlaps only."""
        if len(jobs) < 2 and self.baseline is None:
            return None
        union = Backfill("U", min(j.start for j in jobs.values()), max(j.end for j in jobs.values()))
        if self.baseline is None:
            out = self._sequential(ws, statements, {"U": union}, "U", limits, self.scenario)
        else:
            with Workspace(self.baseline, limits) as other:
                out = self._sequential(other, statements, {"U": union}, "U", limits, self.baseline)
        return None if out.failed or out.diff.equal else out.rows

    def _sequential(self, ws, statements, jobs, order: str, limits: Limits, sc: Scenario | None = None) -> Outcome:
        sc = sc or self.scenario
        db = ws.scratch()
        notes, failed = [], []
        try:
            for label in order:
                for attempt in range(RETRIES + 1):
                    failure = run_job(db, statements, {**sc.variables, **jobs[label].variables}, limits)
                    if failure is None:
                        break
                    if attempt == RETRIES:
                        failed.append(f"{jobs[label]} failed on every retry: {failure.describe()}")
            state = read_state(db)
        finally:
            db.close()
        days = sorted({d for label in order for d in jobs[label].days})
        return Outcome(order, notes, failed, table_diff(expected_after(sc, days), state), state.rows)

    def _fail(self, out: Outcome, jobs) -> Verdict:
        said = list(out.failed)
        if not out.diff.equal:
            said.append(f"final table: {out.diff.summary()}")
        message = f"{self.fail}. With {self.describe(out)}: " + "; ".join(said)
        if out.notes:
            message += " (" + "; ".join(out.notes) + ")"
        return Verdict("fail", message, diff_tables(out.diff))


# ---------- for the notebooks ----------

def snippet(name_or_sql: str) -> str:
    """A saved jupysql snippet's SQL (as `%%sql --save NAME` stored it), or SQL given directly."""
    try:
        from sql.store import store

        if name_or_sql in store:
            return str(store[name_or_sql])
    except Exception:  # outside a notebook
        pass
    return name_or_sql


def crash_table(name_or_sql: str, scenario: Scenario, limits: Limits = Limits()):
    """The crash exploration as a DataFrame: one row per crash point, what survived, and what
    the reruns made of it. Deterministic, so it can live in a committed notebook."""
    import pandas as pd

    trials = explore(sandbox.split_statements(snippet(name_or_sql)), scenario, limits)
    t = trials_table(trials, "")
    df = pd.DataFrame(t.rows, columns=t.columns)
    df["watermark ahead of data?"] = ["yes: day " + days_text(x.ahead) + " lost" if x.ahead else "no" for x in trials]
    return df.set_index("crash after")


def schedules_table(name_or_sql: str, checks: list[BackfillCheck], limits: Limits = Limits()):
    """Every schedule the backfill checks try, and how the learner's backfill came out of it."""
    import pandas as pd

    statements = sandbox.split_statements(snippet(name_or_sql))
    rows = []
    for check in checks:
        for out in check.outcomes(statements, limits):
            result = "; ".join(out.failed + ([] if out.diff.equal else [out.diff.summary()])) or "the reference table"
            retried = "yes" if out.notes else "no"
            rows.append([check.name, check.describe(out), retried, result])
    return pd.DataFrame(rows, columns=["check", "schedule", "a task retried?", "final table"])


def days_table(name_or_sql: str, scenario: Scenario, runs: int = 1, limits: Limits = Limits()):
    """Rows per as-of day before and after `runs` clean runs of the job, and which changed."""
    import pandas as pd

    statements = sandbox.split_statements(snippet(name_or_sql))
    with Workspace(scenario, limits) as ws:
        db = ws.scratch()
        try:
            before = read_state(db)
            failures = [run_job(db, statements, scenario.variables, limits) for _ in range(runs)]
            after = read_state(db)
        finally:
            db.close()
    rows = []
    for day in sorted({r[AS_OF] for r in before.rows + after.rows}):
        old, new = before.day(day), after.day(day)
        same = _same(old, new)
        marks = [w for w, ts in (("before", before.watermark), ("after", after.watermark)) if ts == day]
        rows.append([day_text(day), len(old), len(new), "no" if same else ("written" if not old else "CHANGED"),
                     " and ".join(marks)])
    df = pd.DataFrame(rows, columns=["as_of_ts", "rows before", "rows after", "changed?", "watermark"])
    problems = [f.describe() for f in failures if f]
    return df if not problems else (df, problems)
