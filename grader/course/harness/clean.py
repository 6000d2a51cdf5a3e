"""CleanRunsCheck (the job run N times in a row) and WatermarkSourceCheck."""

from __future__ import annotations

import dataclasses
import itertools

from dataclasses import dataclass
from datetime import datetime, timedelta

from grader.engine import compare
from grader.domain import semantics
from grader.engine.checks import Check, Verdict, day_text, days_text, diff_tables
from grader.engine.judges import as_of_text
from grader.domain.tables import FEATURE_COLUMNS, FEATURE_KEY, JOB_KEY
from grader.engine.notebook import SubmittedAnswer
from grader.engine.sandbox import Limits
from grader.course.harness.control import control_changes
from grader.course.type_counts import left_to_event_types
from grader.course.harness.lesson_tables import job_dataset
from grader.course.harness.workspace import AS_OF_COLUMN, COUNTS_END, COUNT_COLUMNS, Runs, Scenario, State, _execute_runs, _statements, changed_days, empty_table, events_table, gate, input_tables, job_runs, new_rows, not_judged, shrink_events, targets, written_days

# The caption of a failure's events: shrunk, unless its rows are withheld (Limits.shrink)
SHRUNK_EVENTS = "events: the fewest rows on which your job and the reference differ"


@dataclass
class CleanRunsCheck(Check):
    """The job run `runs` times in a row, no faults. `aspect`:
    - "table": the days after the watermark hold exactly the next `runs` days (fed runs), valued
      by the oracle, or with `relative` by the same job's own rows on the scenario with an empty
      feature_table (the
      later exercise judges which days, not the values); shrunk counterexample on a mismatch;
    - "values": the rows of whatever day(s) one run wrote match the oracle's counts for those days
      (the hidden fixtures' check: the counts, not which day, not ctr, not rows no event made, each
      count read from the column the job writes it in: see _values);
    - "control": the watermark on the last day it should have written, last_run_ts the time of the
      last run (within its wall-clock interval: ran_at) (with
      `others_untouched`, every other job's control row as it was);
    - "untouched": rows of days the runs must not write are exactly as before.
    `gate`: the scenario whose clean runs must write rows before this check judges anything."""

    scenario: Scenario = None  # type: ignore[assignment]
    runs: int = 2
    aspect: str = "table"
    relative: bool = False
    # "table" also judges the days up to the watermark: they must stay as they were (a public check
    # shows a job that rewrites finished days; the hidden "untouched" check names it)
    whole_table: bool = False
    # "control" also requires the other jobs' rows in feature_job_control exactly as they were
    others_untouched: bool = False
    gate: Scenario | None = None
    gate_runs: int = 2
    first: str = "next_days_match_reference"  # the check to make pass first when not judged
    # "values": rows whose only wrong values are counts by event type (a 0 returned as NULL, a type's
    # count of the wrong events) are the event-type check's, not this one's (type_counts.py)
    leaves_type_counts: bool = False

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        statements = _statements(answer, self.answer)
        sc = self.scenario
        problem = gate(statements, self.gate, limits, self.gate_runs)
        if problem:
            return not_judged(problem, self.first)
        fed = self.aspect != "control"
        r = job_runs(statements, sc, limits, self.runs, fed=fed)
        failure = r.failure()
        if failure and self.aspect == "values":
            # a job that fails here has no counts to judge: say what failed, not the mistake this check names
            return not_judged(f"on {sc.name}, {failure}", self.first)
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
            old = {rw[AS_OF_COLUMN] for rw in sc.initial_rows} - mine
            got = sorted(rw for rw in r.after.rows if rw[AS_OF_COLUMN] in old)
            was = sorted(rw for rw in r.before.rows if rw[AS_OF_COLUMN] in old)
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
        elif r.clock and not ran_at(r.after.last_run, *r.clock[-1]):
            problems.append(f"last_run_ts is {_run_ts_text(r.after.last_run)}, not the time of the run (now() "
                            "when the job runs)")
        if self.others_untouched:
            before = sorted(sc.dataset.rows("feature_job_control"))
            others = {row[0] for row in before + list(r.after.control) if row[0] != JOB_KEY}
            changed = control_changes(before, r.after.control, others)
            if changed:
                problems.append("other jobs' rows changed: " + "; ".join(changed))
        if not problems:
            return Verdict("pass", self.passed)
        return Verdict("fail", f"{self.fail} (after {what}: {'; '.join(problems)})")

    def _expected_new(self, statements: list[str], limits: Limits) -> tuple[list[tuple], str | None]:
        """Rows the days after the watermark must hold: the oracle's, or the job's own."""
        sc = self.scenario
        days = targets(sc, self.runs)
        kept = [rw for rw in self._rows(sc, sc.initial_rows) if rw[AS_OF_COLUMN] not in days]
        if not self.relative:
            return kept + semantics.feature_rows(sc.events, days), None
        base = empty_table(sc)
        own = job_runs(statements, base, limits, self.runs, fed=True)
        if own.failure():
            return [], f"on {base.name}, {own.failure()}"
        mine = [rw for rw in own.after.rows if rw[AS_OF_COLUMN] in days]
        empty = [d for d in days if semantics.feature_rows(base.events, [d]) and d not in {rw[AS_OF_COLUMN] for rw in mine}]
        if empty:
            return [], (f"on {base.name}, {self.runs} run(s) from watermark {day_text(base.watermark)} "
                        f"write no rows for {days_text(empty)}, so there is no day of yours to compare")
        return kept + mine, None

    def _branches_note(self, d: compare.Diff) -> str:
        """When every row that differs from the job's own empty-table rows holds the course's values
        here: the job writes one thing over existing rows and another on an empty table (a MERGE whose
        WHEN MATCHED and WHEN NOT MATCHED branches differ), so a rerun changes what it wrote."""
        if not d.changed or d.missing or d.unexpected or d.duplicated:
            return ""
        course = {tuple(compare._norm(v) for v in rw[:AS_OF_COLUMN + 1]): rw
                  for rw in semantics.feature_rows(self.scenario.events, targets(self.scenario, self.runs))}
        keyed = [(course.get(tuple(compare._norm(v) for v in g[:AS_OF_COLUMN + 1])), g) for _, g in d.changed]
        if not all(c is not None and all(compare.values_equal(x, y) for x, y in zip(c, g)) for c, g in keyed):
            return ""
        return (". Over the day's existing rows your job wrote the course's values, on an empty feature_table "
                "others: what it writes depends on what the table held (a MERGE's WHEN MATCHED and WHEN NOT "
                "MATCHED branches must write the same values), so a rerun changes the day; "
                "next_days_match_reference shows what it writes on an empty table")

    def _rows(self, sc: Scenario, rows: list[tuple]) -> list[tuple]:
        return list(rows) if self.whole_table else new_rows(sc, rows)

    def _table(self, statements: list[str], r: Runs, limits: Limits, what: str) -> Verdict:
        sc = self.scenario
        got = self._rows(sc, r.after.rows)
        if self.relative:  # which days, before any comparison: every day the oracle fills must be written
            empty = [d for d in targets(sc, self.runs)
                     if semantics.feature_rows(sc.events, [d]) and not [rw for rw in got if rw[AS_OF_COLUMN] == d]]
            if empty:
                return Verdict("fail", f"{self.fail} (after {what}: no rows for {days_text(empty)}, a day with events "
                                       f"in its window; days your job wrote: {days_text(written_days(r.before, r.after))})")
        expected, problem = self._expected_new(statements, limits)
        if problem:
            return not_judged(problem, self.first)
        if self.relative:
            # Rows the day held before, of keys your job does not write there on an empty table (its window
            # or grid differs from the course's: the value checks' finding), left exactly as they were: a
            # MERGE keeps them, and that is no fault of the write this check judges.
            days = set(targets(sc, self.runs))
            produced = {tuple(rw[:AS_OF_COLUMN + 1]) for rw in expected if rw[AS_OF_COLUMN] in days}
            left = set(got)
            expected = expected + [rw for rw in self._rows(sc, sc.initial_rows) if rw[AS_OF_COLUMN] in days
                                   and tuple(rw[:AS_OF_COLUMN + 1]) not in produced and rw in left]
        d = compare.diff(expected, FEATURE_COLUMNS, got, FEATURE_COLUMNS, FEATURE_KEY)
        if d.equal:
            return Verdict("pass", self.passed)
        note = "" if not self.relative else " (compared with the rows your job writes for that day on an empty feature_table)"
        did = runs_text(r, only_wrong=True)
        did = f"; {did}" if did else ""
        if not got:  # nothing to shrink: the job wrote no row after the watermark
            return Verdict("fail", f"{self.fail} (after {what} your job wrote no rows for {days_text(targets(sc, self.runs))}"
                                   f"; {d.summary()}{did})", diff_tables(d))
        if self.relative:
            wrote = days_text(written_days(r.before, r.after))
            return Verdict("fail", f"{self.fail}{note} (after {what}: {d.summary()}; day(s) your run wrote: {wrote}{did})"
                                   + self._branches_note(d), diff_tables(d))

        def judged(small: Scenario, rr: Runs) -> compare.Diff:
            days = targets(small, self.runs)
            exp = [rw for rw in self._rows(small, small.initial_rows) if rw[AS_OF_COLUMN] not in days]
            exp += semantics.feature_rows(small.events, days)
            return compare.diff(exp, FEATURE_COLUMNS, self._rows(small, rr.after.rows), FEATURE_COLUMNS, FEATURE_KEY)

        sc, d, tables = self._shown(statements, sc, d, limits, judged)
        on = f"on the {len(sc.events)} event(s) shown" if sc is not self.scenario else "on the events shown"
        days = "feature_table" if self.whole_table else "the days after the watermark"
        return Verdict("fail", f"{self.fail} (after {what}, {on}, {days}: {d.summary()}{did})", tables)

    def _values(self, statements: list[str], r: Runs, limits: Limits) -> Verdict:
        """The counts of the rows the runs wrote, against the oracle's for those days. Only what this
        check's trap shows is judged, so one slip costs the check named for it:
        - a row with no event in its window (every count 0 or NULL: a users x items grid LEFT JOINed to
          the events) is a pair no event made, left to the reference check (a window that misses an event
          still shows as a 0 where the course counts 1: a changed row, judged here);
        - the counts are read from the columns the job writes them in (`own_columns`: an INSERT whose
          column list is not its SELECT's order writes right counts into other columns; the reference
          check judges the columns, this one the window, dedup or event types)."""
        sc = self.scenario
        order = COUNT_ORDER

        def judged(small: Scenario, rr: Runs) -> compare.Diff:
            days = sorted({d for i, o in zip(rr.inputs, rr.outputs) for d in written_days(i, o)}) or targets(small, self.runs)
            got = [_reordered(rw, order)[:COUNTS_END] for rw in rr.after.rows if rw[AS_OF_COLUMN] in days]
            want = [rw[:COUNTS_END] for rw in semantics.feature_rows(small.events, days)]
            d = compare.diff(want, COUNT_COLUMNS, got, COUNT_COLUMNS, FEATURE_KEY)
            d = dataclasses.replace(d, unexpected=[rw for rw in d.unexpected if rw[IMPRESSIONS] not in (0, None)])
            return left_to_event_types(d) if self.leaves_type_counts else d

        d = judged(sc, r)
        if not d.equal and any(written_days(i, o) for i, o in zip(r.inputs, r.outputs)):
            order = own_columns(statements, sc, limits, self.runs)
            if order != COUNT_ORDER:
                d = judged(sc, r)
        note = "" if order == COUNT_ORDER else f" ({_columns_note(order)})"
        if not any(written_days(i, o) for i, o in zip(r.inputs, r.outputs)):
            # no rows to judge: say so and what the job did, not the mistake this check names (nor a pass)
            return not_judged(f"on {sc.name}, your job wrote no feature rows ({runs_text(r)})", self.first)
        if d.equal:
            if not note:
                return Verdict("pass", self.passed)
            return Verdict("pass", (self.passed or "The counts of the rows your job wrote are the course's.") + note)

        _, d, tables = self._shown(statements, sc, d, limits, judged)
        return Verdict("fail", f"{self.fail} ({d.summary()}){note}", tables)

    def _shown(self, statements: list[str], sc: Scenario, d: compare.Diff, limits: Limits,
               judged) -> tuple[Scenario, compare.Diff, list]:
        """A failure shown on the fewest events on which the same runs still differ (`judged(small,
        runs)` is that difference; runs that fail are another failure, not this one), unless its
        rows are withheld (Limits.shrink); with the tables that show it."""
        keys = d.wrong_keys()

        def fails(small: Scenario) -> bool:
            rr = _execute_runs(statements, small, limits, self.runs, fed=True)
            return not rr.failure() and not judged(small, rr).on_keys(keys).equal

        small = shrink_events(sc, fails) if limits.shrink else sc
        if small is not sc:
            small_d = judged(small, _execute_runs(statements, small, limits, self.runs, fed=True)).on_keys(keys)
            if not small_d.equal:
                sc, d = small, small_d
        tables = [events_table(sc, SHRUNK_EVENTS if limits.shrink else "events")] + input_tables(sc) + diff_tables(d)
        return sc, d, tables


