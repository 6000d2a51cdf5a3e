"""The kinds of check an exercise declares. Each check is named for the mistake it catches and
runs on its own fixture, in its own sandbox, under its own time limit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from grader.engine import compare
from grader.engine import sandbox
from grader.course import semantics
from grader.engine import sqlerrors
from grader.course.tables import Dataset, columns as table_columns
from grader.engine.placeholder import UNANSWERED
from grader.engine.notebook import SubmittedAnswer
from grader.engine.results import CheckResult, Table
from grader.engine.sandbox import Limits, SandboxError
from grader.engine.shrink import ddmin
from grader.engine.structured import is_unanswered

Expected = Callable[[Dataset, dict], list[tuple]]
INPUT_TABLES = ("feature_table", "feature_job_control", "feature_rows")


@dataclass
class Fixture:
    """A small database a check runs on, and the parameters learner SQL reads.

    `about_dimensions`: the fixture's users/items rows are the point of its check (a user who
    signs up after their first event); every other fixture holds a user and an item row, created
    before their first event, for every id its events name (see `with_dimensions`)."""

    name: str
    dataset: Dataset
    variables: dict[str, Any] = field(default_factory=dict)
    about_dimensions: bool = False

    def with_events(self, events: list[tuple]) -> "Fixture":
        return self.with_tables({"events": events})

    def with_tables(self, tables: dict[str, list[tuple]]) -> "Fixture":
        dataset = self.dataset
        for table, rows in tables.items():
            dataset = dataset.with_rows(table, rows)
        return Fixture(self.name, dataset, self.variables, self.about_dimensions)


DIMENSION_EPOCH = datetime(2025, 1, 1)


def with_dimensions(dataset: Dataset, created: datetime = DIMENSION_EPOCH) -> Dataset:
    """`dataset` plus a users row and an items row (created at `created`, before any event) for
    every user and item its events name and its dimension tables lack: consistent data, so an
    answer that also applies Exercise 3's point-in-time join to users and items loses nothing."""
    events = dataset.rows("events")
    users, items = dataset.rows("users"), dataset.rows("items")
    first = min([e[semantics.EVENT_TS] for e in events] + [created])
    created = min(created, first)
    have_u, have_i = {u[0] for u in users}, {i[0] for i in items}
    users += [(u, created, "North") for u in sorted({e[semantics.USER_ID] for e in events} - have_u)]
    items += [(i, created, "A") for i in sorted({e[semantics.ITEM_ID] for e in events} - have_i)]
    return dataset.with_rows("users", users).with_rows("items", items)


def missing_dimensions(dataset: Dataset) -> list[str]:
    """What makes a fixture's dimensions inconsistent with its events: an event whose user or
    item has no row, or whose user signed up / item was created after the event."""
    signup = {u[0]: u[1] for u in dataset.rows("users")}
    created = {i[0]: i[1] for i in dataset.rows("items")}
    problems = []
    for e in dataset.rows("events"):
        ts = e[semantics.EVENT_TS]
        for what, table, ident in (("user", signup, e[semantics.USER_ID]), ("item", created, e[semantics.ITEM_ID])):
            if ident not in table:
                problems.append(f"event {e[0]}: no {what} row for {ident}")
            elif table[ident] is not None and table[ident] > ts:
                problems.append(f"event {e[0]}: {what} {ident} created after the event")
    return problems


@dataclass
class Verdict:
    status: str
    message: str
    tables: list[Table] = field(default_factory=list)


