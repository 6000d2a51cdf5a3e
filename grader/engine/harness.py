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
import math
import os
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from grader.engine import compare
from grader.engine import sandbox
from grader.course import semantics
from grader.engine import sqlerrors
from grader.engine.checks import Check, Verdict, _sql, day_text, days_text, diff_tables
from grader.course.tables import FEATURE_COLUMNS, FEATURE_KEY, JOB_KEY, Dataset, columns as table_columns
from grader.engine.notebook import SubmittedAnswer
from grader.engine.results import Table
from grader.engine.sandbox import Limits, SandboxError
from grader.engine.shrink import ddmin

RETRIES = 2  # an orchestrator's retries of a failed task
MAX_RERUNS = 4  # reruns after a crash before the job counts as stuck
MAX_SCHEDULES = 12  # interleavings explored per pair of jobs (chosen deterministically)
AS_OF = 2  # column of as_of_ts in feature_table rows
# The hidden value fixtures (window edges, retries, event types) judge the key and the three counts:
# ctr_7d is derived from them and judged on the sample, so a ctr slip is not reported as a window one.
COUNTS_END = 6
COUNT_COLUMNS = FEATURE_COLUMNS[:COUNTS_END]
SHRINK_TESTS = 60  # job runs spent at most on shrinking one counterexample
SHRINK_SECONDS = 2.0  # ... and wall-clock time

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


def targets(sc: Scenario, runs: int) -> list[datetime]:
    """The days `runs` scheduled runs from the scenario's watermark must write, in order."""
    return [sc.watermark + semantics.DAY * (i + 1) for i in range(runs)]


def written_days(before: State, after: State) -> list[datetime]:
    """Days a run wrote: rows added or changed (a day only emptied is not written)."""
    days = {r[AS_OF] for r in after.rows}
    return sorted(d for d in days if not _same(before.day(d), after.day(d)))


def changed_days(before: State, after: State) -> list[datetime]:
    """Days whose rows differ in any way (added, changed or removed)."""
    days = {r[AS_OF] for r in before.rows + after.rows}
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


_runs: dict[tuple, tuple] = {}


def _execute_runs(statements: list[str], sc: Scenario, limits: Limits, runs: int, fed: bool) -> Runs:
    COUNTS["in-memory databases"] += 1
    db = sandbox.SharedDatabase(sc.dataset, None, limits)
    days = targets(sc, runs)
    inputs, outputs, failures = [], [], []
    try:
        state = read_state(db)
        for i in range(runs):
            inputs.append(state)
            failures.append(run_job(db, statements, sc.variables, limits))
            outputs.append(read_state(db))
            state = outputs[-1]
            if fed and i + 1 < runs and state.watermark != days[i]:
                _set_watermark(db, days[i], state.last_run)
                state = read_state(db)
    finally:
        db.close()
    return Runs(inputs, outputs, failures, fed)


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
    """Cached per process: several checks of one answer read the same clean runs. Runs that
    never needed the harness's hand on the watermark serve both the fed and the natural key."""
    key = (tuple(statements), id(sc), sc.name, runs, limits)
    if (key, fed) not in _runs:
        r = _execute_runs(statements, sc, limits, runs, fed)
        if len(_runs) > 96:
            _runs.clear()
        _runs[(key, fed)] = (sc, r)  # the scenario kept alive: its id stays unique
        days = targets(sc, runs)
        if all(out.watermark == d for out, d in zip(r.outputs[:-1], days)):
            _runs.setdefault((key, not fed), (sc, Runs(r.inputs, r.outputs, r.failures, not fed)))
    return _runs[(key, fed)][1]


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