def ran_at(ts: datetime, started: datetime, ended: datetime) -> bool:
    """`ts` is the time of a run that took [started, ended] on the local clock, or on UTC (now() AT TIME
    ZONE 'UTC'); cut to the minute at most (date_trunc('second', now()) is the time of the run too)."""
    ts = ts.replace(tzinfo=None) if ts.tzinfo is None else ts.astimezone().replace(tzinfo=None)
    offset = started.astimezone().utcoffset() or timedelta(0)
    return any(start.replace(second=0, microsecond=0) <= ts <= end + timedelta(seconds=1)
               for start, end in ((started, ended), (started - offset, ended - offset)))


def _run_ts_text(ts: datetime) -> str:
    """A last_run_ts in words, the same whenever it is graded (the clock's time is never printed)."""
    ts = ts.replace(tzinfo=None)
    if abs(ts - datetime.now()) < semantics.DAY:
        if ts == datetime(ts.year, ts.month, ts.day):
            return "a midnight near the clock's time (a DATE such as current_date has no time of day)"
        return "near the clock's time but outside the run's own"
    return f"{ts:%Y-%m-%d %H:%M:%S}, a time from the data"


# The positions of clicks_7d, views_7d, impressions_7d in a feature row, and where a job writes each count
COUNTS_AT = tuple(FEATURE_COLUMNS.index(c) for c in ("clicks_7d", "views_7d", "impressions_7d"))
COUNT_ORDER = COUNTS_AT
IMPRESSIONS = FEATURE_COLUMNS.index("impressions_7d")
_plain: dict[tuple, Scenario] = {}


