"""CrashCheck: a crash after every statement boundary of one run, reopened and rerun until caught up."""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from grader.engine import compare
from grader.domain import semantics
from grader.engine.checks import Check, Verdict, day_text, days_text, diff_tables
from grader.engine.notebook import SubmittedAnswer
from grader.engine.results import Table
from grader.engine.sandbox import Limits
from grader.engine.statements import parse_statements, transaction_word
from grader.course.harness.strips import crash_strip
from grader.course.harness.workspace import AS_OF_COLUMN, COUNTS, MAX_RERUNS, Scenario, State, Workspace, _base, _same, _set_watermark, _statements, clean_runs, expected_after, gate, job_runs, not_judged, read_state, run_job, short, table_diff, targets


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
    lost: list[datetime] = field(default_factory=list)  # days never written after the reruns (gaps)
    duplicated: list[datetime] = field(default_factory=list)  # days with duplicated keys after the reruns
    fed: bool = False  # the reruns were fed (Baseline.fed): the job's clean runs leave its watermark off already

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
    first_failed: bool = False  # a statement of the first clean run failed
    # The clean runs write their days but leave the watermark elsewhere than the last target (moved two
    # days, to now(), to NULL): the reruns are fed as the clean runs are (after each, the control row on the
    # day it should have written), so a crash is judged on what it adds, not on the control update that
    # watermark_advances_to_day_written judges
    fed: bool = False


def baseline(ws: Workspace, statements: list[str], sc: Scenario, limits: Limits, days: int) -> Baseline:
    targets = [sc.watermark + semantics.DAY * (i + 1) for i in range(days)]
    oracle = expected_after(sc, targets)
    _, failures, clean = clean_runs(statements, sc, limits, days)
    fed = not any(failures) and clean.watermark != targets[-1]
    if fed:  # the job's own table, as its runs write it when the control row is kept on their days
        own = job_runs(statements, sc, limits, days, fed=True)
        fed = not own.failure()
        clean = own.after if fed else clean
    correct = not any(failures) and clean.watermark == targets[-1] and table_diff(oracle, clean).equal
    final = oracle if correct or any(failures) else clean.rows
    per_day = {}
    for d in targets:
        mine = sorted(r for r in final if r[AS_OF_COLUMN] == d)
        per_day[d] = mine or sorted(r for r in oracle if r[AS_OF_COLUMN] == d)
    return Baseline(targets, final, per_day, targets[-1] if correct else clean.watermark, correct, failures[0] is not None,
                    fed)


# Where crash trials run. "file": a database file whose process is killed after statement k and
# which is then opened again, exactly as a scheduler meets it. "memory": the job's session is
# closed after statement k without COMMIT on an in-memory database that outlives it. The two
# are indistinguishable to the job (uncommitted work is rolled back, committed work stays, temp
# tables and variables die with the session: tests/test_harness.py runs known-wrong and correct
# jobs both ways and demands the same verdicts); "memory" skips starting a database instance
# per trial, the bulk of a grading's time. A check declares its medium (`CrashCheck.medium`);
# None takes the environment's choice, read when the check runs.
MEDIUMS = ("file", "memory")
SHARE_EQUAL_CRASHES = True  # False: every crash point runs (the benchmark's reference path, tests)


def default_medium() -> str:
    medium = os.environ.get("WEEK12_CRASH_MEDIUM", "memory")
    if medium not in MEDIUMS:
        raise ValueError(f"WEEK12_CRASH_MEDIUM={medium!r}: use one of {', '.join(MEDIUMS)}")
    return medium


def crash_after(ws: Workspace, statements: list[str], sc: Scenario, limits: Limits, k: int, medium: str):
    """Run the job, kill it after statement k, and return the database as the next run finds it."""
    if medium == "file":
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


# What a rollback leaves behind in DuckDB (a sequence's value; attached databases and secrets
# belong to the instance): a script naming any of it has every crash point run.
_OUTLIVES_ROLLBACK = re.compile(r"sequence|nextval|setval|currval|attach|detach|secret|\buse\b|memory", re.I)


def same_as_earlier(statements: list[str]) -> dict[int, int]:
    """Crash points that leave exactly the committed state an earlier one does: k -> that earlier
    crash point. A crash inside a transaction rolls it back, so a crash after any statement from
    BEGIN up to (not including) its COMMIT leaves what a crash just before BEGIN leaves: the
    scheduler, the reruns and the check meet one database. Only for a script whose every
    statement ran without failing from this start (so each BEGIN opened a transaction and each
    COMMIT ended one; the caller knows) and which touches nothing a rollback keeps."""
    if any(_OUTLIVES_ROLLBACK.search(st) for st in statements):
        return {}
    kinds = []
    for st in statements:
        parsed = parse_statements(st)
        if isinstance(parsed, str) or len(parsed) != 1:
            return {}
        kinds.append(parsed[0][1])
    same: dict[int, int] = {}
    first_with: dict[int, int] = {}  # committed state (statements committed) -> first crash point leaving it
    open_since = None
    for k, (text, kind) in enumerate(zip(statements[:-1], kinds), 1):
        if kind == duckdb.StatementType.TRANSACTION:
            word = transaction_word(text)  # "-- the job\nBEGIN;", "commit transaction"
            if word == "BEGIN":
                open_since = k
            elif word == "COMMIT":
                open_since = None
            else:
                return {}
        committed = k if open_since is None else open_since - 1
        if committed in first_with:
            same[k] = first_with[committed]
        else:
            first_with[committed] = k
    return same


