"""BackfillCheck: backfill jobs in sequence or interleaved on two connections, with the schedules explored."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime

from grader.engine import compare
from grader.engine import sandbox
from grader.domain import semantics
from grader.engine.checks import Check, Verdict, days_text, diff_tables
from grader.domain.tables import FEATURE_COLUMNS, FEATURE_KEY
from grader.engine.notebook import SubmittedAnswer
from grader.engine.results import Table
from grader.engine.sandbox import Limits, SandboxError
from grader.course.harness.schedules import schedules_for
from grader.course.harness.strips import backfill_strip
from grader.course.harness.workspace import AS_OF_COLUMN, COUNTS, COUNTS_END, COUNT_COLUMNS, MAX_SCHEDULES, ORCHESTRATOR_RETRIES, Scenario, State, Workspace, _statements, empty_table, events_table, expected_after, gate, input_tables, not_judged, read_state, run_job, scenario_key, shrink_events, table_diff, written_days


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


@dataclass
class Outcome:
    schedule: str
    notes: list[str]
    failed: list[str]  # tasks that failed even after retries
    diff: compare.Diff
    rows: list[tuple] = field(default_factory=list)
    control: list[tuple] = field(default_factory=list)  # feature_job_control at the end, sorted


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
            for attempt in range(ORCHESTRATOR_RETRIES):
                failure = run_job(db, statements, {**sc.variables, **jobs[label].variables}, limits)
                if failure is None:
                    break
                if attempt == ORCHESTRATOR_RETRIES - 1:
                    failed.append(f"{jobs[label]} failed on every retry: {failure.describe()}")
        state = read_state(db)
    finally:
        db.close()
    days = sorted({d for job in jobs.values() for d in job.days})
    return Outcome(schedule, notes, failed, table_diff(expected_after(sc, days), state), state.rows, state.control)


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
    shrink: bool = True  # on a failure, shrink the events (then the starting rows) to a counterexample
    schedules: list[str] | None = None  # interleavings to run instead of the explored ones (a replay)
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
        if bad is not None and self.values_only and bad.failed:
            # a backfill that fails here has no counts to judge: say what failed, not the mistake this check names
            return not_judged(f"{self.describe(bad)} on {self.scenario.name}: " + "; ".join(bad.failed), self.first)
        if bad is not None and self.values_only and not bad.failed and not written_days(
                State(self.scenario.initial_rows, None, None), State(bad.rows, None, None)):
            # no rows to judge: say so, not the mistake this check names
            return not_judged(f"{self.describe(bad)} on {self.scenario.name} wrote no feature rows, so there are no "
                              "counts of yours to judge", self.first)
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
        wrote = written_days(before, after)
        if not [d for d in wrote if d in days]:
            if wrote:  # rows, but on none of the range's as-of days (each a day's 23:59:59)
                shown = ", ".join(f"{d:%Y-%m-%d %H:%M:%S}" for d in wrote[:3]) + (", ..." if len(wrote) > 3 else "")
                span = f"{union.start:%Y-%m-%d %H:%M:%S} .. {union.end:%Y-%m-%d %H:%M:%S}"
                return (f"in {what}, your backfill wrote no rows on the range's as-of days ({span}, one day apart), "
                        f"only on as_of_ts {shown}")
            return f"in {what}, your backfill wrote no feature rows"
        return None

    def outcomes(self, statements: list[str], limits: Limits, stop_at_failure: bool = False) -> list[Outcome]:
        """Each schedule's outcome, in order (stopping at the first failure when asked)."""
        jobs = {j.label: j for j in self.jobs}
        n = len(statements)
        schedules = self.schedules or (schedules_for(statements) if self.interleave else self.orders)
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
                    kept = [r for r in self.scenario.initial_rows if r[AS_OF_COLUMN] not in days]
                    out.diff = compare.diff(kept, FEATURE_COLUMNS, [r for r in out.rows if r[AS_OF_COLUMN] not in days],
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

    def _bad(self, out: Outcome) -> bool:
        return bool((out.failed and not self.outside_only) or not out.diff.equal)

    def _replay(self, small: Scenario, out: Outcome, statements: list[str], limits: Limits) -> Outcome | None:
        """The failing schedule again, on a smaller scenario, judged as `outcomes` judges it."""
        one = dataclasses.replace(self, scenario=small, orders=[out.schedule],
                                  schedules=[out.schedule] if self.interleave else None)
        outs = one.outcomes(statements, limits, stop_at_failure=True)
        return outs[-1] if outs else None

    def _shrunk(self, out: Outcome, statements: list[str], limits: Limits) -> tuple[Outcome, Scenario]:
        """The fewest events, then the fewest starting feature_table rows, on which the same
        schedule still fails this check; the outcome there."""
        shown = self.scenario

        def fails(small: Scenario) -> bool:
            o = self._replay(small, out, statements, limits)
            return o is not None and self._bad(o)

        for table in ("events", "feature_table"):
            small = shrink_events(shown, fails, table)
            if small is not shown:
                o = self._replay(small, out, statements, limits)
                if o is not None and self._bad(o):
                    out, shown = o, small
        return out, shown

    def _fail(self, out: Outcome, jobs, statements: list[str], limits: Limits) -> Verdict:
        tables: list[Table] = []
        wrote = written_days(State(self.scenario.initial_rows, None, None), State(out.rows, None, None))
        shown = self.scenario
        if self.shrink and limits.shrink and (wrote or out.failed) and not self.outside_only:
            out, shown = self._shrunk(out, statements, limits)
            tables.append(events_table(shown, "events: the fewest rows on which your backfill fails this check"))
            if shown.initial_rows:
                tables.extend(input_tables(shown)[1:])
        said = [] if self.outside_only else list(out.failed)
        if not out.diff.equal:
            said.append(f"final table: {out.diff.summary()}")
        if self.outside_only and not out.diff.equal:
            d = out.diff
            hit = {r[AS_OF_COLUMN] for r in d.missing + d.unexpected} | {e[AS_OF_COLUMN] for e, _ in d.changed}
            said.append(f"changed day(s): {days_text(hit)}")
        said += kept_rows(shown, out)
        message = f"{self.fail}. With {self.describe(out)}: " + "; ".join(said)
        if out.notes:
            message += " (" + "; ".join(out.notes) + ")"
        strip = [] if self.outside_only else [backfill_strip(self.jobs, out, self.describe(out))]
        return Verdict("fail", message, tables + strip + diff_tables(out.diff))


def kept_rows(sc: Scenario, out: Outcome) -> list[str]:
    """Rows the table started with that are still there where the backfill should have replaced
    them: stale values of keys it writes, and keys it no longer produces, by day."""
    if out.diff.equal or not sc.initial_rows:
        return []
    initial = set(sc.initial_rows)
    stale = sorted({g[AS_OF_COLUMN] for _, g in out.diff.changed if tuple(g) in initial})
    left = sorted({r[AS_OF_COLUMN] for r in out.diff.unexpected if tuple(r) in initial})
    said = []
    if stale:
        said.append(f"stale rows kept on {days_text(stale)} (the values from before the backfill)")
    if left:
        said.append(f"rows of keys your backfill no longer produces kept on {days_text(left)} (a backfill "
                    "replaces each day of its range, so they must go)")
    return said


def values_diff(sc: Scenario, rows: list[tuple], days: list[datetime]) -> compare.Diff:
    """The rows of the days a run wrote against the oracle for those days (all of `days` when it
    wrote none): the key and counts, whichever days the script chose to write."""
    written = written_days(State(sc.initial_rows, None, None), State(rows, None, None)) or sorted(days)
    got = [r[:COUNTS_END] for r in rows if r[AS_OF_COLUMN] in written]
    want = [r[:COUNTS_END] for r in semantics.feature_rows(sc.events, written)]
    return compare.diff(want, COUNT_COLUMNS, got, COUNT_COLUMNS, FEATURE_KEY)


def sequential(ws: Workspace, statements: list[str], jobs: dict[str, Backfill], order: str, limits: Limits,
               sc: Scenario) -> Outcome:
    """Whole jobs one after the other, each in its own session; a failed job is retried. Cached
    per process by the scenarios' content: several checks of one answer run the same jobs in the
    same order on equal scenarios (both orders, a gate's backfill of the union, the same subset
    tried by two checks' shrinking); each caller gets its own copy."""
    key = (tuple(statements), scenario_key(ws.scenario), ws.limits.run_key, scenario_key(sc), order,
           tuple(sorted((label, jobs[label]) for label in set(order))), limits.run_key)
    if key not in _alone_runs:
        if len(_alone_runs) > 64:
            _alone_runs.clear()
        _alone_runs[key] = _in_sequence(ws, statements, jobs, order, limits, sc)
    out = _alone_runs[key]
    return dataclasses.replace(out, notes=list(out.notes), failed=list(out.failed))


def _in_sequence(ws: Workspace, statements: list[str], jobs: dict[str, Backfill], order: str, limits: Limits,
                 sc: Scenario) -> Outcome:
    db = ws.scratch()
    notes, failed = [], []
    try:
        for label in order:
            for attempt in range(ORCHESTRATOR_RETRIES + 1):
                failure = run_job(db, statements, {**sc.variables, **jobs[label].variables}, limits)
                if failure is None:
                    break
                if attempt == ORCHESTRATOR_RETRIES:
                    failed.append(f"{jobs[label]} failed on every retry: {failure.describe()}")
        state = read_state(db)
    finally:
        db.close()
    days = sorted({d for label in order for d in jobs[label].days})
    return Outcome(order, notes, failed, table_diff(expected_after(sc, days), state), state.rows, state.control)


# Runs of whole jobs in sequence (sequential), per process, keyed by what they ran on.
_alone_runs: dict[tuple, Outcome] = {}


def backfill_alone(statements: list[str], sc: Scenario, job: Backfill, limits: Limits) -> Outcome:
    """One backfill by the script on `sc` (several checks read it: cached with sequential's runs)."""
    with Workspace(sc, limits) as ws:
        return sequential(ws, statements, {job.label: job}, job.label, limits, sc)

