"""The kinds of check an exercise declares. Each check is named for the mistake it catches and
runs on its own fixture, in its own sandbox, under its own time limit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from . import compare, sandbox, semantics
from .course import Dataset, columns as table_columns
from .lesson import UNANSWERED
from .notebook import SubmittedAnswer
from .results import CheckResult, Table
from .sandbox import Limits, SandboxError
from .shrink import ddmin
from .structured import is_unanswered

Expected = Callable[[Dataset, dict], list[tuple]]
INPUT_TABLES = ("feature_table", "feature_job_control", "feature_rows")


@dataclass
class Fixture:
    """A small database a check runs on, and the parameters learner SQL reads."""

    name: str
    dataset: Dataset
    variables: dict[str, Any] = field(default_factory=dict)

    def with_events(self, events: list[tuple]) -> "Fixture":
        return Fixture(self.name, self.dataset.with_rows("events", events), self.variables)


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
        if answer is None:
            v = Verdict("missing", f"no answer named {self.answer} found ({self.where()})")
        elif answer.kind == "sql" and answer.sql and UNANSWERED in answer.sql:
            v = Verdict("missing", f"{self.answer} is not answered yet (the cell still holds the placeholder)")
        elif answer.error:
            v = Verdict("error", f"{self.answer} could not be read: {answer.error}")
        else:
            try:
                v = self.evaluate(answer, limits)
            except SandboxError as exc:
                where = f" (statement {exc.statement})" if exc.statement else ""
                v = Verdict(exc.kind, f"{self.answer}{where}: {exc}")
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


def diff_tables(d: compare.Diff, limit: int = 12) -> list[Table]:
    cols = d.columns
    out = []
    if d.duplicated:
        out.append(Table("returned more than once (one row per key expected)", cols, [list(r) for r in d.duplicated[:limit]]))
    if d.missing:
        out.append(Table("expected but missing", cols, [list(r) for r in d.missing[:limit]]))
    if d.unexpected:
        out.append(Table("returned but not expected", cols, [list(r) for r in d.unexpected[:limit]]))
    if d.changed:
        rows = []
        for e, g in d.changed[:limit]:
            rows.append(["expected", *e])
            rows.append(["got", *g])
        out.append(Table("wrong values", ["", *cols], rows))
    return out


@dataclass
class ResultCheck(Check):
    """Run the answer on a fixture and compare a result with the oracle's.

    For a query the result is the answer's own output. For a script (`state_sql` set) the
    script runs `runs` times and the result is what `state_sql` reads afterwards.
    On a mismatch, the fixture's events are shrunk to the fewest rows that still show it."""

    fixture: Fixture = None  # type: ignore[assignment]
    expected: Expected = None  # type: ignore[assignment]
    columns: list[str] = field(default_factory=list)
    key: list[str] | None = None
    ordered: bool = False
    state_sql: str | None = None
    runs: int = 1
    shrink: bool = True

    def _result(self, sql: str, fixture: Fixture, limits: Limits) -> sandbox.Result:
        if self.state_sql is None:
            return sandbox.query(fixture.dataset, sql, fixture.variables, limits)
        con = sandbox.open_sandbox(fixture.dataset, fixture.variables, limits)
        try:
            deadline = sandbox.Deadline(limits.timeout_s)
            for run in range(self.runs):
                try:
                    sandbox.run_sql(con, sql, deadline, want_result=False)
                except SandboxError as exc:
                    if self.runs > 1:
                        raise SandboxError(f"run {run + 1} of {self.runs}: {exc}", exc.kind, exc.statement) from None
                    raise
            state = sandbox.run_sql(con, self.state_sql, deadline)
            assert state is not None
            return state
        finally:
            con.close()

    def _diff(self, sql: str, fixture: Fixture, limits: Limits) -> compare.Diff:
        got = self._result(sql, fixture, limits)
        expected = self.expected(fixture.dataset, fixture.variables)
        return compare.diff(expected, got.columns, got.rows, self.columns, self.key, self.ordered)

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        sql = _sql(answer, self.answer)
        d = self._diff(sql, self.fixture, limits)
        if d.equal:
            return Verdict("pass", self.passed)
        if d.missing_columns:
            return Verdict("fail", f"{d.summary()}. Expected columns: {', '.join(self.columns)}.")
        fixture, d = self._shrunk(sql, d, limits) if self.shrink else (self.fixture, d)
        tables = []
        events = fixture.dataset.rows("events")
        if events:
            caption = "events: the fewest rows on which your answer and the reference differ" if self.shrink else "events"
            tables.append(Table(caption, table_columns("events"), [list(r) for r in events]))
        tables.extend(self.input_tables(fixture, sql))
        tables.extend(diff_tables(d))
        return Verdict("fail", f"{self.fail} ({d.summary()})", tables)

    def input_tables(self, fixture: Fixture, sql: str, limit: int = 20) -> list[Table]:
        """The fixture's other non-empty inputs that the answer reads or writes (a feature_table
        it audits, the control row a job reads), shown beside the shrunk events."""
        out = []
        for table in INPUT_TABLES:
            rows = fixture.dataset.rows(table)
            if rows and re.search(rf"\b{table}\b", sql, re.I):
                more = f" (first {limit} of {len(rows)})" if len(rows) > limit else ""
                out.append(Table(f"{table} before your answer ran{more}", table_columns(table), [list(r) for r in rows[:limit]]))
        return out

    def _shrunk(self, sql: str, d: compare.Diff, limits: Limits) -> tuple[Fixture, compare.Diff]:
        events = self.fixture.dataset.rows("events")
        if len(events) < 2:
            return self.fixture, d
        quick = Limits(min(limits.timeout_s, 2.0), limits.memory, limits.threads)

        def fails(subset: list[tuple]) -> bool:
            try:
                return not self._diff(sql, self.fixture.with_events(subset), quick).equal
            except SandboxError:
                return False  # a different failure: keep the counterexample about this one

        smallest = ddmin(events, fails)
        fixture = self.fixture.with_events(smallest)
        try:
            return fixture, self._diff(sql, fixture, limits)
        except SandboxError:
            return self.fixture, d


