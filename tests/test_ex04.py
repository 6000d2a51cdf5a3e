"""Exercise 4 as a specification: the next as-of value is read tolerant of format and each wrong
value is diagnosed; ex04b fails the check named for its mistake on hidden control tables."""

import pytest

from grader.course.exercises.ex04 import parse_timestamp
from grader.course.exercises.ex04.hidden import CHECKS as HIDDEN
from helpers import failing, full_marks, grade, mutation_tests, sql_cell, statuses

WHY = "'why': 'An incremental run computes only the day after the watermark.'"
RIGHT_SQL = """SELECT last_as_of_ts + INTERVAL 1 DAY AS next_as_of_ts
FROM feature_job_control WHERE job_key = 'user_item_features_daily'"""


def submit(value: str = "'2025-12-03 23:59:59'", sql: str = RIGHT_SQL):
    return grade("ex04", f"ex04 = {{'next_as_of_ts': {value}, {WHY}}}", sql_cell("ex04b", sql))


@pytest.mark.parametrize("value", [
    "'2025-12-03 23:59:59'",
    "'2025-12-03T23:59:59'",
    "\"TIMESTAMP '2025-12-03 23:59:59'\"",
    "'2025-12-03 23:59:59.000'",
    "' 2025/12/03 23:59:59 '",
    "'2025-12-03'",                 # a bare day is the as-of day, read as everywhere: its 23:59:59
    "\"DATE '2025-12-03'\"",
    "'2025/12/3'",
])
def test_next_as_of_in_an_accepted_format_gets_full_marks(value):
    result = submit(value)
    assert full_marks(result), statuses(result)


@pytest.mark.parametrize("value,hint", [
    ("'2025-12-02 23:59:59'", "watermark itself"),
    ("'2025-12-03 00:00:00'", "Right day, wrong time"),
    ("'2025-12-04 00:00:00'", "midnight that starts"),   # the end of 12-03 written as the next midnight
    ("'2025-12-04'", "skips a day"),
    ("'2025-12-04 23:59:59'", "skips a day"),
    ("'2025-12-02 00:00:00'", "last_as_of_ts + 1 day"),
    ("'tomorrow'", "could not read"),
    ("20251203", "could not read"),
])
def test_wrong_next_as_of_fails_with_its_diagnosis(value, hint):
    result = submit(value)
    check = next(c for c in result.checks if c.name == "next_as_of_is_watermark_plus_one_day")
    assert check.status == "fail" and hint in check.message, check.message


def test_parse_timestamp_refuses_time_zones():
    assert parse_timestamp("2025-12-03 23:59:59+01:00") is None


WRONG = {
    "no_job_filter": ("filters_job_key", "SELECT last_as_of_ts + INTERVAL 1 DAY AS next_as_of_ts FROM feature_job_control"),
    "max_over_all_jobs": ("filters_job_key", "SELECT max(last_as_of_ts) + INTERVAL 1 DAY AS next_as_of_ts FROM feature_job_control"),
    "like_prefix_match": ("filters_job_key", """SELECT last_as_of_ts + INTERVAL 1 DAY AS next_as_of_ts
        FROM feature_job_control WHERE job_key LIKE 'user_item_features_daily%'"""),
    "day_number_plus_one": ("month_boundary", """SELECT make_timestamp(year(last_as_of_ts), month(last_as_of_ts),
        day(last_as_of_ts) + 1, 23, 59, 59) AS next_as_of_ts
        FROM feature_job_control WHERE job_key = 'user_item_features_daily'"""),
    "string_edit_of_the_day": ("year_boundary", """SELECT try_strptime(strftime(last_as_of_ts, '%Y-%m-')
        || CAST(day(last_as_of_ts) + 1 AS VARCHAR) || ' 23:59:59', '%Y-%m-%d %H:%M:%S') AS next_as_of_ts
        FROM feature_job_control WHERE job_key = 'user_item_features_daily'"""),
    "run_time_plus_one_day": ("reads_watermark_not_run_time", """SELECT date_trunc('day', last_run_ts) + INTERVAL '23:59:59'
        AS next_as_of_ts FROM feature_job_control WHERE job_key = 'user_item_features_daily'"""),
    "hard_coded": ("reads_watermark_not_run_time", "SELECT TIMESTAMP '2025-12-03 23:59:59' AS next_as_of_ts"),
    "midnight_of_next_day": ("reads_control_on_sample", """SELECT date_trunc('day', last_as_of_ts) + INTERVAL 1 DAY AS next_as_of_ts
        FROM feature_job_control WHERE job_key = 'user_item_features_daily'"""),
    "returns_a_date": ("reads_control_on_sample", """SELECT CAST(last_as_of_ts AS DATE) + 1 AS next_as_of_ts
        FROM feature_job_control WHERE job_key = 'user_item_features_daily'"""),
}