def shrink_events(sc: Scenario, fails) -> Scenario:
    """The scenario with the fewest events on which `fails(scenario)` still holds (ddmin, within
    a time budget: a counterexample is a courtesy, never a reason for a timeout)."""
    events = sc.events
    if len(events) < 2:
        return sc
    deadline = time.monotonic() + SHRINK_SECONDS

    def still(subset: list[tuple]) -> bool:
        if time.monotonic() > deadline:
            return False
        try:
            return fails(Scenario(sc.name, sc.dataset.with_rows("events", subset), sc.variables))
        except SandboxError:
            return False  # a different failure: keep the counterexample about this one

    smallest = ddmin(events, still, max_tests=SHRINK_TESTS)
    return Scenario(sc.name, sc.dataset.with_rows("events", smallest), sc.variables)


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
    return [r for r in rows if r[AS_OF] > sc.watermark]


@dataclass
class CleanRunsCheck(Check):
    """The job run `runs` times in a row, no faults. `aspect`:
    - "table": the days after the watermark hold exactly the next `runs` days (fed runs), valued
      by the oracle, or with `relative` by the same job's own rows on the scenario with an empty
      feature_table (the
      later exercise judges which days, not the values); shrunk counterexample on a mismatch;
    - "values": the rows of whatever day(s) one run wrote match the oracle's counts for those days
      (the hidden fixtures' check: the counts, not which day, not ctr);
    - "control": the watermark on the last day it should have written, last_run_ts set;
    - "untouched": rows of days the runs must not write are exactly as before.
    `gate`: the scenario whose clean runs must write rows before this check judges anything."""

    scenario: Scenario = None  # type: ignore[assignment]
    runs: int = 2
    aspect: str = "table"
    relative: bool = False
    gate: Scenario | None = None
    gate_runs: int = 2
    first: str = "next_days_match_reference"  # the check to make pass first when not judged

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        statements = _statements(answer, self.answer)
        sc = self.scenario
        problem = gate(statements, self.gate, limits, self.gate_runs)
        if problem:
            return not_judged(problem, self.first)
        fed = self.aspect != "control"
        r = job_runs(statements, sc, limits, self.runs, fed=fed)
        failure = r.failure()
        if failure:
            return Verdict("fail", f"{self.fail} ({failure}; a job that fails is retried by the scheduler and fails "
                                   "again: no later day gets written)")
        what = f"{self.runs} run(s) from watermark {day_text(sc.watermark)}"
        if self.aspect == "values":
            return self._values(statements, r, limits)
        if self.aspect == "table":
            return self._table(statements, r, limits, what)
        if self.aspect == "untouched":
            mine = set(targets(sc, self.runs))
            old = {rw[AS_OF] for rw in sc.initial_rows} - mine
            got = sorted(rw for rw in r.after.rows if rw[AS_OF] in old)
            was = sorted(rw for rw in r.before.rows if rw[AS_OF] in old)
            d = compare.diff(was, FEATURE_COLUMNS, got, FEATURE_COLUMNS, FEATURE_KEY)
            if d.equal:
                return Verdict("pass", self.passed)
            hit = changed_days(State(was, None, None), State(got, None, None))
            return Verdict("fail", f"{self.fail} (after {what}, day(s) {days_text(hit)} changed: {d.summary()})",
                           diff_tables(d))
        return self._control(r, what)

    def _control(self, r: Runs, what: str) -> Verdict:
        sc = self.scenario
        last = targets(sc, self.runs)[-1]
        problems = []
        if r.after.watermark != last:
            problems.append(f"last_as_of_ts is {day_text(r.after.watermark)}, expected {day_text(last)} "
                            "(the last day the runs should have written)")
        if r.after.last_run is None or r.after.last_run == sc.last_run:
            problems.append("last_run_ts was not set by the run")
        if not problems:
            return Verdict("pass", self.passed)
        return Verdict("fail", f"{self.fail} (after {what}: {'; '.join(problems)})")

    def _expected_new(self, statements: list[str], limits: Limits) -> tuple[list[tuple], str | None]:
        """Rows the days after the watermark must hold: the oracle's, or the job's own."""
        sc = self.scenario
        days = targets(sc, self.runs)
        kept = [rw for rw in new_rows(sc, sc.initial_rows) if rw[AS_OF] not in days]
        if not self.relative:
            return kept + semantics.feature_rows(sc.events, days), None
        base = empty_table(sc)
        own = job_runs(statements, base, limits, self.runs, fed=True)
        if own.failure():
            return [], f"on {base.name}, {own.failure()}"
        mine = [rw for rw in own.after.rows if rw[AS_OF] in days]
        empty = [d for d in days if semantics.feature_rows(base.events, [d]) and d not in {rw[AS_OF] for rw in mine}]
        if empty:
            return [], (f"on {base.name}, {self.runs} run(s) from watermark {day_text(base.watermark)} "
                        f"write no rows for {days_text(empty)}, so there is no day of yours to compare")
        return kept + mine, None

    def _table(self, statements: list[str], r: Runs, limits: Limits, what: str) -> Verdict:
        sc = self.scenario
        got = new_rows(sc, r.after.rows)
        if self.relative:  # which days, before any comparison: every day the oracle fills must be written
            empty = [d for d in targets(sc, self.runs)
                     if semantics.feature_rows(sc.events, [d]) and not [rw for rw in got if rw[AS_OF] == d]]
            if empty:
                return Verdict("fail", f"{self.fail} (after {what}: no rows for {days_text(empty)}, a day with events "
                                       f"in its window; days your job wrote: {days_text(written_days(r.before, r.after))})")
        expected, problem = self._expected_new(statements, limits)
        if problem:
            return not_judged(problem, self.first)
        d = compare.diff(expected, FEATURE_COLUMNS, got, FEATURE_COLUMNS, FEATURE_KEY)
        if d.equal:
            return Verdict("pass", self.passed)
        note = "" if not self.relative else " (compared with the rows your job writes for that day on an empty feature_table)"
        if not got:  # nothing to shrink: the job wrote no row after the watermark
            return Verdict("fail", f"{self.fail} (after {what} your job wrote no rows for {days_text(targets(sc, self.runs))}"
                                   f"; {d.summary()})", diff_tables(d))
        if self.relative:
            wrote = days_text(written_days(r.before, r.after))
            return Verdict("fail", f"{self.fail}{note} (after {what}: {d.summary()}; day(s) your run wrote: {wrote})",
                           diff_tables(d))

        def fails(small: Scenario) -> bool:
            rr = _execute_runs(statements, small, limits, self.runs, fed=True)
            exp = [rw for rw in new_rows(small, small.initial_rows) if rw[AS_OF] not in targets(small, self.runs)]
            exp += semantics.feature_rows(small.events, targets(small, self.runs))
            return not rr.failure() and not compare.diff(exp, FEATURE_COLUMNS, new_rows(small, rr.after.rows),
                                                         FEATURE_COLUMNS, FEATURE_KEY).equal

        small = shrink_events(sc, fails)
        if small is not sc:
            rr = _execute_runs(statements, small, limits, self.runs, fed=True)
            exp = [rw for rw in new_rows(small, small.initial_rows) if rw[AS_OF] not in targets(small, self.runs)]
            exp += semantics.feature_rows(small.events, targets(small, self.runs))
            small_d = compare.diff(exp, FEATURE_COLUMNS, new_rows(small, rr.after.rows), FEATURE_COLUMNS, FEATURE_KEY)
            if not small_d.equal:
                sc, d = small, small_d
        tables = [events_table(sc, "events: the fewest rows on which your job and the reference differ")]
        tables += input_tables(sc) + diff_tables(d)
        on = f"on the {len(sc.events)} event(s) shown" if sc is not self.scenario else "on the events shown"
        return Verdict("fail", f"{self.fail} (after {what}, {on}, the days after the watermark: {d.summary()})", tables)

    def _values(self, statements: list[str], r: Runs, limits: Limits) -> Verdict:
        sc = self.scenario

        def judged(small: Scenario, rr: Runs) -> compare.Diff:
            days = sorted({d for i, o in zip(rr.inputs, rr.outputs) for d in written_days(i, o)}) or targets(small, self.runs)
            got = [rw[:COUNTS_END] for rw in rr.after.rows if rw[AS_OF] in days]
            want = [rw[:COUNTS_END] for rw in semantics.feature_rows(small.events, days)]
            return compare.diff(want, COUNT_COLUMNS, got, COUNT_COLUMNS, FEATURE_KEY)

        d = judged(sc, r)
        if d.equal:
            return Verdict("pass", self.passed)
        if not any(written_days(i, o) for i, o in zip(r.inputs, r.outputs)):
            return Verdict("fail", f"{self.fail} (your job wrote no feature rows from watermark "
                                   f"{day_text(sc.watermark)}; {d.summary()})")

        def fails(small: Scenario) -> bool:
            rr = _execute_runs(statements, small, limits, self.runs, fed=True)
            return not rr.failure() and not judged(small, rr).equal

        small = shrink_events(sc, fails)
        if small is not sc:
            small_d = judged(small, _execute_runs(statements, small, limits, self.runs, fed=True))
            if not small_d.equal:
                sc, d = small, small_d
        tables = [events_table(sc, "events: the fewest rows on which your job and the reference differ")]
        tables += input_tables(sc) + diff_tables(d)
        return Verdict("fail", f"{self.fail} ({d.summary()})", tables)


