"""ResultCheck: an SQL answer's rows on a fixture, judged against the oracle's."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable

from grader.engine import compare
from grader.engine import sandbox
from grader.domain import semantics
from grader.engine import sqlerrors
from grader.domain.tables import columns as table_columns
from grader.engine.notebook import SubmittedAnswer
from grader.engine.results import Table
from grader.engine.sandbox import Limits, SandboxError
from grader.engine.shrink import ddmin_from
from grader.engine.checks.base import Aspect, Check, Control, Expected, Fixture, INPUT_TABLES, Verdict, _sql, _statement, diff_tables


@dataclass
class ResultCheck(Check):
    """Run the answer on a fixture and compare a result with the oracle's.

    For a query the result is the answer's own output. For a script (`state_sql` set) the
    script runs `runs` times and the result is what `state_sql` reads afterwards.

    A check judges only its concern, so one slip costs one check:
    - `aspect` narrows the difference to the part this check is about (a column, the key set,
      the rows of some as-of times); the rest is other checks' business.
    - `control` judges the answer against ITS OWN result on a control fixture (the same data
      with this check's trap taken out, e.g. edge events moved an hour away from the edge on the
      same side) rather than against the oracle: the check then sees only how the answer treats
      the trap, not mistakes it makes everywhere. `control_note` says what the control changed.
    Either way an answer must return the oracle's rows (a missing expected row always counts),
    so doing nothing earns nothing; unless `own_rows` says the check's concern is only how the
    answer's result changes between fixture and control (the sample moved in time: a window a day
    short misses a row on both, and that is the sample check's finding): then only an answer that
    returns none of the oracle's rows is held to them.

    On a mismatch the fixture's rows in `shrink_tables` are shrunk to the fewest on which the
    answer still fails this check, and shown with the difference."""

    fixture: Fixture = None  # type: ignore[assignment]
    expected: Expected = None  # type: ignore[assignment]
    columns: list[str] = field(default_factory=list)
    key: list[str] | None = None
    ordered: bool = False
    state_sql: str | None = None
    runs: int = 1
    shrink: bool = True
    aspect: Aspect | None = None
    control: Control | None = None
    control_note: str = ""
    own_rows: bool = False
    # A script's next input arriving between its runs (a job's next batch): called on the
    # script's database before every run after the first. None: each run sees the same tables.
    between_runs: Callable[[Any], None] | None = None
    shrink_tables: tuple[str, ...] = ("events",)

    def judges_later_sessions(self) -> bool:
        return self.state_sql is not None  # a query is judged on what its own session returns

    def _result(self, sql: str, fixture: Fixture, limits: Limits, runs: int | None = None) -> sandbox.Result:
        if self.state_sql is None:
            return sandbox.query(fixture.dataset, sql, fixture.variables, limits)
        runs = self.runs if runs is None else runs
        # Each run in a session of its own, and the state read in another, as a scheduler runs a
        # script: its TEMP objects and a transaction it left open (no COMMIT: rolled back) end
        # with its session; what is read is what the next session sees.
        db = sandbox.SharedDatabase(fixture.dataset, fixture.variables, limits)
        try:
            deadline = sandbox.Deadline(limits.timeout_s)
            for run in range(runs):
                if run and self.between_runs is not None:
                    self.between_runs(db)
                try:
                    with sandbox.session(db, fixture.variables) as session:
                        sandbox.run_sql(session, sql, deadline, want_result=False)
                except SandboxError as exc:
                    if runs > 1:  # a later run's error is the rerun bug: said with what it means
                        said = sqlerrors.annotate(str(exc), _statement(sql, exc.statement), self.answer, sql)
                        raise SandboxError(f"run {run + 1} of {runs}: {said}", exc.kind, exc.statement, run + 1) from None
                    raise
            with sandbox.session(db, fixture.variables) as session:
                state = sandbox.run_sql(session, self.state_sql, deadline)
            assert state is not None
            return state
        finally:
            db.close()

    def reference(self, sql: str, fixture: Fixture, limits: Limits) -> list[tuple]:
        """The rows the answer is judged against: the oracle's, or with a `control` the answer's
        own result on the control fixture (the oracle's when that result lacks the columns)."""
        if self.control is None:
            return self.expected(fixture.dataset, fixture.variables)
        control = self.control(fixture)
        own = self._result(sql, control, limits)
        rows, missing = compare.project(own.columns, own.rows, self.columns)
        if missing:
            return self.expected(fixture.dataset, fixture.variables)
        # A control at another as-of time (the same data moved in time): its timestamps are
        # moved back, so the answer's own rows there line up with its rows here.
        here, there = fixture.variables.get("as_of_ts"), control.variables.get("as_of_ts")
        if isinstance(here, datetime) and isinstance(there, datetime) and here != there:
            rows = [tuple(_moved(v, here, there) for v in r) for r in rows]
        return rows

    def judges_types(self) -> bool:
        """Whether this check says that a column's type is not the course's: the first result
        check declared on the answer (a public one). The others read a DATE where the course has a
        day's 23:59:59 as that day, so one type slip costs one check, not every check of its answer."""
        declared = self.siblings or [self]
        first = next((c for c in declared if c.answer == self.answer and isinstance(c, ResultCheck)), self)
        return first.name == self.name

    def _diff(self, sql: str, fixture: Fixture, limits: Limits) -> compare.Diff:
        got = self._result(sql, fixture, limits)
        oracle = self.expected(fixture.dataset, fixture.variables)
        days = set() if self.judges_types() else _day_end_columns(oracle, self.columns)
        if days:
            got = sandbox.Result(got.columns, _days_as_day_ends(got.rows, got.columns, days))
        d = compare.diff(oracle, got.columns, got.rows, self.columns, self.key, self.ordered)
        if d.missing_columns:
            return d
        if self.control is not None and oracle and _returned_any(oracle, d) and not _computes_any(oracle, d):
            # The expected keys came back with no value computed (0 or NULL throughout): such an
            # answer agrees with itself on any control, so it is judged against the oracle.
            d.returned_none = d.computed_none = True
            return d
        reference: list[tuple] = []
        if self.control is not None:
            must = [] if self.own_rows else d.missing  # the oracle's rows are required whatever the control says
            types = d.wrong_types
            # own_rows: the result must be the control's, row for row (a key returned twice on
            # both is the key checks' finding, not this one's)
            key = None if self.own_rows else self.key
            reference = _days_as_day_ends(self.reference(sql, fixture, limits), self.columns, days)
            d = compare.diff(reference, got.columns, got.rows, self.columns, key, self.ordered)
            d.wrong_types = types or d.wrong_types
            seen = {tuple(map(compare._norm, r)) for r in d.missing}
            d.missing = d.missing + [r for r in must if tuple(map(compare._norm, r)) not in seen]
        if self.aspect is not None:
            d = self.aspect(d, fixture)
        if oracle and not _returned_any(oracle, d, self.key):
            # Nothing the oracle expects came back (an empty result, the wrong rows entirely):
            # whatever the aspect, the answer did not do the thing.
            d.missing, d.returned_none, d.control_rows = list(oracle), True, bool(reference)
        return d

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        sql = _sql(answer, self.answer)
        d = self._diff(sql, self.fixture, limits)
        if d.equal:
            return Verdict("pass", self.passed)
        if d.missing_columns:
            return Verdict("fail", f"{d.summary()}. Expected columns: {', '.join(self.columns)}.")
        shrink = self.shrink and limits.shrink
        fixture, d = self._shrunk(sql, d, limits) if shrink else (self.fixture, d)
        tables = []
        shrunk = [t for t in self.shrink_tables if fixture.dataset.rows(t)] if shrink else []
        for table in ["events"] + [t for t in self.shrink_tables if t != "events"]:
            rows = fixture.dataset.rows(table)
            if rows and (table == "events" or table in shrunk):
                caption = f"{table}: the fewest rows on which your answer fails this check" if table in shrunk else table
                # the as-of time the answer read with getvariable(): the timeline's window (grader/pictures)
                as_of = fixture.variables.get("as_of_ts") if table == "events" else None
                picture = {"kind": "events", "as_of": [as_of.isoformat(sep=" ")]} if isinstance(as_of, datetime) else None
                tables.append(Table(caption, table_columns(table), [list(r) for r in rows], picture))
        tables.extend(self.input_tables(fixture, sql, skip=set(shrunk)))
        tables.extend(diff_tables(d, expected=self.reference_label()))
        return Verdict("fail", self.message(d, fixture), tables)

    def reference_label(self) -> str:
        """What the 'expected' side of a difference is, in the tables."""
        return "expected" if self.control is None else f"your answer {self.control_note}".strip()

    def finding(self, d: compare.Diff) -> str:
        found = d.summary()
        if self.control is None or d.computed_none:  # judged against the oracle
            return found
        return f"compared with your own answer {self.control_note}: {found}"

    def message(self, d: compare.Diff, fixture: Fixture | None = None) -> str:
        """What was found, then why it matters: the declared explanation follows the finding
        only when the finding is a difference this check is about (not a wrong column type).
        `fixture`: the data the difference was found on (a subclass may say more about it)."""
        found = self.finding(d)
        if not any(found.startswith(c) for c in self.columns):  # a column's name keeps its case
            found = found[0].upper() + found[1:]
        if (d.returned_none and not d.control_rows) or (d.wrong_types and not (d.changed or d.duplicated)):
            return f"{found}."  # nothing this check is about can be judged: no explanation claimed
        return f"{found}. {self.fail}"

    def input_tables(self, fixture: Fixture, sql: str, limit: int = 20, skip: set[str] = frozenset()) -> list[Table]:
        """The fixture's other non-empty inputs that the answer reads or writes (a feature_table
        it audits, the control row a job reads, the users and items of the events shown),
        beside the shrunk rows."""
        out = []
        events = fixture.dataset.rows("events")
        ids = {"users": {e[semantics.USER_ID] for e in events}, "items": {e[semantics.ITEM_ID] for e in events}}
        for table in (*INPUT_TABLES, "users", "items"):
            if table in skip:
                continue
            rows = fixture.dataset.rows(table)
            if table in ids:
                rows = [r for r in rows if r[0] in ids[table]]
            if rows and re.search(rf"\b{table}\b", sql, re.I):
                more = f" (first {limit} of {len(rows)})" if len(rows) > limit else ""
                out.append(Table(f"{table} before your answer ran{more}", table_columns(table), [list(r) for r in rows[:limit]]))
        return out

    def _shrunk(self, sql: str, d: compare.Diff, limits: Limits) -> tuple[Fixture, compare.Diff]:
        """The fewest rows of `shrink_tables` on which this check still fails (ddmin over the
        rows of all those tables at once)."""
        items = [(t, r) for t in self.shrink_tables for r in self.fixture.dataset.rows(t)]
        if len(items) < 2:
            return self.fixture, d
        quick = Limits(min(limits.timeout_s, 2.0), limits.memory, limits.threads)

        def build(subset: list[tuple]) -> Fixture:
            return self.fixture.with_tables({t: [r for tt, r in subset if tt == t] for t in self.shrink_tables})

        # with a key, judged on the keys wrong on the whole fixture (cutting rows can make another key's row wrong)
        keys = d.wrong_keys() if d.key else None

        def judged(fixture: Fixture, lim: Limits) -> compare.Diff:
            sub = self._diff(sql, fixture, lim)
            return sub if keys is None else sub.on_keys(keys)

        def fails(subset: list[tuple]) -> bool:
            try:
                sub = judged(build(subset), quick)
            except SandboxError:
                return False  # a different failure: keep the counterexample about this one
            # the same kind of failure: rows wrong, or nothing expected returned at all
            return not sub.equal and sub.returned_none == d.returned_none

        smallest = ddmin_from(items, fails, _focus(items, d))
        fixture = build(smallest)
        try:
            return fixture, judged(fixture, limits)
        except SandboxError:
            return self.fixture, d


def _moved(value: Any, here: datetime, there: datetime) -> Any:
    """A value of the answer's result at as-of time `there`, moved to `here`: a timestamp by the
    difference, a DATE by the days between the two as-of days."""
    if isinstance(value, datetime):
        return value + (here - there)
    if isinstance(value, date):
        return value + (here.date() - there.date())
    return value


def _day_end_columns(oracle: list[tuple], columns: list[str]) -> set[str]:
    """The columns (lower-case) in which every expected value is a day's 23:59:59."""
    out = set()
    for i, name in enumerate(columns):
        values = [r[i] for r in oracle if r[i] is not None]
        if values and all(semantics.is_day_end(v) for v in values):
            out.add(name.lower())
    return out


def _days_as_day_ends(rows: list[tuple], columns: list[str], days: set[str]) -> list[tuple]:
    """`rows` with each DATE in the `days` columns read as that day's 23:59:59 (a new list: a
    result may be shared with other checks)."""
    at = [i for i, name in enumerate(columns) if name.lower() in days]
    if not at:
        return rows
    return [tuple(semantics.day_end(v) if i in at and type(v) is date else v for i, v in enumerate(r)) for r in rows]


def _focus(items: list[tuple[str, tuple]], d: compare.Diff) -> list[list[tuple[str, tuple]]]:
    """Where a counterexample probably lies, narrowest first: the rows sharing the key of the
    first wrong row of the difference, then those sharing the key of any wrong row. A row is
    matched on the key columns its table has (events: user_id and item_id of a feature row);
    a table without any of them is kept whole."""
    wrong = d.missing + d.unexpected + [e for e, _ in d.changed] + d.duplicated
    pos = {c: d.columns.index(c) for c in (d.key or d.columns) if c in d.columns}
    if not wrong or not pos:
        return []
    keys = sorted({tuple((c, compare._norm(r[i])) for c, i in pos.items()) for r in wrong}, key=repr)
    keys = [dict(k) for k in keys]

    def near(chosen: list[dict]) -> list[tuple[str, tuple]]:
        out = []
        for table, row in items:
            cols = {c: i for i, c in enumerate(table_columns(table))}
            shared = [(c, cols[c]) for c in pos if c in cols]
            if not shared or any(all(compare._norm(row[i]) == k[c] for c, i in shared) for k in chosen):
                out.append((table, row))
        return out

    return [near(keys[:1]), near(keys)]


def _computes_any(oracle: list[tuple], d: compare.Diff) -> bool:
    """Whether the answer, judged against the oracle, computed something: a control compares the
    answer with itself, so an answer that returns the expected keys with constant values (0,
    NULL, 1: it computes nothing) would agree with itself and pass; this is required beside the
    control. Computed: some value other than 0 or NULL right, in a column where the answer does
    not return one constant for rows the course expects to differ (an answer of 1 everywhere
    gets the 1s right, and computes nothing). True when there are no value columns."""
    if not d.key:
        return True
    values = [i for i, c in enumerate(d.columns) if c not in d.key]
    if not values or not any(r[i] not in (0, None) for r in oracle for i in values):
        return True  # nothing but 0 and NULL expected: a right answer would look the same
    pos = [d.columns.index(k) for k in d.key]
    want = {tuple(compare._norm(r[p]) for p in pos): r for r in oracle}
    pairs = [(e, g) for g in d.got for e in [want.get(tuple(compare._norm(g[p]) for p in pos))] if e is not None]
    for i in values:
        constant = len({compare._norm(g[i]) for _, g in pairs}) == 1 < len({compare._norm(e[i]) for e, _ in pairs})
        if not constant and any(e[i] not in (0, None) and compare.values_equal(e[i], g[i]) for e, g in pairs):
            return True
    return False


def _returned_any(oracle: list[tuple], d: compare.Diff, key: list[str] | None = None) -> bool:
    """Whether the answer returned at least one of the oracle's rows (by `key`, or the
    difference's own, when keyed: an own-rows comparison has no key, yet a row of an expected
    key with a wrong value did come back)."""
    key = key or d.key
    if key:
        pos = [d.columns.index(k) for k in key]
        want = {tuple(compare._norm(r[p]) for p in pos) for r in oracle}
        return any(tuple(compare._norm(g[p]) for p in pos) in want for g in d.got)
    return any(compare.rows_equal(o, g) for o in oracle for g in d.got)


def result_checks(answer: str, expected: Expected, columns: list[str], **shared) -> Callable[..., ResultCheck]:
    """Declare what an exercise's ResultChecks share (the answer, its oracle, columns, key, what
    is shrunk) once; the function returned declares each check by what differs: its name,
    fixture, points and messages, and `judging` (what part of the difference it judges:
    ResultCheck.aspect / control)."""

    def check(name: str, fixture: Fixture, points: float, fail: str, passed: str = "", **judging) -> ResultCheck:
        return ResultCheck(name=name, answer=answer, points=points, fail=fail, passed=passed, fixture=fixture,
                           expected=expected, columns=columns, **shared, **judging)

    return check