@dataclass
class Check:
    name: str  # the mistake class it catches, e.g. "no_leakage"
    answer: str  # the answer it reads, e.g. "ex06"
    points: float
    fail: str  # what the mistake is and why it matters (shown on failure)
    hidden: bool = False
    passed: str = ""  # shown on success

    def run(self, answers: dict[str, SubmittedAnswer], limits: Limits = Limits()) -> CheckResult:
        answer = answers.get(self.answer)
        if answer is None or answer.kind == "missing":  # "missing" with an error: why (a near-miss cell...)
            if answer is not None and answer.error:
                v = Verdict("missing", f"{self.answer} not graded: {answer.error}")
            else:
                v = Verdict("missing", f"no answer named {self.answer} found ({self.where()})")
        elif answer.kind == "sql" and answer.sql and UNANSWERED in answer.sql:
            v = Verdict("missing", f"{self.answer} is not answered yet (the cell still holds the placeholder)")
        elif answer.error:  # a structured answer's: said in full once, by the first check reading it
            lead = form_lead(self, any_kind=True) if answer.kind == "structured" else self.name
            v = Verdict("error", f"{self.answer} could not be read: " + (answer.error if lead == self.name else f"see {lead}"))
        else:
            try:
                v = self.evaluate(answer, limits)
            except SandboxError as exc:
                where = f" (statement {exc.statement})" if exc.statement else ""
                # a write's constraint error says what it means here (a write that is not idempotent...)
                v = Verdict(exc.kind, f"{self.answer}{where}: " + sqlerrors.annotate(str(exc), _statement(answer.sql if answer.kind == "sql" else None, exc.statement), self.answer))
        points = self.points if v.status == "pass" else 0.0
        max_points = 0.0 if v.status == "manual" else self.points
        message = v.message or (self.passed if v.status == "pass" else self.fail)
        return CheckResult(self.name, v.status, points, max_points, message, self.hidden, v.tables)

    def where(self) -> str:
        return f"expected a `%%sql --save {self.answer}` cell"

    def prepare(self, limits: Limits = Limits()) -> None:
        """Build what every grading of this check reuses, once per process, before the grader
        forks the children that run checks (so each child inherits it instead of rebuilding)."""

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:  # pragma: no cover
        raise NotImplementedError


def _sql(answer: SubmittedAnswer, name: str) -> str:
    if answer.kind != "sql" or not answer.sql:
        raise SandboxError(f"{name} should be a `%%sql --save {name}` cell holding SQL")
    if not answer.sql.strip():
        raise SandboxError(f"the `%%sql --save {name}` cell is empty")
    return answer.sql


def _statement(sql: str | None, index: int | None) -> str:
    """The text of statement `index` (1-based, as SandboxError counts) of `sql`, or ''."""
    if not index or not sql:
        return ""
    try:
        statements = sandbox.split_statements(sql)
    except SandboxError:
        return ""
    return statements[index - 1] if index <= len(statements) else ""


def _shown(row: tuple, other: tuple | None = None) -> list:
    """A row for a table; values that differ from `other` become text with every digit."""
    if other is None:
        return list(row)
    return [compare.value_text(v) if not compare.values_equal(v, o) and isinstance(v, float) else v
            for v, o in zip(row, other)]


def diff_tables(d: compare.Diff, limit: int = 12, expected: str = "expected") -> list[Table]:
    """The difference as tables: duplicated keys, missing rows, extra rows, and wrong values as
    expected/got pairs (differing numbers printed to every digit). `expected` names the
    reference side (the course's definition, or the answer's own result on a control)."""
    cols = d.columns
    out = []
    if d.duplicated:
        out.append(Table("returned more than once (one row per key expected)", cols, [list(r) for r in d.duplicated[:limit]]))
    if d.missing:
        out.append(Table(f"{expected} but missing" if expected == "expected" else f"in {expected}, missing here", cols,
                         [list(r) for r in d.missing[:limit]]))
    if d.unexpected:
        out.append(Table("returned but not expected" if expected == "expected" else f"returned here, not in {expected}",
                         cols, [list(r) for r in d.unexpected[:limit]]))
    if d.changed:
        rows = []
        for e, g in d.changed[:limit]:
            rows.append([expected, *_shown(e, g)])
            rows.append(["got", *_shown(g, e)])
        out.append(Table("wrong values", ["", *cols], rows))
    return out


