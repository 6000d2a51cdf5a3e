"""Hidden control tables for Exercise 4's ex04b: each isolates one mistake in reading the watermark."""

from datetime import datetime as dt, timedelta

from grader.engine.checks import Fixture
from grader.domain.tables import JOB_KEY
from grader.course.exercises.ex04 import control, step_check

OTHERS = Fixture("other jobs in the control table, with later and earlier watermarks", control(
    ("item_embeddings_weekly", dt(2025, 12, 7, 23, 59, 59), dt(2025, 12, 8, 5)),
    (JOB_KEY, dt(2025, 12, 5, 23, 59, 59), dt(2025, 12, 6, 6)),
    ("user_item_features_daily_v2", dt(2025, 12, 9, 23, 59, 59), dt(2025, 12, 10, 6)),
    ("user_features_hourly", dt(2025, 11, 1, 23, 59, 59), dt(2025, 11, 2, 6)),
))

MONTH_END = Fixture("a watermark on the last day of a month", control(
    (JOB_KEY, dt(2026, 2, 28, 23, 59, 59), dt(2026, 3, 1, 6)),
))

YEAR_END = Fixture("a watermark on the last day of the year", control(
    (JOB_KEY, dt(2025, 12, 31, 23, 59, 59), dt(2026, 1, 1, 6)),
))

RUN_TIME = Fixture("a job that last ran long after its as-of day", control(
    (JOB_KEY, dt(2026, 3, 10, 23, 59, 59), dt(2026, 3, 14, 17, 45)),  # a catch-up run four days later
))

# Each check compares the answer's step from this job's watermark with its step on an ordinary
# night (only this job's row, another watermark): a step wrong everywhere is the sample check's.
CHECKS = [
    step_check("filters_job_key", OTHERS, 2, shift=timedelta(days=-3), fail=(
        "Other jobs' rows leak in: read the watermark of job_key = 'user_item_features_daily' only (one row), "
        "not max() over the whole control table")),
    step_check("month_boundary", MONTH_END, 1, shift=timedelta(days=-14), fail=(
        "After the last day of a month the next as-of is the 1st of the next month: use timestamp arithmetic "
        "(last_as_of_ts + INTERVAL 1 DAY), not day-number or string arithmetic")),
    step_check("year_boundary", YEAR_END, 1, shift=timedelta(days=-14), fail=(
        "After 2025-12-31 the next as-of is 2026-01-01 23:59:59: use timestamp arithmetic, not day-number "
        "or string arithmetic")),
    step_check("reads_watermark_not_run_time", RUN_TIME, 1, shift=timedelta(days=-3), fail=(
        "The next as-of day follows last_as_of_ts (which day was computed), not last_run_ts (when the job "
        "ran), and not today's date; nor may it be written into the query")),
]


# What earns a written answer's points, for the person scoring (`grader manual export`).
# Kept here, out of the student bundle: a rubric says the answer.
RUBRICS = {
    "why_next_as_of": "1: the next run computes the day after the watermark (last_as_of_ts + 1 day), in the 23:59:59 convention. 0: uses the run time or today's date.",
}
