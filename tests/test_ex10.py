"""Exercise 10 as a specification: the structured answer is judged by value, in the forms a
student would write it; the Exercise 8 job is re-graded in the Exercise 10 scenario (days 12-01
and 12-02 written, control at 12-02) on what the rerun does, not on its feature values."""

import pytest

from helpers import failing, full_marks, grade, not_passed, sql_cell
from grader.course.exercises.ex08.matrix import CORRECT as CORRECT_JOBS, WRONG as WRONG_JOBS
from grader.course.exercises.ex10.matrix import GOOD

JOB = CORRECT_JOBS["merge_and_update_in_one_transaction"]
JOB_CHECKS = {"next_run_writes_day_3", "days_1_and_2_left_alone", "watermark_moves_to_day_3", "rerun_after_failed_day_3"}

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


# The jobs that cost something here are ex10/matrix.py's MATRIX, graded by tests/test_matrix.py.
@pytest.mark.parametrize("name", sorted(n for n, (_, _, ex10) in WRONG_JOBS.items() if not ex10))
def test_wrong_job_fails_exactly_its_declared_ex10_checks(name):
    """Exercise 10 judges which day the rerun writes, the days it leaves alone, where the watermark
    ends and crashes during the rerun; a slip in the feature values costs points in Exercise 8 only."""
    sql, _, expected = WRONG_JOBS[name]
    result = grade("ex10", GOOD, sql_cell("ex08", sql))
    assert failing(result) == expected, not_passed(result)


def test_a_window_bug_in_the_job_costs_no_ex10_points():
    # Issue 11: one bug in the ex08 job used to cost 7 of Exercise 10's points again.
    for name in ("window_without_upper_bound", "retries_counted_twice", "window_on_whole_days"):
        result = grade("ex10", GOOD, sql_cell("ex08", WRONG_JOBS[name][0]))
        assert full_marks(result), (name, not_passed(result))


@pytest.mark.parametrize(
    "check,value", [(c, v) for c, vs in WRONG_VALUES.items() for v in vs],
    ids=[f"{c}-{i}" for c, vs in WRONG_VALUES.items() for i in range(len(vs))],
)
def test_wrong_value_fails_exactly_its_check(check, value):
    result = grade("ex10", f"ex10 = {value}", sql_cell("ex08", JOB))
    assert failing(result) - {"explains_the_rerun"} == {check}, not_passed(result)


@pytest.mark.parametrize("name", sorted(CORRECT_JOBS))
def test_correct_ex08_job_gets_full_marks_in_the_ex10_scenario(name):
    result = grade("ex10", GOOD, sql_cell("ex08", CORRECT_JOBS[name]))
    assert full_marks(result), not_passed(result)


WORDS = "the run computes the day after the watermark and writes it with MERGE, then moves the control row"
NATURAL = {
    "bare_days": f'{{"next_as_of_ts": "2025-12-03", "leaves_alone": ["2025-12-01", "2025-12-02"], "how": "{WORDS}"}}',
    "iso_t": f'{{"next_as_of_ts": "2025-12-03T23:59:59", "leaves_alone": ["2025-12-01", "2025-12-02"], "how": "{WORDS}"}}',
    "timestamp_literal": (f'{{"next_as_of_ts": "TIMESTAMP \'2025-12-03 23:59:59\'", '
                          f'"leaves_alone": ["2025-12-01 23:59:59", "2025-12-02 23:59:59"], "how": "{WORDS}"}}'),
    "slashes": f'{{"next_as_of_ts": "2025/12/03", "leaves_alone": ["2025/12/01", "2025/12/02"], "how": "{WORDS}"}}',
    "tuple_in_any_order": f'{{"next_as_of_ts": "2025-12-03", "leaves_alone": ("2025-12-02", "2025-12-01"), "how": "{WORDS}"}}',
    "how_as_three_bullets": ('{"next_as_of_ts": "2025-12-03", "leaves_alone": ["2025-12-01", "2025-12-02"], "how": ['
                             '"read last_as_of_ts = 12-02 and compute only 12-03", '
                             '"write 12-03 with MERGE on the key, replacing a partial write", '
                             '"advance the control row to 12-03 after the write; 12-01 and 12-02 untouched"]}'),
    # the days as SQL casts, read as the TIMESTAMP literal is
    "sql_casts": (f'{{"next_as_of_ts": "\'2025-12-03 23:59:59\'::TIMESTAMP", '
                  f'"leaves_alone": ["CAST(\'2025-12-01\' AS DATE)", "cast(\'2025-12-02 23:59:59\' as timestamp)"], "how": "{WORDS}"}}'),
    "how_as_a_dict_of_bullets": ('{"next_as_of_ts": "2025-12-03", "leaves_alone": ["2025-12-01", "2025-12-02"], "how": {'
                                 '"a": "read last_as_of_ts = 12-02 and compute only 12-03", '
                                 '"b": "write 12-03 with MERGE on the key, replacing a partial write", '
                                 '"c": "advance the control row to 12-03 after the write"}}'),
}


@pytest.mark.parametrize("name", sorted(NATURAL))
def test_natural_forms_of_the_answer_get_full_marks(name):
    # a bare day means that as-of day (its 23:59:59), as everywhere in the workbook
    result = grade("ex10", f"ex10 = {NATURAL[name]}", sql_cell("ex08", JOB))
    assert full_marks(result), not_passed(result)
    how = next(c for c in result.checks if c.name == "explains_the_rerun")
    assert how.status == "manual", how.message


def test_a_day_in_the_wrong_form_is_told_the_form_to_use():
    result = grade("ex10", 'ex10 = {"next_as_of_ts": "third of December", "leaves_alone": ["2025-12-01", "2025-12-02"]}',
                   sql_cell("ex08", JOB))
    check = next(c for c in result.checks if c.name == "next_run_computes_day_3")
    assert check.status == "fail" and "2025-12-03 23:59:59" in check.message and "like" in check.message


def test_days_1_and_2_message_names_the_rewritten_day():
    result = grade("ex10", GOOD, sql_cell("ex08", WRONG_JOBS["recomputes_the_watermark_day_too"][0]))
    check = next(c for c in result.checks if c.name == "days_1_and_2_left_alone")
    assert "12-02" in check.message and "wrong values" in check.message, check.message


def test_do_nothing_job_scores_zero_on_every_job_check():
    for sql in ("SELECT 1", "SELECT count(*) FROM events", "SELECT * FROM nowhere"):
        result = grade("ex10", GOOD, sql_cell("ex08", sql))
        got = {c.name: c for c in result.checks if c.name in JOB_CHECKS}
        assert set(got) == JOB_CHECKS and all(c.status != "pass" and not c.points for c in got.values()), not_passed(result)


def test_unanswered_template_is_missing():
    result = grade("ex10", 'ex10 = {"next_as_of_ts": ..., "leaves_alone": ..., "how": ...}',
                   sql_cell("ex08", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"))
    assert {c.status for c in result.checks} == {"missing"}
