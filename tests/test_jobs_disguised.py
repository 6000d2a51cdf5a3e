"""The job exercises under an instructor's fixture secret (grader/engine/disguise.py renames ids in each
hidden fixture by its own bijection): checks that judge a job against its own run on an empty
table derive that table from the (disguised) fixture itself, so the verdicts are the same as
without a secret. `grader check` always grades with a secret."""

import pytest

from grader.course.exercises import load
from grader.grading.grade import grade_exercise
from grader.engine.notebook import extract_answers
from helpers import cells, failing, not_passed, sql_cell
from grader.course.exercises.ex08 import matrix as matrix08
from grader.course.exercises.ex12 import matrix as matrix12

SECRET = "a course secret"
EX10 = ('ex10 = {"next_as_of_ts": "2025-12-03", "leaves_alone": ["2025-12-01", "2025-12-02"], '
        '"how": "read the watermark, write 12-03 with MERGE, then move the control row to 12-03"}')


def job_failing(result, answer: str) -> set[str]:
    """The failing checks that read the job (other answers of the exercise are not given here)."""
    reads = {c.name for c in load(result.id).all_checks() if c.answer == answer}
    return failing(result) & reads


def grade_disguised(exercise_id: str, *sources: str):
    answers, _ = extract_answers(cells(*sources))
    return grade_exercise(load(exercise_id, secret=SECRET), answers, hidden=True)


@pytest.mark.parametrize("name", ["reference_start_transaction_merge", "delete_partition_and_insert_in_a_transaction",
                                  "point_in_time_join_to_users_and_items"])
def test_correct_jobs_get_full_marks_with_disguised_fixtures(name):
    job = sql_cell("ex08", matrix08.CORRECT[name])
    for exercise_id, sources in (("ex08", [job]), ("ex10", [EX10, job])):
        result = grade_disguised(exercise_id, *sources)
        assert not job_failing(result, "ex08"), not_passed(result)


@pytest.mark.parametrize("name", ["on_conflict_do_nothing", "writes_the_watermark_day_instead_of_the_next",
                                  "window_on_whole_days", "next_day_from_max_as_of_ts"])
def test_wrong_jobs_fail_the_same_checks_with_disguised_fixtures(name):
    sql, ex08, ex10 = matrix08.WRONG[name]
    assert job_failing(grade_disguised("ex08", sql_cell("ex08", sql)), "ex08") == ex08
    assert job_failing(grade_disguised("ex10", EX10, sql_cell("ex08", sql)), "ex08") == ex10


@pytest.mark.parametrize("name", ["on_conflict_do_nothing", "window_on_whole_days", "delete_without_upper_bound"])
def test_wrong_backfills_fail_the_same_checks_with_disguised_fixtures(name):
    sql, expected = matrix12.WRONG[name]
    result = grade_disguised("ex12", sql_cell("ex12b", sql), matrix12.STRUCTURED, matrix12.EXPLAINED)
    assert job_failing(result, "ex12b") == expected, not_passed(result)


def test_correct_backfill_gets_full_marks_with_disguised_fixtures():
    result = grade_disguised("ex12", sql_cell("ex12b", matrix12.REFERENCE), matrix12.STRUCTURED, matrix12.EXPLAINED)
    assert not job_failing(result, "ex12b"), not_passed(result)
