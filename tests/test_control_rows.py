"""feature_job_control holds one row per job (issue 21): an incremental job reads and advances its
own row only, a backfill touches none. The hidden scenarios hold other jobs' rows with watermarks
before and after this job's; these tests read the verdicts' messages, the declared matrices
(grader/course/exercises/ex08/matrix.py, ex12/matrix.py) hold the exact sets of failing checks."""

import pytest

from helpers import failing, grade, sql_cell
from grader.course.exercises.ex08.matrix import ADVANCE, ANY_ROW, CORRECT as JOBS, WRITTEN, WRONG as WRONG_JOBS, merge, rows
from grader.course.exercises.ex12.matrix import EXPLAINED, STRUCTURED, WRONG as WRONG_BACKFILLS, overwrite

CONTROL_CHECKS = ("reads_its_own_control_row", "other_jobs_control_rows_untouched")

# The watermark read without its job_key, in the forms a student writes it: each reads another
# job's watermark (max: the later one; min: the earlier; LIMIT 1 / any_value: the first row).
NO_KEY_READS = {
    "max": ANY_ROW,
    "min": "(SELECT min(last_as_of_ts) + INTERVAL 1 DAY FROM feature_job_control)",
    "limit_1": "(SELECT last_as_of_ts + INTERVAL 1 DAY FROM feature_job_control LIMIT 1)",
    "any_value": "(SELECT any_value(last_as_of_ts) + INTERVAL 1 DAY FROM feature_job_control)",
    "order_by_limit": "(SELECT last_as_of_ts + INTERVAL 1 DAY FROM feature_job_control ORDER BY last_as_of_ts DESC LIMIT 1)",
}


def check(result, name):
    return next(c for c in result.checks if c.name == name)


@pytest.mark.parametrize("form", sorted(NO_KEY_READS))
def test_a_watermark_read_without_its_job_key_fails_reads_its_own_control_row(form):
    result = grade("ex08", sql_cell("ex08", f"{merge(rows(NO_KEY_READS[form]))};\n{ADVANCE};"), WRITTEN)
    # the public sample holds other jobs' rows too: the student sees the wrong day before hand-in
    assert failing(result) == {"next_days_match_reference", "reads_its_own_control_row"}, \
        [(c.name, c.message) for c in result.checks]
    said = check(result, "reads_its_own_control_row").message
    # what the run did, plainly: the watermark it found, the day it wrote, the one it writes alone
    assert "found its own watermark at 2025-12-02 23:59:59" in said and "without the other jobs' rows" in said, said


@pytest.mark.parametrize("update", [
    "UPDATE feature_job_control SET last_as_of_ts = last_as_of_ts + INTERVAL 1 DAY, last_run_ts = now()",
    "UPDATE feature_job_control SET last_as_of_ts = last_as_of_ts + INTERVAL 1 DAY, last_run_ts = now() WHERE true",
    "UPDATE feature_job_control SET last_as_of_ts = last_as_of_ts + INTERVAL 1 DAY, last_run_ts = now() "
    "WHERE job_key LIKE 'user%'",
])
def test_advancing_other_jobs_rows_fails_other_jobs_control_rows_untouched(update):
    result = grade("ex08", sql_cell("ex08", f"{merge(rows())};\n{update};"), WRITTEN)
    # shown in public (the sample's control table), named by the hidden check
    assert failing(result) == {"watermark_advances_to_day_written", "other_jobs_control_rows_untouched"}, \
        [(c.name, c.message) for c in result.checks]
    said = check(result, "other_jobs_control_rows_untouched").message
    assert "user_features_hourly: last_as_of_ts 2025-11-20 23:59:59 -> 2025-11-22 23:59:59" in said, said
    # the clock's now() is never printed: a verdict is the same whenever it is given
    assert "last_run_ts set" in said and "2026" not in said.split("After")[1], said


