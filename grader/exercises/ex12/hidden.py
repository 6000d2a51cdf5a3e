"""Hidden scenarios for Exercise 12(b): each isolates one trap of a backfill's write."""

from datetime import datetime as dt

from ...course import load_seed
from ...harness import Backfill, Scenario
from ... import semantics
from . import SEED as EMPTY, C, backfill_check

SEED = load_seed()
EVENTS = SEED.rows("events")
DAYS = semantics.as_of_range(dt(2025, 11, 28, 23, 59, 59), dt(2025, 12, 8, 23, 59, 59))

# A table already holding correct rows for 11-28..12-08: a backfill of 12-03..12-05 must not touch the rest.
FULL = Scenario("feature_table holds 11-28..12-08", SEED.with_rows("feature_table", semantics.feature_rows(EVENTS, DAYS)))
MIDDLE = Backfill("D", dt(2025, 12, 3, 23, 59, 59), dt(2025, 12, 5, 23, 59, 59))

# Stale rows (an older feature definition) for 12-03..12-05 with the same keys: a backfill replaces them.
STALE = [(u, i, t, 0, 0, 1, 0.0) for (u, i, t, *_r) in semantics.feature_rows(EVENTS, MIDDLE.days)]
STALE_SCENARIO = Scenario("stale rows for 12-03..12-05", SEED.with_rows("feature_table", STALE))

CHECKS = [
    backfill_check(
        "leaves_other_days_alone", 2,
        "A backfill of [12-03, 12-05] changed rows outside its range: its DELETE (or overwrite) must be bounded "
        "by start_ts and end_ts on both sides, or it wipes days other jobs wrote",
        scenario=FULL, jobs=[MIDDLE], orders=["D"], outside_only=True,
    ),
    backfill_check(
        "overwrites_stale_rows", 1,
        "Rows already in the range (from an older definition) must be replaced by the backfill: that is what a "
        "backfill is for (the table must end as your backfill leaves an empty one). ON CONFLICT DO NOTHING / "
        "INSERT OR IGNORE keep the stale values",
        scenario=STALE_SCENARIO, jobs=[C], orders=["C"], baseline=EMPTY,
    ),
]