Judge = Callable[[Any], "tuple[bool, str]"]


@dataclass
class ValueCheck(Check):
    """A structured answer (or one key of it) judged without running learner code."""

    key: str | None = None
    judge: Judge = None  # type: ignore[assignment]

    def where(self) -> str:
        return f"expected a cell assigning `{self.answer} = ...`"

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        if answer.kind != "structured":
            return Verdict("error", f"{self.answer} should be a Python literal (`{self.answer} = ...`), not SQL")
        value = answer.value
        if is_unanswered(value):
            return Verdict("missing", f"{self.answer} is not answered yet")
        if self.key is not None:
            if not isinstance(value, dict):
                return Verdict("fail", f"{self.answer} should be a dict with key {self.key!r}")
            if self.key not in value:
                return Verdict("missing", f"{self.answer} has no key {self.key!r}")
            value = value[self.key]
            if is_unanswered(value):
                return Verdict("missing", f"{self.answer}[{self.key!r}] is not answered yet")
        ok, message = self.judge(value)
        return Verdict("pass" if ok else "fail", message or (self.passed if ok else self.fail))


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
            return "\n".join(f"- {b}" for b in bullets) if bullets else None
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


# Judges: small, named, reusable.

def close_to(expected: float, rel: float = 0.01, diagnoses: dict[float, str] | None = None, unit: str = "") -> Judge:
    """A number within `rel` of `expected`; a known wrong factor (e.g. 1000 for MB vs GB) is named."""

    def judge(value: Any) -> tuple[bool, str]:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False, f"expected a number{' in ' + unit if unit else ''}, got {value!r}"
        if abs(value - expected) <= rel * abs(expected):
            return True, ""
        for factor, message in (diagnoses or {}).items():
            if expected and abs(value - expected * factor) <= rel * abs(expected * factor):
                return False, f"{value:g} is off by a factor of {factor:g}: {message}"
        return False, f"{value:g}{' ' + unit if unit else ''} is not right; check each factor and the unit"

    return judge


def equals(expected: Any, normalise: Callable[[Any], Any] = lambda v: v, hint: str = "") -> Judge:
    def judge(value: Any) -> tuple[bool, str]:
        try:
            ok = normalise(value) == normalise(expected)
        except Exception:
            ok = False
        return ok, "" if ok else (hint or f"{value!r} is not right")

    return judge


def as_set(value: Any) -> frozenset:
    if isinstance(value, str):
        value = [value]
    return frozenset(str(v).strip().lower() for v in value)


# Timestamps and days as learners write them: '2025-12-03 23:59:59', '2025-12-03T23:59:59',
# "TIMESTAMP '2025-12-03 23:59:59'", '2025/12/03', or a bare date.

_TS_PREFIX = re.compile(r"^\s*(date|timestamp|datetime)\s*", re.I)


def _timestamp_text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return _TS_PREFIX.sub("", value).strip().strip("'\"").strip().replace("/", "-")


def parse_timestamp(value: Any) -> datetime | None:
    """The timestamp a learner wrote (a bare date is its midnight); None if unreadable or if it
    carries a time zone (that would shift the day: not this table's convention)."""
    text = _timestamp_text(value)
    if text is None:
        return None
    try:
        ts = datetime.fromisoformat(text)
    except ValueError:
        return None
    return ts if ts.tzinfo is None else None


def parse_as_of_day(value: Any) -> datetime | None:
    """An as-of day: a bare date names the day, which the course represents by its 23:59:59."""
    ts = parse_timestamp(value)
    if ts is not None and len(_timestamp_text(value) or "") <= 10:
        return semantics.day_end(ts.date())
    return ts


def day_text(ts: datetime | None) -> str:
    return "NULL" if ts is None else ts.strftime("%Y-%m-%d %H:%M:%S")


def days_text(days) -> str:
    days = sorted(days)
    return ", ".join(d.strftime("%m-%d") for d in days) if days else "none"


def day_judge(expected: datetime, wrong: dict[datetime, str] | None = None) -> Judge:
    """A judge for one as-of day; `wrong` names the mistake behind a known wrong day."""

    def judge(value: Any) -> tuple[bool, str]:
        ts = parse_as_of_day(value)
        if ts is None:
            return False, f"write the day as a string like '{day_text(expected)}', got {value!r}"
        if ts == expected:
            return True, ""
        if ts.date() == expected.date():
            return False, f"{day_text(ts)}: right day, but the course represents a day by its 23:59:59"
        return False, (wrong or {}).get(ts, f"{day_text(ts)} is not the as-of day asked for")

    return judge


def days_judge(expected: list[datetime], hint: str = "") -> Judge:
    """A judge for a set of as-of days, in any order."""

    def judge(value: Any) -> tuple[bool, str]:
        items = value if isinstance(value, (list, tuple)) else [value]
        days = [parse_as_of_day(v) for v in items]
        if any(d is None for d in days):
            return False, "write each day as a string like '2025-12-01'"
        if {d.date() for d in days} == {d.date() for d in expected}:
            return True, ""
        return False, hint or f"{days_text(days)} is not the set of days asked for"

    return judge