def _offsets_text(offsets: set[int]) -> str:
    if not offsets:
        return "nothing"
    return " and ".join("its watermark's own day" if k == 0 else f"watermark + {k} day(s)" for k in sorted(offsets))


@dataclass
class WatermarkSourceCheck(Check):
    """The day a run writes and the watermark it leaves must come from the control row, not from
    the data. Two scenarios show a data-derived watermark: `empty_day`, where the next day's
    window holds no events (no row records that it was done: max(as_of_ts) sticks), and
    `backfilled`, where feature_table already holds later days a backfill wrote
    (max(as_of_ts) jumps ahead). Judged against the job's own behaviour on `sample`: each run
    must write the day(s) it writes there relative to its watermark, and when its control update
    is right on the sample it must be right here too."""

    empty_day: Scenario = None  # type: ignore[assignment]
    backfilled: Scenario = None  # type: ignore[assignment]
    sample: Scenario = None  # type: ignore[assignment]
    runs: int = 2
    first: str = "next_days_match_reference"

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        statements = _statements(answer, self.answer)
        problem = gate(statements, self.sample, limits, self.runs)
        if problem:
            return not_judged(problem, self.first)
        own = job_runs(statements, self.sample, limits, self.runs, fed=True)
        offsets = {(d - i.watermark).days for i, o in zip(own.inputs, own.outputs) for d in written_days(i, o)
                   if i.watermark is not None}
        natural = job_runs(statements, self.sample, limits, self.runs)
        control_right = natural.after.watermark == targets(self.sample, self.runs)[-1] and not natural.failure()
        for sc in (self.empty_day, self.backfilled):
            said = self._days(statements, sc, limits, offsets)
            if said:
                return Verdict("fail", f"{self.fail}. On {sc.name}: {said}", input_tables(sc))
            if control_right:
                r = job_runs(statements, sc, limits, self.runs)
                last = targets(sc, self.runs)[-1]
                if r.failure():
                    return Verdict("fail", f"{self.fail}. On {sc.name}: {r.failure()}", input_tables(sc))
                if r.after.watermark != last:
                    how = "stuck" if r.after.watermark is not None and r.after.watermark < last else "ahead"
                    return Verdict("fail", (
                        f"{self.fail}. On {sc.name}: after {self.runs} runs from watermark {day_text(sc.watermark)} "
                        f"last_as_of_ts is {day_text(r.after.watermark)}, expected {day_text(last)} ({how})"),
                        input_tables(sc))
        note = "" if control_right else (" (its control update is judged by watermark_advances_to_day_written, "
                                         "where it is wrong already)")
        return Verdict("pass", (self.passed or "Each run wrote the day after its watermark, whatever the data held.") + note)

    def _days(self, statements: list[str], sc: Scenario, limits: Limits, offsets: set[int]) -> str:
        r = job_runs(statements, sc, limits, self.runs, fed=True)
        if r.failure():
            return r.failure() or ""
        for n, (i, o) in enumerate(zip(r.inputs, r.outputs), 1):
            if i.watermark is None:
                continue
            should = sorted(i.watermark + semantics.DAY * k for k in offsets)
            wrote = written_days(i, o)
            extra = [d for d in wrote if d not in should and d > i.watermark]  # earlier days: finished_days'
            empty = [d for d in should if semantics.feature_rows(sc.events, [d]) and not o.day(d)]
            if extra or empty:
                said = f"run {n} found watermark {day_text(i.watermark)} and wrote day(s) {days_text(wrote)}"
                if empty:
                    said += f", not {days_text(empty)}"
                return said + f" (on {self.sample.name} each run writes {_offsets_text(offsets)})"
        return ""


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
    gate: Scenario | None = None  # whose clean runs must write rows first (the scenario itself if None)
    gate_runs: int = 2
    first: str = "next_days_match_reference"
    # "recovers" leaves crash points where the watermark ran ahead of the data to a
    # control_after_write check of the same exercise (one mistake, one failing check).
    skip_ahead: bool = False

    def prepare(self, limits: Limits = Limits()) -> None:
        if CRASH_MEDIUM == "file":
            _base(self.scenario, limits)  # the crash trials' database file, inherited by forked graders

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        statements = _statements(answer, self.answer)
        problem = gate(statements, self.gate or self.scenario, limits, self.gate_runs)
        if problem:
            return not_judged(problem, self.first)
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
        judged = [t for t in trials if not (self.skip_ahead and t.ahead)]
        bad = next((t for t in judged if t.problem), None)
        if bad is None:
            left = len(trials) - len(judged)
            note = (f" ({left} crash point(s) left the watermark ahead of the data: control_updated_after_write "
                    "judges those)") if left else ""
            return Verdict("pass", (self.passed or f"recovered from all {len(judged)} crash points.") + note)
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


