"""Exercise 4: the watermark. The next as-of timestamp of an incremental run, as a value and as
SQL that reads it from feature_job_control."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from grader.engine import compare
from grader.engine.checks import Fixture, ManualCheck, result_checks, ResultCheck, ValueCheck, Verdict
from grader.engine.checks.base import _sql
from grader.engine.judges import Unreadable, day_form, day_text, parse_as_of_day, parse_timestamp
from grader.domain.tables import JOB_KEY, Dataset, load_seed
from grader.engine.exercise import Answer, Exercise
from grader.domain import semantics

SAMPLE_WATERMARK = datetime(2025, 12, 2, 23, 59, 59)
COLUMNS = ["next_as_of_ts"]

def judge_next(value) -> tuple[bool, str]:
    """The next as-of, read as every as-of day is (judges.parse_as_of_day): a bare day is that
    day's 23:59:59, a timestamp is read as written."""
    ts = parse_as_of_day(value)
    if ts is None:
        raise Unreadable(day_form(value))
    want = semantics.next_as_of(SAMPLE_WATERMARK)
    if ts == want:
        return True, ""
    if ts == SAMPLE_WATERMARK:
        return False, "That is the watermark itself: it is already written; the next run computes the day after it"
    if ts.date() == want.date():
        # a time after 23:59:59 (23:59:59.999999, "the day's very end") ends the window late, not early
        at = f"{ts:%H:%M:%S.%f}".rstrip("0").rstrip(".")
        gap = want - ts if ts < want else ts - want
        return False, (
            f"Right day, wrong time: the course represents a day by its 23:59:59, so the next as-of is "
            f"{want:%Y-%m-%d %H:%M:%S}; at {at} the 7-day window would end "
            f"{_duration(gap)} {'early' if ts < want else 'late'}"
        )
    if ts.date() == want.date() + semantics.DAY and ts.time() == time(0):
        return False, (f"{ts:%Y-%m-%d %H:%M:%S} is the midnight that starts the day after; the course names the "
                       f"as-of day {want:%Y-%m-%d} by its 23:59:59")
    if ts > want:
        return False, "That skips a day: an incremental run computes only the one as-of day right after the watermark"
    return False, "Not the next as-of: an incremental run computes last_as_of_ts + 1 day"


def _duration(delta: timedelta) -> str:
    """0:00:59 for whole seconds; 0.999999 second(s) for less than one."""
    if delta < timedelta(seconds=1):
        return f"{delta.total_seconds():.6f}".rstrip("0") + " second(s)"
    return str(delta)


def next_as_of(dataset: Dataset, variables: dict) -> list[tuple]:
    """The oracle: the daily job's watermark + 1 day (other jobs' rows are not its business)."""
    return [(semantics.next_as_of(ts),) for key, ts, _ in dataset.rows("feature_job_control") if key == JOB_KEY]


def control(*rows: tuple) -> Dataset:
    return Dataset({"feature_job_control": list(rows)})


next_check = result_checks("ex04b", next_as_of, COLUMNS, shrink=False)  # every ResultCheck of ex04b


def watermark_of(dataset: Dataset) -> datetime | None:
    return next((ts for key, ts, _ in dataset.rows("feature_job_control") if key == JOB_KEY), None)


def plain_control(shift: timedelta):
    """The control a hidden ex04b check compares with: the control table holding only this job's
    row, its watermark moved by `shift` (mid-month, far from a year's end) and last run 6 hours
    after it, as on an ordinary night."""

    def ordinary(fixture: Fixture) -> Fixture:
        w = watermark_of(fixture.dataset) + shift
        return Fixture("a control table holding only this job's row, an ordinary night",
                       control((JOB_KEY, w, w + timedelta(hours=6))))

    return ordinary


# Less than this between the answer's results on two control tables whose watermarks are days apart:
# the answer does not follow the watermark (now() moves by the time between the two runs).
STILL = timedelta(hours=1)


