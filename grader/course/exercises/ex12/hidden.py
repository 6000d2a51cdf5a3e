"""Hidden scenarios for Exercise 12(b): each isolates one trap of a backfill's write or of its
feature values. Only EDGES holds events on a window's edges; robustness checks judge only a
backfill that writes rows on an empty table."""

import dataclasses
from dataclasses import dataclass
from datetime import datetime as dt

from grader.domain.tables import JOB_KEY, load_seed
from grader.course.harness import Backfill, BackfillCheck, BackfillControlCheck, Scenario, job_dataset
from grader.domain import semantics
from grader.course.exercises.ex12 import MIDDLE, OTHER_DAYS_FAIL, SEED as EMPTY, C, backfill_check
from grader.course.exercises.job_values import VALUE_MISTAKES
from grader.course.type_counts import IMPRESSIONS, left_to_event_types
from grader.domain.fixtures import retried_events

SEED = load_seed()
EVENTS = SEED.rows("events")
DAYS = semantics.as_of_range(dt(2025, 11, 28, 23, 59, 59), dt(2025, 12, 8, 23, 59, 59))
HALF = semantics.DAY / (24 * 3600 * 2)  # half a second

# A table already holding rows for 11-28..12-08, written before two late events arrived (each in the
# windows of the days around the range: recomputed, every one of them would change): a backfill of
# 12-03..12-05 must not touch the rest, neither wipe it nor rewrite it (a range written into the script).
LATE_EVENTS = [(1001, 101, 201, dt(2025, 11, 27, 12), "click"), (1002, 101, 201, dt(2025, 12, 2, 12), "view")]
# The incremental job's watermark is 12-01: a backfill that stretches its range back to the day after
# it rewrites 12-02 as well.
FULL = Scenario("feature_table holds 11-28..12-08, written before two late events arrived; the incremental job's "
                "watermark is 12-01", SEED.with_rows(
    "feature_table", semantics.feature_rows(EVENTS, DAYS)).with_rows("events", EVENTS + LATE_EVENTS)
    .with_rows("feature_job_control", [(JOB_KEY, dt(2025, 12, 1, 23, 59, 59), dt(2025, 12, 2, 6))]))

# Stale rows (an older feature definition) on every day of the backfill's range, its first and
# last day included: the keys the backfill writes, with values no definition gives, and on each day
# a key the recomputation no longer produces (a pair without events in that day's window). A
# backfill replaces each day of its range, so the table must end as the same backfill leaves an
# empty one: a DELETE a day short with INSERT OR IGNORE keeps that day's stale rows; a MERGE keeps
# the keys it no longer produces.
def _unproduced(day) -> tuple[int, int]:
    produced = {(u, i) for u, i, *_r in semantics.feature_rows(EVENTS, [day])}
    users, items = sorted(r[0] for r in SEED.rows("users")), sorted(r[0] for r in SEED.rows("items"))
    return next((u, i) for u in users for i in items if (u, i) not in produced)


STALE = [(u, i, t, 99, 99, 99, 1.0) for (u, i, t, *_r) in semantics.feature_rows(EVENTS, C.days)]
STALE += [(*_unproduced(day), day, 1, 0, 1, 1.0) for day in C.days]
STALE_SCENARIO = Scenario("stale rows on every day of 12-01..12-07, and keys the events no longer produce",
                          SEED.with_rows("feature_table", STALE))

# A two-day backfill [T1, T2]; the edge events sit on T1's and T2's window edges. Only EDGES holds
# events after T1 (a window without an upper bound fails there, not on every fixture).
T1, T2 = dt(2025, 12, 2, 23, 59, 59), dt(2025, 12, 3, 23, 59, 59)
TWO_DAYS = Backfill("E", T1, T2)
EDGES = Scenario("events exactly on the windows' edges, backfill [12-02, 12-03]", job_dataset([
    (1, 1, 10, T1, "click"),                                  # exactly at T1: in T1 and T2
    (2, 1, 11, T1 - semantics.WINDOW, "view"),                # exactly T1 - 7 days: out of both
    (3, 1, 12, T1 - semantics.WINDOW + HALF, "view"),         # half a second later: in T1 only
    (4, 2, 10, T1 + HALF, "click"),                           # half a second after T1: T2 only
    (5, 2, 11, T2 - semantics.WINDOW, "view"),                # exactly T2 - 7 days: in T1, out of T2
    (6, 3, 10, T2 + HALF, "view"),                            # after the range's last day: nowhere
    (7, 3, 11, dt(2025, 12, 1, 12), "view"),
]))

RETRIES = Scenario("retried events (same event_id, exact copies), backfill [12-02, 12-03]", job_dataset(
    retried_events(dt(2025, 12, 1, 9), dt(2025, 12, 2, 9), burst=dt(2025, 12, 2, 12))))