def interleavings(n_a: int, n_b: int, points: list[int] | None = None) -> list[str]:
    """Deterministic schedules of two jobs' statements ("ABAB..." = whose statement runs next):
    every interleaving when there are few; otherwise lockstep and one job inside the other at
    statement boundaries, the shapes that put two open transactions side by side. `points`: the
    boundaries to try first (after a statement that writes or opens/closes a transaction).
    Never enumerates all C(n_a + n_b, n_a) schedules: two 14-statement jobs have 40 million."""
    total = n_a + n_b
    if math.comb(total, n_a) <= MAX_SCHEDULES:
        return ["".join("A" if i in pos else "B" for i in range(total))
                for pos in itertools.combinations(range(total), n_a)]

    def lockstep(first: str, second: str, n1: int, n2: int) -> str:
        return "".join(first + second for _ in range(min(n1, n2))) + first * (n1 - n2) + second * (n2 - n1)

    def inside(first: str, second: str, n1: int, n2: int, i: int) -> str:
        return first * i + second * n2 + first * (n1 - i)  # all of `second` after `first`'s i-th statement

    chosen = [lockstep("A", "B", n_a, n_b), lockstep("B", "A", n_b, n_a)]
    order = [i for i in dict.fromkeys((points or []) + list(range(1, max(n_a, n_b)))) if 0 < i < max(n_a, n_b)]
    for i in order:  # alternate A-around-B and B-around-A, boundary by boundary
        if len(chosen) >= 2 * MAX_SCHEDULES:
            break
        if i < n_a:
            chosen.append(inside("A", "B", n_a, n_b, i))
        if i < n_b:
            chosen.append(inside("B", "A", n_b, n_a, i))
    return list(dict.fromkeys(chosen))[:MAX_SCHEDULES]