Aspect = Callable[[compare.Diff, Fixture], compare.Diff]
Control = Callable[[Fixture], Fixture]


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
    so doing nothing earns nothing.

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
    shrink_tables: tuple[str, ...] = ("events",)

    def _result(self, sql: str, fixture: Fixture, limits: Limits, runs: int | None = None) -> sandbox.Result:
        if self.state_sql is None:
            return sandbox.query(fixture.dataset, sql, fixture.variables, limits)
        runs = self.runs if runs is None else runs
        con = sandbox.open_sandbox(fixture.dataset, fixture.variables, limits)
        try:
            deadline = sandbox.Deadline(limits.timeout_s)
            for run in range(runs):
                try:
                    sandbox.run_sql(con, sql, deadline, want_result=False)
                except SandboxError as exc:
                    if runs > 1:  # a later run's error is the rerun bug: said with what it means
                        said = sqlerrors.annotate(str(exc), _statement(sql, exc.statement), self.answer)
                        raise SandboxError(f"run {run + 1} of {runs}: {said}", exc.kind, exc.statement) from None
                    raise
            state = sandbox.run_sql(con, self.state_sql, deadline)
            assert state is not None
            return state
        finally:
            con.close()

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
            rows = [tuple(v + (here - there) if isinstance(v, datetime) else v for v in r) for r in rows]
        return rows

    def _diff(self, sql: str, fixture: Fixture, limits: Limits) -> compare.Diff:
        got = self._result(sql, fixture, limits)
        oracle = self.expected(fixture.dataset, fixture.variables)
        d = compare.diff(oracle, got.columns, got.rows, self.columns, self.key, self.ordered)
        if d.missing_columns:
            return d
        if self.control is not None:
            must = d.missing  # the oracle's rows are required whatever the control says
            types = d.wrong_types
            d = compare.diff(self.reference(sql, fixture, limits), got.columns, got.rows, self.columns, self.key, self.ordered)
            d.wrong_types = types or d.wrong_types
            seen = {tuple(map(compare._norm, r)) for r in d.missing}
            d.missing = d.missing + [r for r in must if tuple(map(compare._norm, r)) not in seen]
        if self.aspect is not None:
            d = self.aspect(d, fixture)
        if oracle and not _returned_any(oracle, d):
            # Nothing the oracle expects came back (an empty result, the wrong rows entirely):
            # whatever the aspect, the answer did not do the thing.
            d.missing, d.returned_none = list(oracle), True
        return d

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        sql = _sql(answer, self.answer)
        d = self._diff(sql, self.fixture, limits)
        if d.equal:
            return Verdict("pass", self.passed)
        if d.missing_columns:
            return Verdict("fail", f"{d.summary()}. Expected columns: {', '.join(self.columns)}.")
        fixture, d = self._shrunk(sql, d, limits) if self.shrink else (self.fixture, d)
        tables = []
        shrunk = [t for t in self.shrink_tables if fixture.dataset.rows(t)] if self.shrink else []
        for table in ["events"] + [t for t in self.shrink_tables if t != "events"]:
            rows = fixture.dataset.rows(table)
            if rows and (table == "events" or table in shrunk):
                caption = f"{table}: the fewest rows on which your answer fails this check" if table in shrunk else table
                tables.append(Table(caption, table_columns(table), [list(r) for r in rows]))
        tables.extend(self.input_tables(fixture, sql, skip=set(shrunk)))
        tables.extend(diff_tables(d, expected=self.reference_label()))
        return Verdict("fail", self.message(d), tables)

    def reference_label(self) -> str:
        """What the 'expected' side of a difference is, in the tables."""
        return "expected" if self.control is None else f"your answer {self.control_note}".strip()

    def finding(self, d: compare.Diff) -> str:
        found = d.summary()
        return found if self.control is None else f"compared with your own answer {self.control_note}: {found}"

    def message(self, d: compare.Diff) -> str:
        """What was found, then why it matters: the declared explanation follows the finding
        only when the finding is a difference this check is about (not a wrong column type)."""
        found = self.finding(d)
        if not any(found.startswith(c) for c in self.columns):  # a column's name keeps its case
            found = found[0].upper() + found[1:]
        if d.returned_none or (d.wrong_types and not (d.changed or d.duplicated)):
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

        def fails(subset: list[tuple]) -> bool:
            try:
                sub = self._diff(sql, build(subset), quick)
            except SandboxError:
                return False  # a different failure: keep the counterexample about this one
            # the same kind of failure: rows wrong, or nothing expected returned at all
            return not sub.equal and sub.returned_none == d.returned_none

        smallest = ddmin(items, fails)
        fixture = build(smallest)
        try:
            return fixture, self._diff(sql, fixture, limits)
        except SandboxError:
            return self.fixture, d