def explore(statements: list[str], sc: Scenario, limits: Limits, days: int = 2,
            medium: str | None = None) -> list[Trial]:
    """Crash one run after each statement boundary (on `medium`, see MEDIUMS), reopen, rerun
    until caught up with `days` new days. A crash point that leaves the committed state an
    earlier one left (same_as_earlier) takes that one's outcome instead of running again.
    Cached: several checks read the same exploration."""
    medium = medium or default_medium()
    key = (tuple(statements), id(sc), sc.name, days, limits.run_key, medium)
    if key in _explored:
        return _explored[key]
    trials = []
    with Workspace(sc, limits) as ws:
        base = baseline(ws, statements, sc, limits, days)
        same = same_as_earlier(statements) if SHARE_EQUAL_CRASHES and not base.first_failed else {}
        for k in range(1, len(statements)):
            if k in same:
                earlier = trials[same[k] - 1]
                trials.append(dataclasses.replace(earlier, crash_after=k, statement=statements[k - 1],
                                                  days=list(earlier.days), ahead=list(earlier.ahead),
                                                  lost=list(earlier.lost), duplicated=list(earlier.duplicated)))
                continue
            COUNTS["crash points"] += 1
            db = crash_after(ws, statements, sc, limits, k, medium)
            try:
                st = read_state(db)
                complete = [d for d in base.targets if _same(base.per_day[d], st.day(d))]
                ahead = [d for d in base.targets if st.watermark is not None and d <= st.watermark and d not in complete]
                trial = Trial(k, statements[k - 1], st.watermark, complete, ahead, fed=base.fed)
                trial.problem = _rerun(db, statements, sc, limits, trial, base)
            finally:
                db.close()
            trials.append(trial)
    if len(_explored) > 64:
        _explored.clear()
    _explored[key] = trials
    return trials


def _caught_up(st: State, base: Baseline) -> bool:
    if st.watermark is None:
        return False
    if base.correct or base.fed:
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
        if base.fed and st.watermark is not None and new.watermark != st.watermark + semantics.DAY:
            # the control row on the day this rerun should have written, as in the clean runs it is judged against
            _set_watermark(db, st.watermark + semantics.DAY, new.last_run)
            new = read_state(db)
        if new.watermark == st.watermark:
            return f"rerun {trial.reruns} did not move the watermark from {day_text(st.watermark)}: stuck"
        st = new
    d = table_diff(base.expected, st)
    if d.equal:
        return ""
    trial.diff = d
    written = {r[AS_OF_COLUMN] for r in st.rows}
    gaps = [t for t in expected_days(base.expected) if t not in written]
    trial.lost = gaps
    trial.duplicated = sorted({r[AS_OF_COLUMN] for r in d.duplicated if len(r) > AS_OF_COLUMN})
    if gaps:
        return f"gap: day {days_text(gaps)} is never written ({d.summary()})"
    if d.duplicated:
        return f"duplicate keys after the rerun ({d.summary()})"
    return f"final table differs from an uncrashed run's ({d.summary()})"


def expected_days(rows: list[tuple]) -> list[datetime]:
    return sorted({r[AS_OF_COLUMN] for r in rows})


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
    medium: str | None = None  # where the trials run (MEDIUMS); None: WEEK12_CRASH_MEDIUM, else memory

    def prepare(self, limits: Limits = Limits()) -> None:
        if (self.medium or default_medium()) == "file":
            _base(self.scenario, limits)  # the crash trials' database file, inherited by forked graders

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        statements = _statements(answer, self.answer)
        problem = gate(statements, self.gate or self.scenario, limits, self.gate_runs)
        if problem:
            return not_judged(problem, self.first)
        trials = explore(statements, self.scenario, limits, medium=self.medium)
        table = trials_table(trials, "crash points and what the reruns made of them")
        table.picture = crash_strip(trials, self.scenario.watermark, targets(self.scenario, 2))  # its day strip
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
        # a job whose clean runs leave its watermark off already is judged on what a crash adds to that
        fed = (" (your job's clean runs already leave last_as_of_ts elsewhere than the last day written, which the "
               "control row's own check judges: after each rerun the control row was put on the day that rerun "
               "wrote, as in those runs)") if trials and trials[0].fed else ""
        if bad is None:
            left = len(trials) - len(judged)
            note = (f" ({left} crash point(s) left the watermark ahead of the data: control_updated_after_write "
                    "judges those)") if left else ""
            return Verdict("pass", (self.passed or f"recovered from all {len(judged)} crash points.") + note + fed)
        tables = [table] + (diff_tables(bad.diff) if bad.diff else [])
        return Verdict("fail", f"{self.fail}: crash after statement {bad.crash_after} (`{short(bad.statement)}`), "
                       f"then reruns -> {bad.problem}{fed}", tables)
