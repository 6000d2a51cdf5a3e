"""Hidden scenarios for Exercise 8: each isolates one trap of an incremental job.

Values (window edges, retries, event types) are judged on the day(s) the job's run wrote, so a
job that writes the wrong day is told so once (next_days_match_reference, finished_days_left_alone)
and not again here; robustness checks judge only a job whose clean runs on the sample write rows."""

from datetime import datetime as dt

from grader.domain.tables import JOB_KEY, load_seed
from grader.course.harness import CleanRunsCheck, OwnControlRowCheck, Scenario, WatermarkSourceCheck, job_dataset
from grader.domain import semantics
from grader.course.exercises.ex08 import CLEAN as SAMPLE
from grader.course.exercises.job_values import VALUE_MISTAKES
from grader.domain.fixtures import retried_events

SEED = load_seed()
EVENTS = SEED.rows("events")
DAY2, DAY3 = dt(2025, 12, 2, 23, 59, 59), dt(2025, 12, 3, 23, 59, 59)
HALF = semantics.DAY / (24 * 3600 * 2)  # half a second

# An event for 12-02 that arrived after the 12-02 run: the stored 12-02 rows (computed without it)
# are what training has already seen. A job that recomputes the watermark's own day rewrites them.
# Days 12-06 and 12-07 were written ahead by a backfill: a run writes its one day, not those.
LATE_EVENT = (43, 101, 201, dt(2025, 12, 2, 16, 0), "click")
AHEAD = [dt(2025, 12, 6, 23, 59, 59), dt(2025, 12, 7, 23, 59, 59)]
LATE = Scenario(
    "day 2025-12-02 written, a late event for it arrived since; 12-06 and 12-07 written ahead by a backfill",
    SEED.with_rows("feature_table", semantics.feature_rows(EVENTS, [DAY2] + AHEAD))
    .with_rows("events", EVENTS + [LATE_EVENT]))

# The next day's rows already exist with stale values, as an earlier attempt that wrote the day
# and died before moving the watermark leaves them. The job must replace them, not fail or keep them.
# Only pairs with an event well inside the window: a job whose window edges are off writes the
# same keys, so this fixture judges the write alone (window_edges judges the edges).
INSIDE = [e for e in EVENTS if DAY3 - semantics.WINDOW + semantics.DAY / 24 < e[semantics.EVENT_TS] < DAY3 - semantics.DAY / 24]
STALE = [(u, i, t, 0, 0, 1, 0.0) for (u, i, t, *_rest) in semantics.feature_rows(INSIDE, [DAY3])]
REWRITE = Scenario("rows for the next day already there, stale", SEED.with_rows("feature_table", STALE))

# One run from watermark 12-02 writes T = 12-03 23:59:59. Only this fixture holds edge events.
T = DAY3
EDGES = Scenario("events exactly on the window's edges (the run writes 2025-12-03 23:59:59)", job_dataset([
    (1, 1, 10, T, "click"),                                  # exactly at T: counts
    (2, 1, 11, T - semantics.WINDOW, "view"),                # exactly T - 7 days: out
    (3, 1, 12, T - semantics.WINDOW + HALF, "view"),         # half a second later: in (a whole-day window drops it)
    (4, 2, 10, T + HALF, "click"),                           # half a second after T: out (a whole-day window keeps it)
    (5, 2, 11, dt(2025, 11, 27, 0, 0, 0), "view"),           # the first midnight inside the window
    (6, 3, 10, dt(2025, 12, 1, 12), "view"),
], DAY2))

RETRIES = Scenario("retried events (same event_id, exact copies)", job_dataset(
    retried_events(dt(2025, 12, 1, 9), dt(2025, 12, 2, 9), burst=dt(2025, 12, 3, 10)), DAY2))

EVENT_TYPES = Scenario("event types other than click and view", job_dataset([
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (2, 1, 10, dt(2025, 12, 1, 9, 5), "purchase"),
    (3, 1, 10, dt(2025, 12, 2, 9), "add_to_cart"),
    (4, 2, 11, dt(2025, 12, 3, 9), "purchase"),    # a pair with no click or view at all
    (5, 2, 10, dt(2025, 12, 3, 11), "view"),
], DAY2))

# Watermark 12-10: the next day's window (12-04 23:59:59, 12-11 23:59:59] holds no event, so no
# row records that 12-11 was done; 12-12 has events. max(as_of_ts) in feature_table sticks on 12-10.
QUIET_EVENTS = [
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (2, 1, 10, dt(2025, 12, 4, 9), "view"),
    (3, 2, 11, dt(2025, 12, 3, 12), "view"),
    (4, 2, 11, dt(2025, 12, 12, 8), "click"),
    (5, 3, 10, dt(2025, 12, 12, 9), "view"),
]
WRITTEN = semantics.as_of_range(dt(2025, 12, 5, 23, 59, 59), dt(2025, 12, 10, 23, 59, 59))
QUIET = Scenario("watermark 2025-12-10; the 12-11 window holds no events, 12-12 does", job_dataset(
    QUIET_EVENTS, WRITTEN[-1], semantics.feature_rows(QUIET_EVENTS, WRITTEN)))
