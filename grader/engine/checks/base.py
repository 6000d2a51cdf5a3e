"""What every check is: its fixture, its verdict, the Check base class, and the diff tables shown on a failure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, ClassVar

from grader.engine import compare
from grader.engine import sandbox
from grader.domain import semantics
from grader.engine import sqlerrors
from grader.domain.tables import Dataset
from grader.engine.placeholder import UNANSWERED
from grader.engine.notebook import SubmittedAnswer
from grader.engine.results import CheckResult, Table
from grader.engine.sandbox import Limits, SandboxError


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
    # The checks declared beside this one, public then hidden, handed over by the exercise that
    # declares it (Exercise.link); empty for a check declared alone. Decides which check leads
    # on a form problem of an answer several checks read (form_lead).
    siblings: list["Check"] = field(default_factory=list, repr=False, compare=False, kw_only=True)
    reads_value: ClassVar[bool] = False  # ValueCheck: judges a structured answer's value

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
                script = answer.sql if answer.kind == "sql" else None
                # a write's constraint error says what it means here (a write that is not idempotent...)
                v = Verdict(exc.kind, f"{self.answer}{where}: "
                            + sqlerrors.annotate(str(exc), _statement(script, exc.statement), self.answer, script))
        points = self.points if v.status == "pass" else 0.0
        max_points = 0.0 if v.status == "manual" else self.points
        message = v.message or (self.passed if v.status == "pass" else self.fail)
        if v.status in ("fail", "error") and answer is not None and answer.kind == "sql" and self.judges_later_sessions():
            # a script that never commits what it wrote looks right in the notebook and wrote nothing here: say why
            note = sqlerrors.open_transaction_note(answer.sql)
            message = f"{message.rstrip().rstrip('.')}. {note}" if note else message
        return CheckResult(self.name, v.status, points, max_points, message, self.hidden, v.tables)

    def where(self) -> str:
        return f"expected a `%%sql --save {self.answer}` cell"

    def judges_later_sessions(self) -> bool:
        """Whether this check judges what an SQL answer leaves for the sessions after its own (a
        script, a job), where a transaction it leaves open is rolled back; not a query's own result."""
        return True

    def prepare(self, limits: Limits = Limits()) -> None:
        """Build what every grading of this check reuses, once per process, before the grader
        forks the children that run checks (so each child inherits it instead of rebuilding)."""

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:  # pragma: no cover
        raise NotImplementedError


def form_lead(check: Check, whole: bool = True, any_kind: bool = False) -> str:
    """The name of the check, among those declared with `check`, that reports a form problem
    of its answer: the answer's gate if it has one, else the first value check reading the same
    key (`whole`: reading the answer at all; `any_kind`: the first check of any kind, for a cell
    that could not be read, which every kind of check reports). Public checks come first, so
    check() in the notebook always shows the lead."""
    declared = check.siblings or [check]
    readers = [c for c in declared if c.answer == check.answer]
    values = [c for c in readers if c.reads_value]
    gates = [c for c in values if getattr(c, "gate", False)]
    if gates:
        return gates[0].name
    if any_kind:
        pool = readers
    else:
        pool = values if whole else [c for c in values if getattr(c, "key", None) == getattr(check, "key", None)]
    return pool[0].name if pool else check.name


def _sql(answer: SubmittedAnswer, name: str) -> str:
    if answer.kind != "sql" or not answer.sql:
        raise SandboxError(f"{name} should be a `%%sql --save {name}` cell holding SQL")
    if not answer.sql.strip():
        raise SandboxError(f"the `%%sql --save {name}` cell is empty")
    return answer.sql


def _statement(sql: str | None, index: int | None) -> str:
    """The text of statement `index` (1-based, as SandboxError counts) of `sql`, or ''; all of
    `sql` when it does not parse (the syntax error is about it, wherever it stopped)."""
    if not sql:
        return ""
    try:
        statements = sandbox.split_statements(sql)
    except SandboxError:
        return sql
    return statements[index - 1] if index and index <= len(statements) else ""


def _shown(row: tuple, other: tuple | None = None) -> list:
    """A row for a table; values that differ from `other` become text with every digit."""
    if other is None:
        return list(row)
    return [compare.value_text(v) if not compare.values_equal(v, o) and isinstance(v, float) else v
            for v, o in zip(row, other)]


def _shown_of(rows: list, limit: int, unit: str = "") -> str:
    """' (12 of 20 shown: 8 more)' when a table is cut, so a count in the message matches."""
    return f" ({limit} of {len(rows)}{unit} shown: {len(rows) - limit} more)" if len(rows) > limit else ""


def diff_tables(d: compare.Diff, limit: int = 12, expected: str = "expected") -> list[Table]:
    """The difference as tables: duplicated keys, missing rows, extra rows, and wrong values as
    expected/got pairs (differing numbers printed to every digit). `expected` names the
    reference side (the course's definition, or the answer's own result on a control). A table
    cut at `limit` rows says how many more there are."""
    cols = d.columns
    out = []
    if d.duplicated:
        out.append(Table("returned more than once (one row per key expected)" + _shown_of(d.duplicated, limit), cols,
                         [list(r) for r in d.duplicated[:limit]]))
    if d.missing:
        caption = "expected but missing" if expected == "expected" else f"in {expected}, missing here"
        out.append(Table(caption + _shown_of(d.missing, limit), cols, [list(r) for r in d.missing[:limit]]))
    if d.unexpected:
        caption = "returned but not expected" if expected == "expected" else f"returned here, not in {expected}"
        out.append(Table(caption + _shown_of(d.unexpected, limit), cols, [list(r) for r in d.unexpected[:limit]]))
    if d.changed:
        rows = []
        for e, g in d.changed[:limit]:
            rows.append([expected, *_shown(e, g)])
            rows.append(["got", *_shown(g, e)])
        out.append(Table("wrong values" + _shown_of(d.changed, limit, " rows"), ["", *cols], rows))
    return out


Aspect = Callable[[compare.Diff, Fixture], compare.Diff]
Control = Callable[[Fixture], Fixture]