CORRECT = {
    "interval_one_day": RIGHT_SQL,
    "date_add_24_hours": """SELECT date_add(last_as_of_ts, INTERVAL '24 hours') AS NEXT_AS_OF_TS, job_key
        FROM feature_job_control WHERE job_key = 'user_item_features_daily'""",
    "next_date_plus_day_end": """SELECT CAST(CAST(last_as_of_ts AS DATE) + 1 AS TIMESTAMP) + INTERVAL '23:59:59' AS next_as_of_ts
        FROM feature_job_control WHERE job_key = 'user_item_features_daily'""",
    "scalar_subquery": """SELECT (SELECT last_as_of_ts FROM feature_job_control
        WHERE job_key = 'user_item_features_daily') + to_days(1) AS next_as_of_ts""",
}


test_wrong_query_fails_the_check_named_for_its_mistake, test_correct_query_gets_full_marks = mutation_tests(
    submit, WRONG, CORRECT
)


# One wrong step or type everywhere (not a trap of a hidden table): the sample check fails, and the
# hidden checks, which compare the answer's step with its own step on an ordinary night, do not.
ONE_WRONG_STEP = {
    "plus_23_hours": "last_as_of_ts + INTERVAL 23 HOUR",
    "one_second_too_far": "last_as_of_ts + INTERVAL 1 DAY + INTERVAL 1 SECOND",
    "next_midnight": "date_trunc('day', last_as_of_ts) + INTERVAL 1 DAY",
    "two_days": "last_as_of_ts + INTERVAL 2 DAY",
    # the right timestamp as text, in part 1's 'YYYY-MM-DD HH:MM:SS' form: a wrong type, as a DATE is
    "formatted_as_text": "strftime(last_as_of_ts + INTERVAL 1 DAY, '%Y-%m-%d %H:%M:%S')",
    "with_a_time_zone": "CAST(last_as_of_ts AS TIMESTAMPTZ) + INTERVAL 1 DAY",
}


@pytest.mark.parametrize("name", sorted(ONE_WRONG_STEP))
def test_one_wrong_step_fails_only_the_sample_check(name):
    result = submit(sql=f"SELECT {ONE_WRONG_STEP[name]} AS next_as_of_ts FROM feature_job_control "
                        "WHERE job_key = 'user_item_features_daily'")
    assert failing(result) == {"reads_control_on_sample"}, statuses(result)


def test_a_trap_is_told_with_both_steps():
    result = submit(sql=WRONG["max_over_all_jobs"][1])
    check = next(c for c in result.checks if c.name == "filters_job_key")
    assert check.status == "fail" and "+ 1 day(s) 00:00:00" in check.message and "Other jobs' rows" in check.message, \
        check.message


@pytest.mark.parametrize("sql", [
    WRONG["hard_coded"][1],
    # today's day end, from now(): the clock, and a TIMESTAMP WITH TIME ZONE
    "SELECT date_trunc('day', now()) + INTERVAL '23:59:59' AS next_as_of_ts",
])
def test_an_answer_that_ignores_the_watermark_is_told_so_not_a_trap(sql):
    # it returns the same value on every control table: each hidden check fails, and says that
    # (not "other jobs' rows leak in" or "use timestamp arithmetic", which it never did)
    result = submit(sql=sql)
    hidden = [c for c in result.checks if c.name in {h.name for h in HIDDEN}]
    assert hidden and all(c.status == "fail" for c in hidden), statuses(result)
    for c in hidden:
        assert "whatever the watermark" in c.message and "leak in" not in c.message, (c.name, c.message)


def test_template_scores_zero():
    result = grade("ex04", "ex04 = {'next_as_of_ts': ..., 'why': ...}",
                   sql_cell("ex04b", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"))
    assert {c.status for c in result.checks} == {"missing"}
    assert result.score == 0