EVENT_TYPES = Scenario("event types other than click and view, backfill [12-02, 12-03]", job_dataset([
    (1, 1, 10, dt(2025, 12, 1, 9), "click"),
    (2, 1, 10, dt(2025, 12, 1, 9, 5), "purchase"),
    (3, 1, 10, dt(2025, 12, 2, 9), "add_to_cart"),
    (4, 2, 11, dt(2025, 12, 2, 10), "purchase"),    # a pair with no click or view at all
    (5, 2, 10, dt(2025, 12, 2, 11), "view"),
]))

# The control table with this job's row (watermark 12-04, inside the backfill's range) and other
# jobs' rows: a backfill of [12-01, 12-07] must leave every one of them as it was.
CONTROL_ROWS = Scenario("feature_job_control holding the incremental job's row (watermark 2025-12-04) and "
                        "other jobs' rows", SEED.with_rows("feature_job_control", [
                            ("item_features_daily", dt(2025, 12, 9, 23, 59, 59), dt(2025, 12, 10, 6)),
                            (JOB_KEY, dt(2025, 12, 4, 23, 59, 59), dt(2025, 12, 5, 6)),
                            ("user_features_hourly", dt(2025, 11, 20, 23, 59, 59), dt(2025, 11, 21, 6))]))


@dataclass
class ValuesCheck(BackfillCheck):
    """A values check (window edges, retries, event types) judges the counts of the rows the
    backfill wrote. A row it wrote with no event in its window (every count 0) is a pair no event
    made: a grid of every user and item, or of pairs seen at any time, LEFT JOINed to the events.
    Its window, deduplication and event types are not what is wrong there, so such rows are left to
    backfill_matches_reference; a window that misses an event still shows as a count of 0 where the
    course counts 1 (a changed row, judged here)."""

    # rows whose only wrong values are counts by event type are the event-type check's (type_counts.py)
    leaves_type_counts: bool = False

    def outcomes(self, statements, limits, stop_at_failure=False):
        out_list = super().outcomes(statements, limits, stop_at_failure=False)
        for out in out_list:
            out.diff = dataclasses.replace(
                out.diff, unexpected=[r for r in out.diff.unexpected if r[IMPRESSIONS] not in (0, None)])
            if self.leaves_type_counts:
                out.diff = left_to_event_types(out.diff)
        if stop_at_failure:
            bad = next((i for i, o in enumerate(out_list) if o.failed or not o.diff.equal), None)
            out_list = out_list if bad is None else out_list[:bad + 1]
        return out_list


def values_check(name: str, scenario: Scenario, points: float, fail: str):
    return ValuesCheck(name=name, answer="ex12b", points=points, fail=fail, scenario=scenario, jobs=[TWO_DAYS],
                       orders=["E"], shrink=True, values_only=True, leaves_type_counts=name != "all_types_in_impressions")


CHECKS = [
    backfill_check(
        "leaves_other_days_alone", 2, OTHER_DAYS_FAIL,
        scenario=FULL, jobs=[MIDDLE], orders=["D"], outside_only=True, gated=True, gate=EMPTY,
    ),
    backfill_check(
        "overwrites_stale_rows", 1,
        "A backfill replaces every day of its range, first and last included: rows already there (from an older "
        "definition) must end as your backfill leaves an empty table, stale values overwritten and keys it no "
        "longer produces removed. ON CONFLICT DO NOTHING / INSERT OR IGNORE keep stale values where the DELETE "
        "does not reach; MERGE or INSERT OR REPLACE alone keep the keys it no longer produces",
        scenario=STALE_SCENARIO, jobs=[C], orders=["C"], relative=True, gated=True,
    ),
    BackfillControlCheck(
        name="backfill_leaves_control_rows_alone", answer="ex12b", points=1, scenario=CONTROL_ROWS, jobs=[C],
        orders=["C"], gated=True, gate=EMPTY,
        fail="A backfill leaves feature_job_control alone: the watermark belongs to the incremental job, and a "
             "backfill that moves it (to its end_ts, or now()) would move it backwards when it repairs an old "
             "range, or skip days the incremental job never wrote",
        passed="The backfill left every control row as it was.",
    ),
    values_check("window_edges", EDGES, 1, VALUE_MISTAKES["window_edges"]),
    values_check("retries_deduplicated", RETRIES, 1, VALUE_MISTAKES["retries_deduplicated"]),
    values_check("all_types_in_impressions", EVENT_TYPES, 1, VALUE_MISTAKES["all_types_in_impressions"]),
]


# What earns a written answer's points, for the person scoring (`grader manual export`).
# Kept here, out of the student bundle: a rubric says the answer.
RUBRICS = {
    "explains_overlap_duplicates": "1: both INSERT the shared days (12-03..12-05), so each key gets a second row. 1: what it breaks (double counts, join fan-out, or a primary-key failure leaving days unwritten). 1: the fix, partition overwrite or MERGE on (user_id, item_id, as_of_ts), so either order and a rerun end the same.",
}
