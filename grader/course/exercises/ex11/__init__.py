"""Exercise 11: the observed grid for one as-of time, read from getvariable('as_of_ts').

The answer is a query returning the distinct (user_id, item_id) pairs with at least one event
in as_of_ts - 7 days < event_ts <= as_of_ts. Extra columns (e.g. as_of_ts) are allowed and
ignored; the pairs are compared as keys, so a pair returned twice is a failure."""

from __future__ import annotations

from datetime import datetime

from grader.engine.checks import Fixture, result_checks, ResultCheck
from grader.course.tables import load_seed
from grader.engine.exercise import Answer, Exercise
from grader.course import semantics

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
    ],
)