@dataclass
class StepCheck(ResultCheck):
    """One trap of reading the watermark, judged against the answer itself: the step from this
    job's watermark to the answer's next_as_of_ts on the fixture must be the step it takes on
    `control(fixture)` (only this job's row, another ordinary watermark). An answer whose step is
    wrong everywhere (+23 hours, a day's midnight) loses reads_control_on_sample only; one that
    trips on the trap (another job's row, a month's end, the run time, a written-in day) loses
    this check. On the control it must return one timestamp (a DATE, a TIMESTAMP WITH TIME ZONE or
    text that reads as one is the sample check's wrong type and still has a step), or nothing is
    judged."""

    def evaluate(self, answer, limits) -> Verdict:
        sql = _sql(answer, self.answer)
        plain = self.control(self.fixture)
        base, problem = self._one(sql, plain, limits)
        if problem:
            return Verdict("fail", f"Could not be judged: on {plain.name} ({day_text(watermark_of(plain.dataset))}) your "
                                   f"query {problem}; reads_control_on_sample says what it should return.")
        got, problem = self._one(sql, self.fixture, limits)
        if problem:
            return Verdict("fail", f"On {self.fixture.name} your query {problem}. {self.fail}")
        w, w0 = watermark_of(self.fixture.dataset), watermark_of(plain.dataset)
        if got - w == base - w0:
            return Verdict("pass", self.passed)
        if abs(got - base) < STILL:
            # the watermarks are days apart and the answer barely moved: it reads no watermark at all
            # (a day written into the query, the clock), so this check's trap is not what it tripped on
            return Verdict("fail", (
                f"On {self.fixture.name} (watermark {day_text(w)}) and on {plain.name} (watermark {day_text(w0)}) "
                f"your query returns {day_text(got)}: the same next_as_of_ts whatever the watermark. Compute it "
                "from this job's last_as_of_ts (+ INTERVAL 1 DAY), not from a day written into the query or the clock"))
        return Verdict("fail", (
            f"On {self.fixture.name} your query returns {day_text(got)}, its watermark {day_text(w)} + {_step(got - w)}; "
            f"on {plain.name} it returns {day_text(base)}, the watermark {day_text(w0)} + {_step(base - w0)}. {self.fail}"))

    def _one(self, sql: str, fixture: Fixture, limits) -> tuple[datetime | None, str]:
        result = self._result(sql, fixture, limits)
        rows, missing = compare.project(result.columns, result.rows, self.columns)
        if missing:
            return None, f"returns no column {', '.join(missing)}"
        if len(rows) != 1:
            return None, f"returns {len(rows)} rows, not one"
        value = compare._norm(rows[0][0])
        if isinstance(value, str) and parse_timestamp(value) is not None:
            # a timestamp as text ('2025-12-03 23:59:59'): a wrong type everywhere, the sample check's
            # concern, as a DATE's is; the step it takes from the watermark is still judged here
            value = parse_timestamp(value)
        if isinstance(value, datetime) and value.tzinfo is not None:
            # a TIMESTAMP WITH TIME ZONE (now(), a cast): its wall time as the session shows it,
            # beside the watermark's (the type itself is the sample check's concern)
            value = value.replace(tzinfo=None)
        if not isinstance(value, datetime):
            return None, f"returns {compare.kind(value) or 'NULL'}, not a TIMESTAMP"
        return value, ""


def _step(delta: timedelta) -> str:
    sign = "-" if delta < timedelta(0) else ""
    delta = abs(delta)
    return f"{sign}{delta.days} day(s) {delta.seconds // 3600:02d}:{delta.seconds // 60 % 60:02d}:{delta.seconds % 60:02d}"


def step_check(name: str, fixture: Fixture, points: float, fail: str, shift: timedelta, passed: str = "") -> StepCheck:
    return StepCheck(name=name, answer="ex04b", points=points, fail=fail, passed=passed, fixture=fixture,
                     expected=next_as_of, columns=COLUMNS, shrink=False, control=plain_control(shift),
                     control_note="with only this job's row, on an ordinary night")


EXERCISE = Exercise(
    id="ex04",
    title="The watermark",
    teaches="an incremental run computes last_as_of_ts + 1 day, read from the control table",
    answers=[
        Answer("ex04", "structured", "dict: next_as_of_ts ('YYYY-MM-DD HH:MM:SS'), why (sentence)"),
        Answer("ex04b", "sql", "query: next_as_of_ts (one row) from feature_job_control for 'user_item_features_daily'"),
    ],
    checks=[
        ValueCheck(
            name="next_as_of_is_watermark_plus_one_day", answer="ex04", points=1, key="next_as_of_ts",
            judge=judge_next, fail="Not the next as-of timestamp",
            passed="2025-12-03 23:59:59: the day after the watermark, in the course's 23:59:59 convention.",
        ),
        ManualCheck(name="why_next_as_of", answer="ex04", points=1, key="why", fail=""),
        next_check(
            "reads_control_on_sample", Fixture("sample control table", control(*load_seed().rows("feature_job_control"))), 2,
            "On the sample control table your query does not return the one next as-of timestamp (as a TIMESTAMP)",
            "Your query returns the next as-of timestamp of the sample control table.",
        ),
    ],
)