def test_deleting_the_control_table_is_named_per_job():
    result = grade("ex08", sql_cell("ex08", WRONG_JOBS["replaces_the_whole_control_table"][0]), WRITTEN)
    said = check(result, "other_jobs_control_rows_untouched").message
    assert "the row of item_features_daily was deleted" in said and "the row of user_features_hourly was deleted" in said


@pytest.mark.parametrize("name", sorted(n for n in JOBS if n.startswith("own_row")))
def test_reading_its_own_row_in_any_form_passes_both_checks(name):
    result = grade("ex08", sql_cell("ex08", JOBS[name]), WRITTEN)
    assert {check(result, n).status for n in CONTROL_CHECKS} == {"pass"}


@pytest.mark.parametrize("sql", ["SELECT 1", f"{ADVANCE};", "SELECT * FROM feature_job_control"])
def test_a_job_that_writes_no_features_earns_nothing_on_the_control_checks(sql):
    result = grade("ex08", sql_cell("ex08", sql), WRITTEN)
    for name in CONTROL_CHECKS:
        c = check(result, name)
        assert c.status == "fail" and not c.points and c.message.startswith("Could not be judged"), c.message


def test_a_job_whose_day_is_written_in_is_not_told_it_read_another_jobs_row():
    # its day comes from nowhere: the same with or without other jobs' rows, so not this check's
    day = "(SELECT TIMESTAMP '2025-12-09 23:59:59')"
    result = grade("ex08", sql_cell("ex08", f"{merge(rows(day))};\n{ADVANCE};"), WRITTEN)
    assert check(result, "reads_its_own_control_row").status == "pass"
    said = check(result, "next_days_match_reference").message
    # next_days_match_reference names what the job did
    assert "run 1 found last_as_of_ts 2025-12-02 23:59:59, so its day was 2025-12-03; it wrote as-of day 2025-12-09" in said, said


@pytest.mark.parametrize("statement", [
    "UPDATE feature_job_control SET last_as_of_ts = getvariable('end_ts'), last_run_ts = now() "
    "WHERE job_key = 'user_item_features_daily'",
    "UPDATE feature_job_control SET last_as_of_ts = greatest(last_as_of_ts, getvariable('end_ts')) "
    "WHERE job_key = 'user_item_features_daily'",
    "INSERT OR REPLACE INTO feature_job_control VALUES ('user_item_features_daily', getvariable('end_ts'), now())",
    "UPDATE feature_job_control SET last_run_ts = now() WHERE job_key = 'user_item_features_daily'",
    "DELETE FROM feature_job_control WHERE job_key <> 'user_item_features_daily'",
])
def test_a_backfill_that_touches_a_control_row_fails_backfill_leaves_control_rows_alone(statement):
    result = grade("ex12", sql_cell("ex12b", f"{overwrite()}\n{statement};"), STRUCTURED, EXPLAINED)
    assert failing(result) == {"control_table_left_as_it_was", "backfill_leaves_control_rows_alone"}, \
        [(c.name, c.message) for c in result.checks]
    c = check(result, "backfill_leaves_control_rows_alone")
    assert [t.caption for t in c.tables] == ["feature_job_control before", "feature_job_control after"]


def test_moving_the_watermark_is_named_with_both_values():
    result = grade("ex12", sql_cell("ex12b", WRONG_BACKFILLS["moves_the_watermark_to_its_end"][0]), STRUCTURED, EXPLAINED)
    said = check(result, "backfill_leaves_control_rows_alone").message
    assert "user_item_features_daily: last_as_of_ts 2025-12-04 23:59:59 -> 2025-12-07 23:59:59" in said, said


def test_the_lessons_say_whose_row_it_is():
    from pathlib import Path

    folder = Path(__file__).parents[1] / "grader/course/exercises"
    ex08 = (folder / "ex08/lesson.md").read_text()
    ex12 = (folder / "ex12/lesson.md").read_text()
    assert "one row per job" in ex08 and "WHERE job_key = 'user_item_features_daily'" in ex08
    assert "A backfill leaves the control row alone" in ex12 and "backwards" in ex12
