"""Scenarios, the databases a job runs on, one job run, the state it leaves and what was expected of it:
the shared parts of every fault-injection check (see __init__.py)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from grader.engine import compare
from grader.engine import sandbox, spent
from grader.domain import semantics
from grader.engine import sqlerrors
from grader.engine.checks import Verdict, _sql, day_text
from grader.domain.tables import FEATURE_COLUMNS, FEATURE_KEY, JOB_KEY, Dataset, columns as table_columns
from grader.engine.notebook import SubmittedAnswer
from grader.engine.results import Table
from grader.engine.sandbox import Limits, SandboxError
from grader.engine.shrink import ddmin


ORCHESTRATOR_RETRIES = 2  # an orchestrator's retries of a failed task
MAX_RERUNS = 4  # reruns after a crash before the job counts as stuck
MAX_SCHEDULES = 12  # interleavings explored per pair of jobs (chosen deterministically)
AS_OF_COLUMN = 2  # column of as_of_ts in feature_table rows
# The hidden value fixtures (window edges, retries, event types) judge the key and the three counts:
# ctr_7d is derived from them and judged on the sample, so a ctr slip is not reported as a window one.
COUNTS_END = 6
COUNT_COLUMNS = FEATURE_COLUMNS[:COUNTS_END]
SHRINK_TESTS = 60  # job runs spent at most on shrinking one counterexample
SHRINK_SECONDS = 2.0  # ... and CPU time of the grading process

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


def scenario_key(sc: Scenario) -> tuple:
    """What a job's run depends on in a scenario, as a cache key: its tables' rows and its
    variables, not the object (checks declare equal scenarios apart, and several checks'
    shrinking tries the same subsets) nor its name (no run's outcome quotes it)."""
    return sandbox.content_key(sc.dataset), sandbox.variables_key(sc.variables)


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
        said = f"statement {self.statement} (`{short(self.text)}`) failed: {self.error.rstrip('.')}"
        hint = sqlerrors.explain(self.error, self.text)  # a duplicate key on a rerun: not idempotent...
        return f"{said} (what this means here: {hint.rstrip('.')})" if hint else said


def short(statement: str, width: int = 60) -> str:
    text = " ".join(statement.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def run_job(db, statements: list[str], variables: dict, limits: Limits, stop_after: int | None = None) -> Failure | None:
    """One run of the job in its own session on `db`. With `stop_after`, the process dies after
    that statement: the session closes without COMMIT, so an open transaction is rolled back."""
    COUNTS["job runs"] += 1
    with sandbox.session(db, variables) as cur:
        deadline = sandbox.Deadline(limits.timeout_s)
        for i, stmt in enumerate(statements[:stop_after], 1):
            try:
                deadline.execute(cur, stmt, i)
            except SandboxError as exc:
                if exc.kind == "timeout":
                    raise
                return Failure(i, stmt, str(exc))
        return None


@dataclass
class State:
    rows: list[tuple]
    watermark: datetime | None
    last_run: datetime | None
    control: list[tuple] = field(default_factory=list)  # every job's control row, sorted

    def day(self, as_of: datetime) -> list[tuple]:
        return sorted(r for r in self.rows if r[AS_OF_COLUMN] == as_of)


def read_state(db) -> State:
    started = spent.clock()
    try:
        with sandbox.session(db) as cur:
            rows = cur.execute(f"SELECT {', '.join(FEATURE_COLUMNS)} FROM feature_table").fetchall()
            control = sorted(tuple(r) for r in cur.execute(
                "SELECT job_key, last_as_of_ts, last_run_ts FROM feature_job_control").fetchall())
    finally:
        spent.add(spent.READING, started)
    ctl = [r[1:] for r in control if r[0] == JOB_KEY]
    watermark, last_run = ctl[0] if len(ctl) == 1 else (None, None)
    return State([tuple(r) for r in rows], watermark, last_run, control)


def expected_after(scenario: Scenario, days: list[datetime]) -> list[tuple]:
    """The table after `days` were (re)written: every other row kept, those days from the oracle."""
    wanted = set(days)
    kept = [r for r in scenario.initial_rows if r[AS_OF_COLUMN] not in wanted]
    return kept + semantics.feature_rows(scenario.events, days)


def table_diff(expected: list[tuple], state: State) -> compare.Diff:
    return compare.diff(expected, FEATURE_COLUMNS, state.rows, FEATURE_COLUMNS, FEATURE_KEY)


def _statements(answer: SubmittedAnswer, name: str) -> list[str]:
    statements = sandbox.split_statements(_sql(answer, name))
    if not statements:
        raise SandboxError("the answer holds no SQL statement")
    return statements


def targets(sc: Scenario, runs: int) -> list[datetime]:
    """The days `runs` scheduled runs from the scenario's watermark must write, in order."""
    return [sc.watermark + semantics.DAY * (i + 1) for i in range(runs)]


def _same(a: list[tuple], b: list[tuple]) -> bool:
    return compare.diff(a, FEATURE_COLUMNS, b, FEATURE_COLUMNS).equal


def written_days(before: State, after: State) -> list[datetime]:
    """Days a run wrote: rows added or changed (a day only emptied is not written)."""
    days = {r[AS_OF_COLUMN] for r in after.rows}
    return sorted(d for d in days if not _same(before.day(d), after.day(d)))


def changed_days(before: State, after: State) -> list[datetime]:
    """Days whose rows differ in any way (added, changed or removed)."""
    days = {r[AS_OF_COLUMN] for r in before.rows + after.rows}
    return sorted(d for d in days if not _same(before.day(d), after.day(d)))


# ---------- clean runs ----------

@dataclass
class Runs:
    """`runs` fault-free runs in a row. inputs[i] is what run i+1 found, outputs[i] what it left
    (before the harness moved the watermark, in a fed run). Fed: before each run the control row
    says the day before the one that run must write, as a scheduler that trusts nothing but its
    own calendar would set it; a job whose own control update is wrong (a separate check's
    business) is then still judged on the days it writes."""

    inputs: list[State]
    outputs: list[State]
    failures: list[Failure | None]
    fed: bool
    # each run's wall-clock interval, (start, end) in local time: the time of the run its last_run_ts must hold
    clock: list[tuple[datetime, datetime]] = field(default_factory=list)

    @property
    def before(self) -> State:
        return self.inputs[0]

    @property
    def after(self) -> State:
        return self.outputs[-1]

    def failure(self) -> str | None:
        for i, f in enumerate(self.failures):
            if f:
                return f"run {i + 1} {f.describe()}"
        return None


_runs: dict[tuple, Runs] = {}


def _execute_runs(statements: list[str], sc: Scenario, limits: Limits, runs: int, fed: bool) -> Runs:
    COUNTS["in-memory databases"] += 1
    db = sandbox.SharedDatabase(sc.dataset, None, limits)
    days = targets(sc, runs)
    inputs, outputs, failures, clock = [], [], [], []
    try:
        state = read_state(db)
        for i in range(runs):
            inputs.append(state)
            started = datetime.now()
            failures.append(run_job(db, statements, sc.variables, limits))
            clock.append((started, datetime.now()))
            outputs.append(read_state(db))
            state = outputs[-1]
            if fed and i + 1 < runs and state.watermark != days[i]:
                _set_watermark(db, days[i], state.last_run)
                state = read_state(db)
    finally:
        db.close()
    return Runs(inputs, outputs, failures, fed, clock)


def _set_watermark(db, day: datetime, last_run: datetime | None) -> None:
    """The scheduler's hand on the control row (grader-side, not learner SQL)."""
    cur = db.cursor()
    try:
        cur.execute("DELETE FROM feature_job_control WHERE job_key = ?", [JOB_KEY])
        cur.execute("INSERT INTO feature_job_control VALUES (?, ?, ?)", [JOB_KEY, day, last_run])
    except Exception:  # the job dropped or reshaped its control table: its next run will say so
        pass
    finally:
        cur.close()


def job_runs(statements: list[str], sc: Scenario, limits: Limits, runs: int, fed: bool = False) -> Runs:
    """Cached per process, by the scenario's content: several checks of one answer read the
    same clean runs. Runs that never needed the harness's hand on the watermark serve both the
    fed and the natural key."""
    key = (tuple(statements), scenario_key(sc), runs, limits.run_key)
    if (key, fed) not in _runs:
        r = _execute_runs(statements, sc, limits, runs, fed)
        if len(_runs) > 96:
            _runs.clear()
        _runs[(key, fed)] = r
        days = targets(sc, runs)
        if all(out.watermark == d for out, d in zip(r.outputs[:-1], days)):
            _runs.setdefault((key, not fed), Runs(r.inputs, r.outputs, r.failures, not fed, r.clock))
    return _runs[(key, fed)]


def clean_runs(statements: list[str], sc: Scenario, limits: Limits, runs: int) -> tuple[State, list, State]:
    """(state before, each run's failure or None, state after) for `runs` runs in a row."""
    r = job_runs(statements, sc, limits, runs)
    return r.before, r.failures, r.after


def gate(statements: list[str], sc: Scenario | None, limits: Limits, runs: int) -> str | None:
    """Why the job cannot be judged on robustness, or None: in clean (fed) runs it must run
    without failing and write feature rows. A job that writes nothing is trivially idempotent,
    crash-proof and never ahead of its data; those checks award nothing for it."""
    if sc is None:
        return None
    r = job_runs(statements, sc, limits, runs, fed=True)
    what = f"{runs} clean run(s) from watermark {day_text(sc.watermark)} on {sc.name}"
    failure = r.failure()
    if failure:
        return f"in {what}, {failure}"
    if not any(written_days(i, o) for i, o in zip(r.inputs, r.outputs)):
        return f"in {what} your job wrote no feature rows (next day expected: {day_text(targets(sc, 1)[0])})"
    return None


def not_judged(problem: str, first: str) -> Verdict:
    return Verdict("fail", f"Could not be judged: {problem}. This check is about what happens to the days your "
                           f"job writes, so it needs a job that writes them; make {first} pass first.")


def events_table(sc: Scenario, caption: str) -> Table:
    return Table(caption, table_columns("events"), [list(r) for r in sc.events])


def input_tables(sc: Scenario, limit: int = 20) -> list[Table]:
    """The control row and the feature_table rows the job started from."""
    out = [Table("feature_job_control before the run", table_columns("feature_job_control"),
                 [list(r) for r in sc.dataset.rows("feature_job_control")])]
    rows = sc.initial_rows
    if rows:
        more = f" (first {limit} of {len(rows)})" if len(rows) > limit else ""
        out.append(Table(f"feature_table before the run{more}", FEATURE_COLUMNS, [list(r) for r in sorted(rows)[:limit]]))
    return out


def shrink_events(sc: Scenario, fails, table: str = "events") -> Scenario:
    """The scenario with the fewest rows of `table` (events, or the feature_table rows a job
    starts from) on which `fails(scenario)` still holds (ddmin, within a time budget: a
    counterexample is a courtesy, never a reason for a timeout). The budget is this process's
    CPU time, not wall time: other work on the same cores must not change the counterexample
    (and the message that counts its rows)."""
    rows = sc.dataset.rows(table)
    if len(rows) < 2:
        return sc
    deadline = time.process_time() + SHRINK_SECONDS

    def still(subset: list[tuple]) -> bool:
        if time.process_time() > deadline:
            return False
        try:
            return fails(Scenario(sc.name, sc.dataset.with_rows(table, subset), sc.variables))
        except SandboxError:
            return False  # a different failure: keep the counterexample about this one

    smallest = ddmin(rows, still, max_tests=SHRINK_TESTS)
    return Scenario(sc.name, sc.dataset.with_rows(table, smallest), sc.variables)


_empty: dict[int, tuple[Scenario, Scenario]] = {}


def empty_table(sc: Scenario) -> Scenario:
    """The scenario with feature_table empty: what the same job does without this scenario's rows.
    Derived from the scenario itself, never declared beside it, so a disguised hidden fixture
    (grader/engine/disguise.py renames ids per fixture) and its baseline keep the same ids."""
    if id(sc) not in _empty:
        if len(_empty) > 64:
            _empty.clear()
        _empty[id(sc)] = (sc, Scenario("the same tables with feature_table empty",
                                       sc.dataset.with_rows("feature_table", []), sc.variables))
    return _empty[id(sc)][1]


def new_rows(sc: Scenario, rows: list[tuple]) -> list[tuple]:
    return [r for r in rows if r[AS_OF_COLUMN] > sc.watermark]