def plain_events(sc: Scenario) -> Scenario:
    """Events with no trap for the day after `sc`'s watermark: one pair with a click and two views well
    inside its window (clicks 1, views 2, impressions 3: every count its own value), from the same
    watermark, feature_table empty."""
    key = (sc.watermark, sc.last_run)
    if key not in _plain:
        t = targets(sc, 1)[0]
        events = [(1, 1, 10, t - semantics.DAY, "click"), (2, 1, 10, t - 2 * semantics.DAY, "view"),
                  (3, 1, 10, t - 3 * semantics.DAY, "view")]
        _plain[key] = Scenario("one pair with a click and two views well inside the window",
                               job_dataset(events, sc.watermark, last_run=sc.last_run))
    return _plain[key]


def own_columns(statements: list[str], sc: Scenario, limits: Limits, runs: int) -> tuple[int, ...]:
    """Where the job writes clicks_7d's, views_7d's and impressions_7d's counts (COUNT_ORDER: in their own
    columns), learned on plain_events: the columns of its rows there holding the course's counts. The
    course's order when its rows there are not the course's counts in some order (another mistake)."""
    plain = plain_events(sc)
    own = job_runs(statements, plain, limits, runs, fed=True)
    day = targets(plain, 1)[0]
    got = sorted(rw for rw in own.after.rows if rw[AS_OF_COLUMN] == day)
    want = semantics.feature_rows(plain.events, [day])
    if own.failure() or len(got) != len(want):
        return COUNT_ORDER
    for order in itertools.permutations(COUNTS_AT):
        if all(g[:AS_OF_COLUMN + 1] == w[:AS_OF_COLUMN + 1] and
               all(compare.values_equal(g[k], w[c]) for k, c in zip(order, COUNTS_AT)) for g, w in zip(got, want)):
            return tuple(order)
    return COUNT_ORDER


