"""Exercise 8 as a specification: each known-wrong incremental job fails exactly the checks
declared for it (in Exercise 8, and in Exercise 10, which runs the same job in its failure
scenario); different correct jobs get full marks. Every job runs under the fault harness."""

import pytest

from grader.course import exercises
from helpers import full_marks, grade, not_passed, sql_cell
from grader.course.exercises.ex08.matrix import ADVANCE, CORRECT, WRITTEN, WRONG


# MATRIX (each wrong job with the written answer) is graded by tests/test_matrix.py, with every
# exercise folder's.


def test_every_declared_check_is_named_for_some_wrong_job():
    # The matrix covers every Exercise 8 check: none is left without a mistake that fails it.
    from grader.course import exercises

    names = {c.name for c in exercises.get("ex08").all_checks() if c.answer == "ex08"}  # the job's checks
    assert names == set().union(*(ex08 for _, ex08, _ in WRONG.values()))


def test_most_wrong_jobs_fail_exactly_one_hidden_check():
    # the public checks on the sample warn before hand-in (tests/test_public_signal.py); among the
    # hidden checks, the one that fails names the mistake
    hidden = {c.name for c in exercises.get("ex08").hidden}
    single = [n for n, (_, ex08, _) in WRONG.items() if len(ex08 & hidden) == 1]
    assert len(single) >= len(WRONG) // 2, single


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_job_gets_full_marks(name):
    result = grade("ex08", sql_cell("ex08", CORRECT[name]), WRITTEN)
    assert full_marks(result), not_passed(result)


def test_day_cast_window_job_fails_window_edges():
    result = grade("ex08", sql_cell("ex08", WRONG["window_on_whole_days"][0]))
    check = next(c for c in result.checks if c.name == "window_edges")
    assert check.status == "fail"
    events = next(t for t in check.tables if t.caption.startswith("events"))
    # the counterexample is shrunk to the edge event(s) that show it, not the whole fixture
    assert 1 <= len(events.rows) <= 2, events.rows
    assert any("expected" in t.caption or "wrong" in t.caption or "missing" in t.caption or "returned" in t.caption
               for t in check.tables)


def test_window_mistake_counterexample_is_shrunk_to_few_events():
    # Issue 11: an ex08 window mistake used to show 16 expected/got rows and no events.
    result = grade("ex08", sql_cell("ex08", WRONG["window_without_upper_bound"][0]))
    check = next(c for c in result.checks if c.name == "next_days_match_reference")
    events = next(t for t in check.tables if t.caption.startswith("events"))
    diff_rows = sum(len(t.rows) for t in check.tables if t.columns and t.columns[0] in ("", "user_id")
                    and not t.caption.startswith(("events", "feature")))
    assert len(events.rows) <= 2 and diff_rows <= 4, (events.rows, [(t.caption, t.rows) for t in check.tables])


def test_watermark_from_data_fails_on_a_quiet_day_and_after_a_backfill():
    check = next(c for c in grade("ex08", sql_cell("ex08", WRONG["watermark_from_max_as_of_ts"][0])).checks
                 if c.name == "watermark_from_control_not_data")
    assert check.status == "fail" and "stuck" in check.message and "12-10" in check.message, check.message
    check = next(c for c in grade("ex08", sql_cell("ex08", WRONG["next_day_from_max_as_of_ts"][0])).checks
                 if c.name == "watermark_from_control_not_data")
    assert check.status == "fail" and "12-12" in check.message, check.message
    # the newest day written after the watermark: none on a quiet day, so the watermark ends NULL, which is
    # neither ahead nor stuck: the message says it is lost
    lost = ADVANCE.replace("last_as_of_ts + INTERVAL 1 DAY,", "(SELECT max(as_of_ts) FROM feature_table "
                           "WHERE as_of_ts > feature_job_control.last_as_of_ts),")
    job = CORRECT["insert_or_replace_then_update_no_transaction"].replace(ADVANCE, lost)
    assert lost != ADVANCE and job != CORRECT["insert_or_replace_then_update_no_transaction"]
    check = next(c for c in grade("ex08", sql_cell("ex08", job)).checks if c.name == "watermark_from_control_not_data")
    assert check.status == "fail" and "is NULL" in check.message and "lost" in check.message, check.message
    assert "(ahead)" not in check.message, check.message


