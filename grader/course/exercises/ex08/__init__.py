"""Exercise 8: the incremental feature job, graded by running it with faults injected.

The answer `ex08` is a job script: it reads its watermark from feature_job_control, computes
the day after it (course convention: a day is its 23:59:59), writes that day idempotently and
only then advances the control row. The checks run it on a database file: twice in a row, and
crashed after every statement boundary then rerun until caught up (grader/course/harness/).
Checks about crashes and the control row judge only a job whose clean runs write rows."""

from datetime import datetime

from grader.domain import semantics
from grader.engine.checks import ManualCheck
from grader.domain.tables import JOB_KEY, load_seed
from grader.engine.exercise import Answer, Exercise
from grader.course.harness import (KEEPS_KEY_FAIL, CleanRunsCheck, CrashCheck, KeepsKeyCheck, Scenario,
                                   WatermarkSourceCheck, crash_table)

CLEAN = Scenario("the workbook's sample tables (watermark 2025-12-02 23:59:59)", load_seed())
DAY2, DAY3, DAY6 = (datetime(2025, 12, d, 23, 59, 59) for d in (2, 3, 6))
# What a job meets in production: its own last day written, a stale row of the next day left by an
# attempt that died before moving the watermark (a plain INSERT fails on it, ON CONFLICT DO NOTHING
# keeps it), and a later day a backfill wrote ahead (max(as_of_ts) jumps to it; DELETE >= wipes it).
# 2025-12-02 was written before event 42 (a second click of 102 on 201) arrived: a job that
# recomputes finished days changes what training already used.
STALE_DAY3 = (101, 201, DAY3, 1, 2, 3, 1 / 3)
ARRIVED_LATE = 42
HISTORY = (semantics.feature_rows([e for e in load_seed().rows("events") if e[0] != ARRIVED_LATE], [DAY2]) + [STALE_DAY3]
           + semantics.feature_rows(load_seed().rows("events"), [DAY6]))
# feature_job_control holds one row per job: other jobs' rows, one watermark after this job's
# (max() or LIMIT 1 over the table reads it) and one before, show a job that reads or moves
# rows other than its own.
CONTROL_ROWS = [("item_features_daily", datetime(2025, 12, 9, 23, 59, 59), datetime(2025, 12, 10, 6)),
                (JOB_KEY, DAY2, datetime(2025, 12, 3, 6)),
                ("user_features_hourly", datetime(2025, 11, 20, 23, 59, 59), datetime(2025, 11, 21, 6))]
SEED = Scenario("the workbook's sample tables (watermark 2025-12-02 23:59:59); feature_table holds 2025-12-02 "
                "(written before event 42 arrived), "
                "a stale 2025-12-03 row from an attempt that died before moving the watermark, and 2025-12-06 "
                "written ahead by a backfill; feature_job_control also holds two other jobs' rows (watermarks "
                "2025-12-09 and 2025-11-20)",
                load_seed().with_rows("feature_table", HISTORY).with_rows("feature_job_control", CONTROL_ROWS))

# The sample four weeks later: the watermark on the last day of a month and of a year (2025-12-31), so the
# next day is 2026-01-01. Every timestamp moves alike (events, users, items, the control row), so a job
# reading its watermark writes exactly what it writes on the sample, one month later; a next day made of
# day numbers or strings (day(last_as_of_ts) + 1: 2025-12-32) is right on every sample day and breaks here.
YEAR_END_SHIFT = datetime(2025, 12, 31, 23, 59, 59) - DAY2


def _moved(rows: list[tuple]) -> list[tuple]:
    return [tuple(v + YEAR_END_SHIFT if isinstance(v, datetime) else v for v in r) for r in rows]


YEAR_END = Scenario("the workbook's sample tables four weeks later (watermark 2025-12-31 23:59:59, the last day "
                    "of a month and of a year)",
                    load_seed().with_rows("events", _moved(load_seed().rows("events")))
                    .with_rows("users", _moved(load_seed().rows("users")))
                    .with_rows("items", _moved(load_seed().rows("items")))
                    .with_rows("feature_job_control", _moved(load_seed().rows("feature_job_control"))))