# Watermark 12-02 (the workbook's), and a backfill already wrote 12-05..12-07: max(as_of_ts) jumps.
BACKFILLED = Scenario("watermark 2025-12-02; a backfill already wrote 12-05..12-07", SEED.with_rows(
    "feature_table", semantics.feature_rows(EVENTS, semantics.as_of_range(dt(2025, 12, 5, 23, 59, 59),
                                                                          dt(2025, 12, 7, 23, 59, 59)))))

# feature_job_control holds one row per job: here two other jobs' rows, one watermark after this
# job's (max() over the table reads it) and one before (min() reads it), and neither first by key
# order nor last in insertion order is this job's.
OTHER_JOBS = [("item_features_daily", dt(2025, 12, 9, 23, 59, 59), dt(2025, 12, 10, 6)),
              (JOB_KEY, DAY2, dt(2025, 12, 3, 6)),
              ("user_features_hourly", dt(2025, 11, 20, 23, 59, 59), dt(2025, 11, 21, 6))]
CONTROL_ROWS = Scenario("other jobs' rows in feature_job_control (watermarks 2025-12-09 and 2025-11-20; "
                        "this job's 2025-12-02)", SEED.with_rows("feature_job_control", OTHER_JOBS))


def values_check(name: str, scenario: Scenario, points: float, fail: str) -> CleanRunsCheck:
    return CleanRunsCheck(name=name, answer="ex08", points=points, scenario=scenario, runs=1, aspect="values",
                          fail=fail, leaves_type_counts=name != "all_types_in_impressions")


CHECKS = [
    CleanRunsCheck(
        name="finished_days_left_alone", answer="ex08", points=1, scenario=LATE, runs=2, aspect="untouched",
        gate=SAMPLE,
        fail="The job changed a day it does not own. An incremental run writes watermark + 1 day only: finished "
             "days are what training already used (recomputing them, here after a late event, silently changes "
             "history), and days a backfill wrote ahead are that backfill's",
    ),
    CleanRunsCheck(
        name="write_is_idempotent", answer="ex08", points=2, scenario=REWRITE, runs=1, aspect="table",
        relative=True, gate=SAMPLE,
        fail="The day being written already had rows (left by an attempt that died before moving the "
             "watermark). An idempotent write replaces them with what your job writes on an empty table: MERGE / "
             "INSERT OR REPLACE, or DELETE the day's partition then INSERT. A plain INSERT fails on the key; "
             "ON CONFLICT DO NOTHING keeps stale values",
    ),
    values_check("window_edges", EDGES, 1, VALUE_MISTAKES["window_edges"]),
    values_check("retries_deduplicated", RETRIES, 1, VALUE_MISTAKES["retries_deduplicated"]),
    values_check("all_types_in_impressions", EVENT_TYPES, 1, VALUE_MISTAKES["all_types_in_impressions"]),
    WatermarkSourceCheck(
        name="watermark_from_control_not_data", answer="ex08", points=2, empty_day=QUIET, backfilled=BACKFILLED,
        sample=SAMPLE, runs=2,
        # said as the requirement, true of any job that fails it: one that reads the watermark from the data,
        # and one that stops on a quiet day (a LEFT JOIN from the run's day to events makes a NULL key there)
        fail="Each run must write the day after its watermark and move the watermark by one day, whatever the data "
             "holds: a day whose window has no events, later days a backfill already wrote. Take the watermark "
             "from feature_job_control, not from the data (max(as_of_ts) in feature_table sticks on a quiet day "
             "and jumps ahead over backfilled days)",
        passed="Each run wrote the day after its watermark and moved it by one day, with a quiet day and "
               "backfilled later days alike.",
    ),
    OwnControlRowCheck(
        name="reads_its_own_control_row", answer="ex08", points=2, scenario=CONTROL_ROWS, sample=SAMPLE,
        aspect="reads",
        fail="feature_job_control holds one row per job: read the watermark of your job only, "
             "WHERE job_key = 'user_item_features_daily' (max(), min() or LIMIT 1 over the table reads another "
             "job's watermark)",
        passed="With other jobs' rows in the control table, each run read its own row and wrote the day after it.",
    ),
    OwnControlRowCheck(
        name="other_jobs_control_rows_untouched", answer="ex08", points=1, scenario=CONTROL_ROWS, sample=SAMPLE,
        aspect="others",
        # said as the requirement: a job that fails with other jobs' rows in the table (a scalar subquery
        # without WHERE returns three rows) changed none of them, and is told what failed
        fail="Other jobs' rows in feature_job_control must stay as they were: advance your own row only (UPDATE ... "
             "WHERE job_key = 'user_item_features_daily'); an UPDATE without WHERE moves every job's watermark, "
             "and DELETE of the table loses them",
        passed="The other jobs' control rows are exactly as they were.",
    ),
]


# What earns a written answer's points, for the person scoring (`grader manual export`).
# Kept here, out of the student bundle: a rubric says the answer.
RUBRICS = {
    "why_control_after_success": "1: a control row moved before a failed write claims a day with no rows, so the next run skips it (a silent gap); written after, a crash only reruns the day. 0: 'order matters' without the gap.",
}