def _returned_any(oracle: list[tuple], d: compare.Diff) -> bool:
    """Whether the answer returned at least one of the oracle's rows (by key when keyed)."""
    if d.key:
        pos = [d.columns.index(k) for k in d.key]
        want = {tuple(compare._norm(r[p]) for p in pos) for r in oracle}
        return any(tuple(compare._norm(g[p]) for p in pos) in want for g in d.got)
    return any(compare.rows_equal(o, g) for o in oracle for g in d.got)


# Controls: the same fixture with one trap taken out (ResultCheck.control). Written over
# timestamps and values, never over ids, so they hold for disguised fixtures too.

def _events(fixture: Fixture, keep: Callable[[tuple], tuple | None]) -> Fixture:
    rows = [r for r in (keep(e) for e in fixture.dataset.rows("events")) if r is not None]
    return fixture.with_events(rows)


def _as_of(fixture: Fixture) -> datetime:
    return fixture.variables["as_of_ts"]


def without_future_events(fixture: Fixture) -> Fixture:
    """The events after the as-of time removed (users and items kept)."""
    t = _as_of(fixture)
    return _events(fixture, lambda e: e if e[semantics.EVENT_TS] <= t else None)


def without_old_events(fixture: Fixture) -> Fixture:
    """The events at or before the window's start removed (users and items kept)."""
    t = _as_of(fixture)
    return _events(fixture, lambda e: e if e[semantics.EVENT_TS] > t - semantics.WINDOW else None)


def without_retries(fixture: Fixture) -> Fixture:
    """Every retried copy removed: one row per event_id."""
    return fixture.with_events(semantics.dedup(fixture.dataset.rows("events")))


EDGE = timedelta(seconds=1)


def edges_moved_around(as_ofs: "Callable[[Fixture], list[datetime]]") -> Control:
    """Each event within a second of a window's edge (for any of the as-of times) moved an hour
    or more away from every edge, to a time that is inside exactly the same windows: an answer
    that draws the edges right gives the same result; one that puts the edge on the wrong side
    (>= for >, < for <=, a day's date for its timestamp) does not. Leakage is not its concern:
    an event half a second after as_of_ts moves to an hour after it."""

    def control(fixture: Fixture) -> Fixture:
        times = as_ofs(fixture)
        edges = [t for a in times for t in (a, a - semantics.WINDOW)]

        def inside(ts: datetime) -> tuple:
            return tuple(semantics.in_window(ts, a) for a in times)

        def move(e: tuple) -> tuple:
            ts = e[semantics.EVENT_TS]
            if all(abs(ts - edge) > EDGE for edge in edges):
                return e
            for hours in (1, -1, 2, -2, 3, -3, 6, -6, 12, -12):
                moved = ts + timedelta(hours=hours)
                if inside(moved) == inside(ts) and all(abs(moved - edge) >= timedelta(minutes=59) for edge in edges):
                    return (*e[:semantics.EVENT_TS], moved, *e[semantics.EVENT_TS + 1:])
            return e

        return _events(fixture, move)

    return control


edges_moved = edges_moved_around(lambda fixture: [_as_of(fixture)])


def moved_to(as_of: datetime) -> Control:
    """The same data moved in time so the as-of time is `as_of`: every timestamp of events,
    users and items shifted alike. An answer that reads getvariable('as_of_ts') and uses it as
    given returns the same rows (its timestamps moved back); one that hard-codes a day does not."""

    def control(fixture: Fixture) -> Fixture:
        shift = as_of - _as_of(fixture)
        tables = {t: [tuple(v + shift if isinstance(v, datetime) else v for v in r) for r in fixture.dataset.rows(t)]
                  for t in ("events", "users", "items")}
        moved = fixture.with_tables(tables)
        return Fixture(moved.name, moved.dataset, {**fixture.variables, "as_of_ts": as_of}, moved.about_dimensions)

    return control


# Aspects: the part of a difference a check judges.

def only_columns(*columns: str) -> Aspect:
    """Wrong values in these columns (and missing rows); extra rows and other columns are other
    checks' concern."""
    return lambda d, fixture: d.only(unexpected=False, duplicated=False, columns=list(columns))