_READS = ("SELECT", "WITH", "FROM", "VALUES", "TABLE", "DESCRIBE", "SHOW", "SUMMARIZE", "EXPLAIN")


def boundaries(statements: list[str]) -> list[int]:
    """Statement boundaries worth interleaving at: before or after a statement that is not a
    plain read (a write, a transaction's BEGIN or COMMIT)."""
    acts = [i for i, st in enumerate(statements, 1) if (st.split(None, 1) or [""])[0].upper() not in _READS]
    return sorted({b for i in acts for b in (i - 1, i) if 0 < b < len(statements)})


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
    relative: bool = False  # judge against the same script's backfill on this scenario's events, table empty
    outside_only: bool = False  # compare only rows outside the jobs' days (they must be untouched)
    # Robustness checks judge only a backfill that writes: one backfill of the jobs' union on
    # `gate` (the scenario itself when None) must run and write rows, or nothing is judged.
    gated: bool = False
    gate: Scenario | None = None
    shrink: bool = False  # on a mismatch with the oracle, shrink the events to a counterexample
    values_only: bool = False  # judge the values of the days the backfill wrote, not which days
    first: str = "backfill_matches_reference"

    def union(self) -> Backfill:
        return Backfill("U", min(j.start for j in self.jobs), max(j.end for j in self.jobs))

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        statements = _statements(answer, self.answer)
        if self.gated:
            problem = self._gate(statements, limits)
            if problem:
                return not_judged(problem, self.first)
        outcomes = self.outcomes(statements, limits, stop_at_failure=True)
        # outside_only judges the rows outside the jobs' days: a job that failed left them as they were
        bad = next((o for o in outcomes if (o.failed and not self.outside_only) or not o.diff.equal), None)
        if bad is not None:
            return self._fail(bad, {j.label: j for j in self.jobs}, statements, limits)
        if any(o.notes and o.notes[-1].startswith("ends as ") for o in outcomes):
            return Verdict("pass", f"{len(outcomes)} interleavings: each ends as one of the two backfills run one "
                                   "after the other does (that those differ from one backfill of the union is "
                                   "overlapping_backfills_both_orders' finding, not a concurrency one).")
        return Verdict("pass", self.passed or f"{len(outcomes)} schedule(s): every one ends with the reference table.")

    def _gate(self, statements: list[str], limits: Limits) -> str | None:
        sc = self.gate or (empty_table(self.scenario) if self.relative else self.scenario)
        union = self.union()
        out = backfill_alone(statements, sc, union, limits)
        what = f"one backfill over [{union.start:%Y-%m-%d}, {union.end:%Y-%m-%d}] on {sc.name}"
        if out.failed:
            return f"in {what}, " + "; ".join(out.failed)
        days = set(union.days)
        before = State(sc.initial_rows, None, None)
        after = State(out.rows, None, None)
        if not [d for d in written_days(before, after) if d in days]:
            return f"in {what} your backfill wrote no feature rows"
        return None

    def outcomes(self, statements: list[str], limits: Limits, stop_at_failure: bool = False) -> list[Outcome]:
        """Each schedule's outcome, in order (stopping at the first failure when asked)."""
        jobs = {j.label: j for j in self.jobs}
        n = len(statements)
        schedules = interleavings(n, n, boundaries(statements)) if self.interleave else self.orders
        out_list = []
        with Workspace(self.scenario, limits) as ws:
            alone = self._alone(ws, statements, jobs, limits)
            serial = self._serial(ws, statements, jobs, limits, alone) if self.interleave else None
            for schedule in schedules:
                COUNTS["interleavings" if self.interleave else "sequences"] += 1
                if self.interleave:
                    out = run_schedule(ws, statements, jobs, schedule, limits, self.scenario)
                else:  # a sequence: each job runs whole, in its own session
                    out = self._sequential(ws, statements, jobs, schedule, limits)
                if self.values_only:
                    out.diff = values_diff(self.scenario, out.rows, [d for j in self.jobs for d in j.days])
                elif self.outside_only:
                    days = {d for j in self.jobs for d in j.days}
                    kept = [r for r in self.scenario.initial_rows if r[AS_OF] not in days]
                    out.diff = compare.diff(kept, FEATURE_COLUMNS, [r for r in out.rows if r[AS_OF] not in days],
                                            FEATURE_COLUMNS, FEATURE_KEY)
                elif serial:  # the serial orders are wrong already: judge serializability only
                    same = next((o for o in serial if compare.diff(o.rows, FEATURE_COLUMNS, out.rows, FEATURE_COLUMNS,
                                                                   FEATURE_KEY).equal and (o.failed or not out.failed)), None)
                    if same is not None:
                        out.diff, out.failed = compare.diff(out.rows, FEATURE_COLUMNS, out.rows, FEATURE_COLUMNS), []
                        out.notes.append(f"ends as {self.describe(same, sequential=True)} in sequence does")
                    else:
                        out.diff = compare.diff(serial[0].rows, FEATURE_COLUMNS, out.rows, FEATURE_COLUMNS, FEATURE_KEY)
                elif alone is not None:
                    out.diff = compare.diff(alone, FEATURE_COLUMNS, out.rows, FEATURE_COLUMNS, FEATURE_KEY)
                out_list.append(out)
                if stop_at_failure and ((out.failed and not self.outside_only) or not out.diff.equal):
                    break
        return out_list

    def describe(self, out: Outcome, sequential: bool = False) -> str:
        jobs = {j.label: j for j in self.jobs}
        if self.interleave and not sequential:
            return f"interleaved as {out.schedule} (whose statement runs next)"
        return sequence([str(jobs[c]) for c in out.schedule])

    def _serial(self, ws, statements, jobs, limits: Limits, alone) -> list[Outcome] | None:
        """When the jobs run one after the other (both orders) already fail to end with the union's
        table (overlapping_backfills_both_orders' business), concurrency is judged on what it adds:
        each interleaving must end as one of the serial orders does (serializability). None when
        the serial orders are right (then every interleaving must give the union's table)."""
        serial = [self._sequential(ws, statements, jobs, order, limits) for order in ("AB", "BA")]
        for o in serial:
            if alone is not None and not o.failed:
                o.diff = compare.diff(alone, FEATURE_COLUMNS, o.rows, FEATURE_COLUMNS, FEATURE_KEY)
        return None if all(not o.failed and o.diff.equal for o in serial) else serial

    def _alone(self, ws, statements, jobs, limits: Limits) -> list[tuple] | None:
        """With several jobs: one backfill of their union by the same script. When that alone
        differs from the oracle (wrong values: backfill_matches_reference's business), the
        schedules are judged against it, so this check speaks of overlaps only."""
        if len(jobs) < 2 and not self.relative and not any(len(o) > 1 for o in self.orders):
            return None  # one run of one job: judged against the oracle
        out = backfill_alone(statements, empty_table(self.scenario) if self.relative else self.scenario, self.union(), limits)
        return None if out.failed or out.diff.equal else out.rows

    def _sequential(self, ws, statements, jobs, order: str, limits: Limits, sc: Scenario | None = None) -> Outcome:
        return sequential(ws, statements, jobs, order, limits, sc or self.scenario)

    def _fail(self, out: Outcome, jobs, statements: list[str], limits: Limits) -> Verdict:
        tables: list[Table] = []
        wrote = written_days(State(self.scenario.initial_rows, None, None), State(out.rows, None, None))
        if (self.shrink and wrote and not out.failed and not self.interleave and not self.outside_only
                and not self.relative):
            order = out.schedule

            def attempt(small: Scenario) -> Outcome:
                with Workspace(small, limits) as ws:
                    o = sequential(ws, statements, jobs, order, limits, small)
                if self.values_only:
                    o.diff = values_diff(small, o.rows, [d for j in jobs.values() for d in j.days])
                return o

            def fails(small: Scenario) -> bool:
                o = attempt(small)
                return not o.failed and not o.diff.equal

            shown = self.scenario
            small = shrink_events(self.scenario, fails)
            if small is not self.scenario:
                o = attempt(small)
                if not o.failed and not o.diff.equal:
                    out, shown = o, small
            tables.append(events_table(shown, "events: the fewest rows on which your backfill and the reference differ"))
            if self.scenario.initial_rows:
                tables.extend(input_tables(self.scenario)[1:])
        said = [] if self.outside_only else list(out.failed)
        if not out.diff.equal:
            said.append(f"final table: {out.diff.summary()}")
        message = f"{self.fail}. With {self.describe(out)}: " + "; ".join(said)
        if out.notes:
            message += " (" + "; ".join(out.notes) + ")"
        return Verdict("fail", message, tables + diff_tables(out.diff))


