"""Exercise 11: the observed grid for one as-of time, read from getvariable('as_of_ts').

The answer is a query returning the distinct (user_id, item_id) pairs with at least one event
in as_of_ts - 7 days < event_ts <= as_of_ts. Extra columns (e.g. as_of_ts) are allowed and
ignored; the pairs are compared as keys, so a pair returned twice is a failure."""

from __future__ import annotations

from datetime import datetime

from grader.engine.checks import Fixture, moved_to, result_checks, ResultCheck
from grader.domain.tables import load_seed
from grader.engine.exercise import Answer, Exercise
from grader.domain import semantics

MOVED_AS_OF = datetime(2026, 2, 11, 11, 59, 59)  # the sample moved: a noon-ish time, weeks later
SAMPLE_AS_OF = datetime(2025, 12, 2, 23, 59, 59)
COLUMNS = ["user_id", "item_id"]


def expected(dataset, variables):
    return semantics.grid(dataset.rows("events"), variables["as_of_ts"])


grid_check = result_checks("ex11", expected, COLUMNS, key=COLUMNS)  # every ResultCheck of ex11


EXERCISE = Exercise(
    id="ex11",
    title="Join size: the observed grid",
    teaches="a grid of observed (user, item) pairs instead of users x items; parameters via getvariable",
    answers=[Answer("ex11", "sql", "query: distinct (user_id, item_id) with an event in the 7 days up to getvariable('as_of_ts')")],
    checks=[
        grid_check(
            "matches_reference_on_sample",
            Fixture("sample", load_seed(), {"as_of_ts": SAMPLE_AS_OF}),
            2,
            "On the workbook's sample tables (as_of_ts = 2025-12-02 23:59:59) your pairs differ from the "
            "observed grid: the distinct pairs with an event in as_of_ts - 7 days < event_ts <= as_of_ts",
            "Your grid matches on the sample tables.",
        ),
        # Worth nothing by itself (the hidden checks score reading the variable): a warning before
        # hand-in that a timestamp written into the query does not move with getvariable('as_of_ts').
        grid_check(
            "reads_as_of_on_sample",
            moved_to(MOVED_AS_OF)(Fixture("the sample moved to as_of_ts = 2026-02-11 11:59:59", load_seed(), {"as_of_ts": SAMPLE_AS_OF})),
            0,
            "With the sample moved in time to as_of_ts = 2026-02-11 11:59:59 (every timestamp shifted alike) "
            "your grid should move with it: read the as-of time with getvariable('as_of_ts') and use it as "
            "given (no timestamp written into the query, no now(), no rounding to a day)",
            "Your grid move with getvariable('as_of_ts') on the sample moved in time.",
            control=moved_to(SAMPLE_AS_OF), control_note="on the sample at its own as-of time", own_rows=True,
        ),
    ],
)