def test_do_nothing_job_scores_zero():
    for sql in ("SELECT 1", "SELECT count(*) FROM events", "SELECT * FROM feature_table WHERE false",
                "SELECT * FROM nowhere", "SELECT 1; SELECT 2; SELECT 3"):
        result = grade("ex08", sql_cell("ex08", sql))
        assert result.score == 0 and not [c for c in result.checks if c.status == "pass"], not_passed(result)


def test_robustness_checks_say_they_could_not_judge_a_job_that_writes_nothing():
    result = grade("ex08", sql_cell("ex08", "SELECT count(*) FROM events"))
    for name in ("crash_rerun_recovers", "control_updated_after_write", "finished_days_left_alone",
                 "write_is_idempotent", "watermark_from_control_not_data"):
        check = next(c for c in result.checks if c.name == name)
        # a true message naming the prerequisite, not a claim of the robustness bug
        assert check.message.startswith("Could not be judged") and "wrote no feature rows" in check.message, check.message


def test_value_checks_say_they_could_not_judge_a_job_that_fails():
    # a CTE shared by two statements: the first writes the day, the second fails on every run. Its
    # window, dedup and event types are right: the value checks say what failed, not a value mistake
    right = CORRECT["insert_or_replace_then_update_no_transaction"]
    job = right.replace(ADVANCE, "UPDATE feature_job_control SET last_as_of_ts = (SELECT as_of_ts FROM nxt)")
    assert job != right
    result = grade("ex08", sql_cell("ex08", job))
    for name in ("window_edges", "retries_deduplicated", "all_types_in_impressions"):
        check = next(c for c in result.checks if c.name == name)
        assert check.message.startswith("Could not be judged") and "nxt does not exist" in check.message, check.message


def test_a_job_that_only_moves_the_control_row_earns_nothing():
    result = grade("ex08", sql_cell("ex08", f"{ADVANCE};"))
    assert result.score == 0, not_passed(result)


def test_control_first_job_message_names_the_statement_and_the_lost_day():
    result = grade("ex08", sql_cell("ex08", WRONG["control_first_without_a_transaction"][0]))
    check = next(c for c in result.checks if c.name == "control_updated_after_write")
    assert "statement 2" in check.message and "2025-12-03" in check.message and "never written" in check.message
    assert check.tables and check.tables[0].rows  # the crash points table


def test_plain_insert_message_says_the_rerun_can_never_catch_up():
    result = grade("ex08", sql_cell("ex08", WRONG["plain_insert_then_control_no_transaction"][0]))
    check = next(c for c in result.checks if c.name == "crash_rerun_recovers")
    assert "statement 1" in check.message and "never catch up" in check.message


def test_unanswered_placeholder_is_missing_not_failed():
    result = grade("ex08", sql_cell("ex08", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"))
    assert {c.status for c in result.checks} == {"missing"}


def test_a_job_that_fails_on_other_jobs_rows_or_on_a_quiet_day_is_told_what_failed_not_a_change_it_never_made():
    # The watermark read by a scalar subquery without WHERE: three rows once other jobs' rows are in
    # the table, so the job fails there and changes none of them; the verdict says what failed.
    from grader.course.exercises.ex08.matrix import merge, rows

    job = f"{merge(rows('(SELECT last_as_of_ts + INTERVAL 1 DAY FROM feature_job_control)'))};\n{ADVANCE};"
    check = next(c for c in grade("ex08", sql_cell("ex08", job)).checks if c.name == "other_jobs_control_rows_untouched")
    assert check.status == "fail" and "More than one row" in check.message, check.message
    assert "must stay as they were" in check.message and "changed" not in check.message, check.message
    # A LEFT JOIN from the run's day to the events: on a day whose window holds no events it makes a
    # row with a NULL key, and the job stops there; its watermark does come from the control row.
    job = CORRECT["insert_or_replace_then_update_no_transaction"].replace(
        "FROM (SELECT DISTINCT * FROM events) e JOIN (SELECT", "FROM (SELECT").replace(
        ") n ON e.event_ts", ") n LEFT JOIN (SELECT DISTINCT * FROM events) e ON e.event_ts")
    assert "LEFT JOIN" in job
    check = next(c for c in grade("ex08", sql_cell("ex08", job)).checks if c.name == "watermark_from_control_not_data")
    assert check.status == "fail" and "NOT NULL" in check.message, check.message
    assert check.message.startswith("Each run must write the day after its watermark"), check.message
