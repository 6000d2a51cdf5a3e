"""Hidden scenarios for Exercise 8: each isolates one trap of an incremental job."""

from datetime import datetime as dt

from ...course import load_seed
from ...harness import CleanRunsCheck, Scenario
from ... import semantics

SEED = load_seed()
DAY2, DAY3 = dt(2025, 12, 2, 23, 59, 59), dt(2025, 12, 3, 23, 59, 59)

# An event for 12-02 that arrived after the 12-02 run: the stored 12-02 rows (computed without it)
# are what training has already seen. A job that recomputes the watermark's own day rewrites them.
LATE_EVENT = (31, 101, 201, dt(2025, 12, 2, 16, 0), "click")
LATE = Scenario("day 2025-12-02 already written; a late event for it arrived since", SEED
    .with_rows("feature_table", semantics.feature_rows(SEED.rows("events"), [DAY2]))
    .with_rows("events", SEED.rows("events") + [LATE_EVENT]))

# The next day's rows already exist with stale values, as an earlier attempt that wrote the day
# and died before moving the watermark leaves them. The job must replace them, not fail or keep them.
STALE = [(u, i, t, 0, 0, 1, 0.0) for (u, i, t, *_rest) in semantics.feature_rows(SEED.rows("events"), [DAY3])]
REWRITE = Scenario("rows for the next day already there, stale", SEED.with_rows("feature_table", STALE))

CHECKS = [
    CleanRunsCheck(
        name="finished_days_left_alone", answer="ex08", points=1, scenario=LATE, runs=2, aspect="untouched",
        fail="The job rewrote a day at or before the watermark. An incremental run computes watermark + 1 day "
             "only: finished days are what training already used, and recomputing them (here after a late "
             "event) silently changes history",
    ),
    CleanRunsCheck(
        name="write_is_idempotent", answer="ex08", points=2, scenario=REWRITE, runs=1, aspect="table",
        fail="The day being written already had rows (left by an attempt that died before moving the "
             "watermark). An idempotent write replaces them: MERGE / INSERT OR REPLACE, or DELETE the day's "
             "partition then INSERT. A plain INSERT fails on the key; ON CONFLICT DO NOTHING keeps stale values",
    ),
]