def _reordered(row: tuple, order: tuple[int, ...]) -> tuple:
    """A feature row with each count taken from the column the job writes it in."""
    if order == COUNT_ORDER:
        return row
    out = list(row)
    for k, c in zip(order, COUNTS_AT):
        out[c] = row[k]
    return tuple(out)


def _columns_note(order: tuple[int, ...]) -> str:
    moved = [f"{FEATURE_COLUMNS[c]}'s count into {FEATURE_COLUMNS[k]}" for k, c in zip(order, COUNTS_AT) if k != c]
    return ("your counts judged in the columns your job writes them in: on events with no trap it writes "
            + ", ".join(moved) + "; next_days_match_reference judges the columns")


def runs_text(r: Runs, only_wrong: bool = False) -> str:
    """What each run did, plainly: the watermark it found, the as-of day(s) it wrote, where it
    left the watermark (with `only_wrong`, only the runs that did not write exactly the day after
    their watermark and move it there)."""
    said = []
    for n, (i, o) in enumerate(zip(r.inputs, r.outputs), 1):
        due = None if i.watermark is None else i.watermark + semantics.DAY
        wrote = written_days(i, o)
        if only_wrong and wrote == [due] and o.watermark == due:
            continue
        days = "as-of day " + ", ".join(as_of_text(d) for d in wrote) if wrote else "no rows"
        said.append(f"run {n} found last_as_of_ts {day_text(i.watermark)}, so its day was "
                    f"{'none' if due is None else as_of_text(due)}; it wrote {days} and moved its "
                    f"watermark to {day_text(o.watermark)}")
    return "; ".join(said)