# A job that re-creates feature_table to overwrite its day writes the right rows and drops the key.
def crashes(name_or_sql: str = "ex08", scenario: Scenario = CLEAN):
    """In the notebook: your job crashed after each statement, then rerun; one row per crash."""
    return crash_table(name_or_sql, scenario)


EXERCISE = Exercise(
    id="ex08",
    title="Incremental feature job",
    teaches="watermark + 1 day, an idempotent write, and the control row advanced only after it",
    answers=[Answer("ex08", "sql", "job script: read the watermark, write the next day, then advance the control row"),
             Answer("ex08b", "structured", "sentences: why the control row is updated only after the write succeeded")],
    checks=[
        CleanRunsCheck(
            name="next_days_match_reference", answer="ex08", points=2, scenario=SEED, runs=2, aspect="table",
            whole_table=True,
            fail="Two scheduled runs should write exactly the next two days (watermark + 1 day, then + 2 days) with "
                 "the course's features (a row for each (user, item) pair with an event in the day's window, each "
                 "count in its own column), replacing the stale 2025-12-03 row, and leave every other day as it was: "
                 "2025-12-02 is finished (written before event 42 arrived), 2025-12-06 is a backfill's",
            passed="Two runs wrote 2025-12-03 and 2025-12-04 exactly as the course defines them.",
        ),
        CleanRunsCheck(
            name="watermark_advances_to_day_written", answer="ex08", points=1, scenario=SEED, runs=2, aspect="control",
            gate=CLEAN, others_untouched=True,
            fail="The control row must end on the last as-of day written (last_as_of_ts = that day's 23:59:59, "
                 "not now()) and record the time of the run in last_run_ts (now(), not a day of the data); the next "
                 "run computes the day after last_as_of_ts. Only this job's row (job_key = "
                 "'user_item_features_daily') moves: other jobs' rows stay as they were",
            passed="After two runs last_as_of_ts is 2025-12-04 23:59:59, last_run_ts is the time of the run, and the "
                   "other jobs' rows are as they were.",
        ),
        # the same step from the watermark at a month's and a year's end as on the sample (a job is judged
        # against itself: a wrong day, window or control update costs the checks above, not this one)
        WatermarkSourceCheck(
            name="next_day_across_year_end", answer="ex08", points=1, empty_day=YEAR_END, backfilled=YEAR_END,
            sample=CLEAN, runs=2,
            fail="Each run writes the day after its watermark, on any date: after the last day of a month the next "
                 "as-of day is the 1st of the next month (after 2025-12-31, 2026-01-01 23:59:59). Compute it from "
                 "last_as_of_ts with timestamp arithmetic (+ INTERVAL 1 DAY), not from day numbers or strings "
                 "(day(last_as_of_ts) + 1 makes 2025-12-32)",
            passed="From a watermark on 2025-12-31 the runs wrote 2026-01-01 and 2026-01-02, as they write the days "
                   "after their watermark on the sample.",
        ),
        CrashCheck(
            name="crash_rerun_recovers", answer="ex08", points=2, scenario=CLEAN, aspect="recovers",
            skip_ahead=True,
            fail="After a crash the scheduler simply runs the job again, and the reruns must end with every "
                 "day written exactly once: no duplicate key, no gap, no job stuck on its own leftovers",
        ),
        CrashCheck(
            name="control_updated_after_write", answer="ex08", points=2, scenario=CLEAN, aspect="control_after_write",
            fail="Control updated before write",
        ),
        KeepsKeyCheck(
            name="feature_table_keeps_its_key", answer="ex08", points=1, scenario=CLEAN, fail=KEEPS_KEY_FAIL,
            passed="After a run feature_table still has PRIMARY KEY (user_id, item_id, as_of_ts).",
        ),
        # The course's question, asked in the notebook before the text explains it.
        ManualCheck(name="why_control_after_success", answer="ex08b", points=1, min_words=15, fail=""),
    ],
)