def keys_only(d: compare.Diff, fixture: Fixture) -> compare.Diff:
    """Which keys come back (missing, extra, duplicated); their values are other checks' concern."""
    return d.only(changed=False)


def duplicates_only(d: compare.Diff, fixture: Fixture) -> compare.Diff:
    """Keys returned more than once (an answer must still return the expected rows)."""
    return d.only(unexpected=False, changed=False)


def no_extra_rows(d: compare.Diff, fixture: Fixture) -> compare.Diff:
    """Everything but extra rows (the grid's concern)."""
    return d.only(unexpected=False)


def extra_rows_only(d: compare.Diff, fixture: Fixture) -> compare.Diff:
    """Rows that should not be there, and nothing else (an answer must still return rows)."""
    return d.only(missing=False, changed=False, duplicated=False)


def missing_rows_only(d: compare.Diff, fixture: Fixture) -> compare.Diff:
    """Expected rows that did not come back, and nothing else."""
    return d.only(unexpected=False, changed=False, duplicated=False)


def then(*aspects: Aspect) -> Aspect:
    def both(d: compare.Diff, fixture: Fixture) -> compare.Diff:
        for a in aspects:
            d = a(d, fixture)
        return d
    return both


def at_answered(column: str) -> Aspect:
    """Only the values of `column` (e.g. as_of_ts) that the answer returned at all: leaving out
    one of two as-of times is one mistake, judged by the check about the grid, not by all."""

    def aspect(d: compare.Diff, fixture: Fixture) -> compare.Diff:
        i = d.columns.index(column)
        answered = {compare._norm(g[i]) for g in d.got}
        return d.where(lambda r: compare._norm(r[i]) in answered)

    return aspect


Judge = Callable[[Any], "tuple[bool, str]"]


@dataclass
class ValueCheck(Check):
    """A structured answer (or one key of it) judged without running learner code.

    A value whose form cannot be read (the judge raises judges.Unreadable, or the answer is not
    a dict) is reported once per answer: the first check reading it (or the answer's `gate`, a
    check of the answer's form alone) says what form to write and fails; the other checks
    reading it report `error` with a pointer to that check."""

    key: str | None = None
    judge: Judge = None  # type: ignore[assignment]
    gate: bool = False  # checks the answer's form only; form problems are reported here

    def where(self) -> str:
        return f"expected a cell assigning `{self.answer} = ...`"

    def label(self) -> str:
        return f"{self.answer}[{self.key!r}]" if self.key else self.answer

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        if answer.kind != "structured":
            return self.unreadable(f"{self.answer} should be a Python literal (`{self.answer} = ...`), not SQL", whole=True)
        value = answer.value
        if is_unanswered(value):
            return Verdict("missing", f"{self.answer} is not answered yet")
        if self.key is not None:
            if not isinstance(value, dict):
                return self.unreadable(
                    f"{self.answer} should be a dict with key {self.key!r} (as in the notebook's template); "
                    f"got {type(value).__name__} {_short(value)}", whole=True)
            key = _find_key(value, self.key)
            if key is None:
                has = ", ".join(repr(k) for k in list(value)[:8]) or "none"
                return Verdict("missing", f"{self.answer} has no key {self.key!r} (its keys: {has})")
            value = value[key]
            if is_unanswered(value):
                return Verdict("missing", f"{self.label()} is not answered yet")
        try:
            ok, message = self.judge(value)
        except Unreadable as exc:
            return self.unreadable(f"{self.label()}: {exc}")
        return Verdict("pass" if ok else "fail", message or (self.passed if ok else self.fail))

    def unreadable(self, message: str, whole: bool = False) -> Verdict:
        """A form problem: said in full by the check that leads this answer, pointed at elsewhere."""
        lead = form_lead(self, whole)
        if lead == self.name:
            return Verdict("fail", message)
        what = self.answer if whole else self.label()
        return Verdict("error", f"{what} could not be read: see {lead}")


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _find_key(value: dict, key: str) -> Any:
    """The dict's key for `key`: exact, else the one written with other case, spaces or hyphens."""
    if key in value:
        return key
    wanted = _norm_key(key)
    return next((k for k in value if isinstance(k, str) and _norm_key(k) == wanted), None)


def _norm_key(k: str) -> str:
    return re.sub(r"[\s\-]+", "_", k.strip().lower())


