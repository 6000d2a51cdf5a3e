"""Exercise 10 as a specification: the structured answer is judged by value, and the Exercise 8
job is re-graded in the Exercise 10 scenario (days 12-01 and 12-02 written, control at 12-02)."""

import pytest

from helpers import failing, full_marks, grade, sql_cell
from test_ex08 import ADVANCE, CONTROL, CORRECT as CORRECT_JOBS, WRONG as WRONG_JOBS, merge, rows

GOOD = ('ex10 = {"next_as_of_ts": "2025-12-03 23:59:59", "leaves_alone": ["2025-12-01", "2025-12-02"], '
        '"how": "- read last_as_of_ts (12-02) and compute 12-03 only\\n- write 12-03 with MERGE on the key\\n'
        '- advance the control row to 12-03 after the write; 12-01 and 12-02 stay as they are"}')
JOB = CORRECT_JOBS["merge_and_update_in_one_transaction"]

WRONG_JOB = {
    "days_1_and_2_left_alone": [
        # recomputes the watermark's own day (12-02) along with the next one
        WRONG_JOBS["finished_days_left_alone"][0],
        # clears everything from the watermark on before writing
        f"DELETE FROM feature_table WHERE as_of_ts >= (SELECT last_as_of_ts FROM {CONTROL});\n"
        f"INSERT INTO feature_table {rows()};\n{ADVANCE};",
        # rebuilds every day up to the next one, "to be safe"
        f"""{merge(rows(next_day='x.d').replace("(SELECT x.d AS as_of_ts)",
            f"(SELECT unnest(generate_series(TIMESTAMP '2025-12-01 23:59:59', last_as_of_ts + INTERVAL 1 DAY, INTERVAL 1 DAY)) AS as_of_ts FROM {CONTROL})"))};
{ADVANCE};""",
    ],
    "next_run_writes_day_3": [WRONG_JOBS["next_days_match_reference"][0]],  # a window without an upper bound
    "watermark_moves_to_day_3": [WRONG_JOBS["watermark_advances_to_day_written"][0]],  # watermark from now()
    "rerun_after_failed_day_3": [WRONG_JOBS["crash_rerun_recovers"][0], WRONG_JOBS["control_updated_after_write"][0]],
}

WRONG_VALUES = {
    "next_run_computes_day_3": [
        '{"next_as_of_ts": "2025-12-02 23:59:59", "leaves_alone": ["2025-12-01", "2025-12-02"]}',
        '{"next_as_of_ts": "2025-12-04 23:59:59", "leaves_alone": ["2025-12-01", "2025-12-02"]}',
        '{"next_as_of_ts": "2025-12-03 00:00:00", "leaves_alone": ["2025-12-01", "2025-12-02"]}',
    ],
    "finished_days_named": [
        '{"next_as_of_ts": "2025-12-03", "leaves_alone": ["2025-12-01"]}',
        '{"next_as_of_ts": "2025-12-03", "leaves_alone": ["2025-12-01", "2025-12-02", "2025-12-03"]}',
    ],
}


@pytest.mark.parametrize(
    "check,sql", [(c, s) for c, ss in WRONG_JOB.items() for s in ss],
    ids=[f"{c}-{i}" for c, ss in WRONG_JOB.items() for i in range(len(ss))],
)
def test_wrong_job_fails_the_ex10_scenario_check_named_for_its_mistake(check, sql):
    result = grade("ex10", GOOD, sql_cell("ex08", sql))
    assert check in failing(result), [(c.name, c.status, c.message) for c in result.checks]


@pytest.mark.parametrize(
    "check,value", [(c, v) for c, vs in WRONG_VALUES.items() for v in vs],
    ids=[f"{c}-{i}" for c, vs in WRONG_VALUES.items() for i in range(len(vs))],
)
def test_wrong_value_fails_its_check(check, value):
    result = grade("ex10", f"ex10 = {value}", sql_cell("ex08", JOB))
    assert check in failing(result), [(c.name, c.status, c.message) for c in result.checks]


@pytest.mark.parametrize("name", sorted(CORRECT_JOBS))
def test_correct_ex08_job_gets_full_marks_in_the_ex10_scenario(name):
    result = grade("ex10", GOOD, sql_cell("ex08", CORRECT_JOBS[name]))
    assert full_marks(result), [(c.name, c.status, c.message) for c in result.checks if c.status not in ("pass", "manual")]


@pytest.mark.parametrize("value", [
    '{"next_as_of_ts": "2025-12-03", "leaves_alone": ("2025-12-02 23:59:59", "2025-12-01 23:59:59"), "how": "the run computes the day after the watermark and writes it with MERGE, then moves the control row"}',
    '{"next_as_of_ts": "2025-12-03T23:59:59", "leaves_alone": ["2025-12-01", "2025-12-02"], "how": "the run computes the day after the watermark and writes it with MERGE, then moves the control row"}',
])
def test_equivalent_spellings_of_the_days_pass(value):
    result = grade("ex10", f"ex10 = {value}", sql_cell("ex08", JOB))
    assert full_marks(result), [(c.name, c.status, c.message) for c in result.checks if c.status not in ("pass", "manual")]


def test_days_1_and_2_message_names_the_rewritten_day():
    result = grade("ex10", GOOD, sql_cell("ex08", WRONG_JOB["days_1_and_2_left_alone"][0]))
    check = next(c for c in result.checks if c.name == "days_1_and_2_left_alone")
    assert "12-01, 12-02" in check.message and "wrong values" in check.message


def test_unanswered_template_is_missing():
    result = grade("ex10", 'ex10 = {"next_as_of_ts": ..., "leaves_alone": ..., "how": ...}',
                   sql_cell("ex08", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"))
    assert {c.status for c in result.checks} == {"missing"}