def values_diff(sc: Scenario, rows: list[tuple], days: list[datetime]) -> compare.Diff:
    """The rows of the days a run wrote against the oracle for those days (all of `days` when it
    wrote none): the key and counts, whichever days the script chose to write."""
    written = written_days(State(sc.initial_rows, None, None), State(rows, None, None)) or sorted(days)
    got = [r[:COUNTS_END] for r in rows if r[AS_OF] in written]
    want = [r[:COUNTS_END] for r in semantics.feature_rows(sc.events, written)]
    return compare.diff(want, COUNT_COLUMNS, got, COUNT_COLUMNS, FEATURE_KEY)


def sequential(ws: Workspace, statements: list[str], jobs: dict[str, Backfill], order: str, limits: Limits,
               sc: Scenario) -> Outcome:
    """Whole jobs one after the other, each in its own session; a failed job is retried."""
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


_alone_runs: dict[tuple, tuple] = {}


def backfill_alone(statements: list[str], sc: Scenario, job: Backfill, limits: Limits) -> Outcome:
    """One backfill by the script on `sc`, cached per process (several checks read it)."""
    key = (tuple(statements), id(sc), sc.name, job, limits)
    if key not in _alone_runs:
        with Workspace(sc, limits) as ws:
            out = sequential(ws, statements, {job.label: job}, job.label, limits, sc)
        if len(_alone_runs) > 64:
            _alone_runs.clear()
        _alone_runs[key] = (sc, out)
    return _alone_runs[key][1]


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
            result = next((n for n in out.notes if n.startswith("ends as ")), result)
            retried = "yes" if any(n.endswith("retried") for n in out.notes) else "no"
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