def declared_with(check: Check) -> list[Check]:
    """The checks declared beside this one, public then hidden, in the loaded exercise module
    that declares it (matched by name and answer: grading may use copies, e.g. disguised hidden
    checks). Just [check] for a check declared elsewhere."""
    import sys

    for name, mod in list(sys.modules.items()):
        if not re.fullmatch(r"grader\.exercises\.ex\d\d", name):
            continue
        decl = getattr(mod, "EXERCISE", None)
        hidden = getattr(sys.modules.get(name + ".hidden"), "CHECKS", [])
        checks = list(getattr(decl, "checks", [])) + list(hidden)
        if any(c is check or (c.name == check.name and c.answer == check.answer and type(c) is type(check))
               for c in checks):
            return checks
    return [check]


def form_lead(check: Check, whole: bool = True, any_kind: bool = False) -> str:
    """The name of the check, among those declared with `check`, that reports a form problem
    of its answer: the answer's gate if it has one, else the first value check reading the same
    key (`whole`: reading the answer at all; `any_kind`: the first check of any kind, for a cell
    that could not be read, which every kind of check reports). Public checks come first, so
    check() in the notebook always shows the lead."""
    readers = [c for c in declared_with(check) if c.answer == check.answer]
    values = [c for c in readers if isinstance(c, ValueCheck)]
    gates = [c for c in values if c.gate]
    if gates:
        return gates[0].name
    if any_kind:
        pool = readers
    else:
        pool = values if whole else [c for c in values if c.key == getattr(check, "key", None)]
    return pool[0].name if pool else check.name


@dataclass
class ManualCheck(Check):
    """A written answer an instructor reads and scores, worth `points`.

    Until the instructor's score is merged (`grader check --manual answers.csv`) it is reported
    as `manual`: neither awarded nor lost, its points left out of the automatic maximum and
    shown beside it as "to be scored" (results.ExerciseResult.manual_pending). An answer that is
    absent or still the placeholder is `missing` and counts 0, like any missing answer. A short
    answer is not failed unread: it goes to the instructor with a note.
    The answer is a string, or a list of strings read as bullets (Exercise 10's `how`)."""

    key: str | None = None
    min_words: int = 5

    def where(self) -> str:
        return f"expected a cell assigning `{self.answer} = ...`"

    def label(self) -> str:
        return f"{self.answer}[{self.key!r}]" if self.key else self.answer

    def text(self, answers: dict[str, SubmittedAnswer]) -> str | None:
        """What the student wrote, as text (bullets one per line), or None when nothing is."""
        answer = answers.get(self.answer)
        return None if answer is None or answer.kind != "structured" else self._text(answer.value)

    def _text(self, value) -> str | None:
        if self.key is not None:
            value = value.get(self.key) if isinstance(value, dict) else None
        if isinstance(value, str):
            return None if is_unanswered(value) else value.strip()
        if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
            bullets = [v.strip() for v in value if not is_unanswered(v)]
            return "\n".join(f"• {b}" for b in bullets) if bullets else None  # not "- ": no spreadsheet formula
        return None

    def run(self, answers: dict[str, SubmittedAnswer], limits: Limits = Limits()) -> CheckResult:
        result = super().run(answers, limits)
        result.max_points = self.points  # its worth is known even while it waits to be scored
        return result

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        text = self._text(answer.value) if answer.kind == "structured" else None
        if text is None:
            return Verdict("missing", f"{self.label()}: write your answer in words (a string, or a list of strings as bullets)")
        words = len(re.findall(r"\w+", text))
        worth = f"worth {self.points:g} point(s), " if self.points else ""
        if words < self.min_words:
            return Verdict("manual", f"{self.label()}: only {words} word(s); about {self.min_words} or more are expected "
                                     f"({worth}read and scored by your instructor)")
        return Verdict("manual", f"{self.label()}: {words} words, {worth}read and scored by your instructor")


# Judges live in judges.py (one reading of numbers, lists, timestamps and days); re-exported
# here, where the exercises have always imported them from.
from grader.engine.judges import Unreadable, as_set, close_to, day_judge, day_text, days_judge, days_text, equals, parse_as_of_day, parse_days, parse_timestamp
