"""Exercise 6: point-in-time 7-day user-item counts for two as-of timestamps."""

from datetime import datetime

from grader.engine.checks import Fixture, result_checks, ResultCheck
from grader.domain.tables import load_seed
from grader.engine.exercise import Answer, Exercise
from grader.domain import semantics

AS_OF = [datetime(2025, 12, 2, 23, 59, 59), datetime(2025, 12, 3, 23, 59, 59)]
COLUMNS = ["user_id", "item_id", "as_of_ts", "clicks_7d", "views_7d", "impressions_7d"]
KEY = ["user_id", "item_id", "as_of_ts"]


def expected(dataset, variables):
    """The course's features at both as-of timestamps, without ctr."""
    return [r[:6] for r in semantics.feature_rows(dataset.rows("events"), AS_OF)]


counts_check = result_checks("ex06", expected, COLUMNS, key=KEY)  # every ResultCheck of ex06


EXERCISE = Exercise(
    id="ex06",
    title="Point-in-time user-item features",
    teaches="7-day windows that end at the as-of time, retries deduplicated, the observed grid",
    answers=[Answer("ex06", "sql", "query: clicks_7d, views_7d, impressions_7d per (user_id, item_id, as_of_ts)")],
    checks=[
        counts_check(
            "matches_reference_on_sample",
            Fixture("sample", load_seed()),
            2,
            "On the workbook's sample tables your counts differ from the course's definition",
            "Your counts match the course's definition on the sample tables.",
        ),
    ],
)