# ---------- fixtures ----------

def job_dataset(events: list[tuple], watermark: datetime | None = None, feature_rows: list[tuple] = (),
                last_run: datetime | None = None) -> Dataset:
    """A job fixture whose dimensions are consistent with its events: every user and item has a
    row in users / items, signed up / created a month before its first event (a learner's
    point-in-time join to users or items keeps every event)."""
    first_user: dict[int, datetime] = {}
    first_item: dict[int, datetime] = {}
    for e in events:
        first_user[e[1]] = min(first_user.get(e[1], e[3]), e[3])
        first_item[e[2]] = min(first_item.get(e[2], e[3]), e[3])
    month = semantics.DAY * 30
    regions, categories = ("North", "South", "East", "West"), ("A", "B", "C")
    tables: dict[str, list[tuple]] = {
        "events": list(events),
        "users": [(u, ts - month, regions[i % 4]) for i, (u, ts) in enumerate(sorted(first_user.items()))],
        "items": [(it, ts - month, categories[i % 3]) for i, (it, ts) in enumerate(sorted(first_item.items()))],
        "feature_table": list(feature_rows),
    }
    if watermark is not None:
        tables["feature_job_control"] = [(JOB_KEY, watermark, last_run or watermark + semantics.DAY / 4)]
    return Dataset(tables)
