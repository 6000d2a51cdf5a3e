"""Exercise 4: the watermark. The next as-of timestamp of an incremental run, as a value and as
SQL that reads it from feature_job_control."""

from datetime import datetime, time

from grader.engine.checks import Fixture, ManualCheck, result_checks, ResultCheck, ValueCheck
from grader.engine.judges import Unreadable, day_form, parse_as_of_day, parse_timestamp  # noqa: F401 (parse_timestamp: tests)
from grader.course.tables import JOB_KEY, Dataset, load_seed
from grader.engine.exercise import Answer, Exercise
from grader.course import semantics

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
        return False, (
            f"Right day, wrong time: the course represents a day by its 23:59:59, so the next as-of is "
            f"{want:%Y-%m-%d %H:%M:%S}; at {ts:%H:%M:%S} the 7-day window would end {want - ts} early"
        )
    if ts.date() == want.date() + semantics.DAY and ts.time() == time(0):
        return False, (f"{ts:%Y-%m-%d %H:%M:%S} is the midnight that starts the day after; the course names the "
                       f"as-of day {want:%Y-%m-%d} by its 23:59:59")
    if ts > want:
        return False, "That skips a day: an incremental run computes only the one as-of day right after the watermark"
    return False, "Not the next as-of: an incremental run computes last_as_of_ts + 1 day"


def next_as_of(dataset: Dataset, variables: dict) -> list[tuple]:
    """The oracle: the daily job's watermark + 1 day (other jobs' rows are not its business)."""
    return [(semantics.next_as_of(ts),) for key, ts, _ in dataset.rows("feature_job_control") if key == JOB_KEY]


def control(*rows: tuple) -> Dataset:
    return Dataset({"feature_job_control": list(rows)})


next_check = result_checks("ex04b", next_as_of, COLUMNS, shrink=False)  # every ResultCheck of ex04b


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
