"""Exercise 12 as a specification: backfill scripts that break under overlap, reruns or
concurrency fail the check named for their mistake; correct backfills get full marks; the
structured answer about a control-first job is judged by value."""

import pytest

from helpers import cells, failing, full_marks, grade, not_passed, sql_cell
from grader.course import exercises
from grader.grading.grade import grade_exercise
from grader.engine.notebook import extract_answers
from grader.course.exercises.ex12.matrix import CORRECT, DAYS, EXPLAINED, REFERENCE, STRUCTURED, WRONG, rows


# MATRIX (each wrong backfill with the other answers right) is graded by tests/test_matrix.py, with
# every exercise folder's.


def test_unanswered_placeholders_are_missing_not_failed():
    result = grade("ex12", sql_cell("ex12b", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"),
                   "ex12a = ...", 'ex12c = {"lost_as_of_ts": ..., "fix": ...}')
    assert {c.status for c in result.checks} == {"missing"}


def test_every_backfill_check_is_named_for_some_wrong_backfill():
    names = {c.name for c in exercises.get("ex12").all_checks() if c.answer == "ex12b"}
    assert names == set().union(*(checks for _, checks in WRONG.values()))


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_backfill_gets_full_marks(name):
    result = grade("ex12", sql_cell("ex12b", CORRECT[name]), STRUCTURED, EXPLAINED)
    assert full_marks(result), not_passed(result)


def test_reference_with_nine_harmless_selects_gets_full_marks_in_time():
    # Issue 16: two 14-statement scripts used to time concurrent_backfills_converge out
    import time

    script = REFERENCE + "\n" + "\n".join(f"SELECT {i};" for i in range(9))
    start = time.monotonic()
    result = grade("ex12", sql_cell("ex12b", script), STRUCTURED, EXPLAINED)
    assert full_marks(result), not_passed(result)
    assert time.monotonic() - start < 20


def test_do_nothing_backfill_scores_zero():
    for sql in ("SELECT 1", "SELECT count(*) FROM events", "SELECT * FROM nowhere",
                "DELETE FROM feature_table WHERE false"):
        result = grade("ex12", sql_cell("ex12b", sql))
        passed = [c.name for c in result.checks if c.status == "pass"]
        assert not passed and result.score == 0, not_passed(result)


def test_robustness_checks_say_they_could_not_judge_a_backfill_that_writes_nothing():
    result = grade("ex12", sql_cell("ex12b", "SELECT count(*) FROM events"))
    for name in ("overlapping_backfills_both_orders", "rerun_backfill_is_idempotent", "concurrent_backfills_converge",
                 "leaves_other_days_alone", "overwrites_stale_rows"):
        check = next(c for c in result.checks if c.name == name)
        assert check.message.startswith("Could not be judged") and "wrote no feature rows" in check.message, check.message


def test_value_checks_say_they_could_not_judge_a_backfill_that_fails():
    # a CTE shared by two statements: the INSERT fails on every retry, whatever its window or dedup
    script = (f"WITH days AS ({DAYS}) DELETE FROM feature_table WHERE as_of_ts IN (SELECT as_of_ts FROM days);\n"
              f"INSERT INTO feature_table {rows(days='SELECT * FROM days')};")
    result = grade("ex12", sql_cell("ex12b", script))
    for name in ("window_edges", "retries_deduplicated", "all_types_in_impressions"):
        check = next(c for c in result.checks if c.name == name)
        assert check.message.startswith("Could not be judged") and "days does not exist" in check.message, check.message


def test_day_cast_window_backfill_fails_window_edges_with_a_shrunk_counterexample():
    result = grade("ex12", sql_cell("ex12b", WRONG["window_on_whole_days"][0]))
    check = next(c for c in result.checks if c.name == "window_edges")
    events = next(t for t in check.tables if t.caption.startswith("events"))
    assert check.status == "fail" and 1 <= len(events.rows) <= 2, events.rows


def test_plain_insert_message_names_the_order_and_the_duplicate_key():
    result = grade("ex12", sql_cell("ex12b", WRONG["plain_insert"][0]))
    check = next(c for c in result.checks if c.name == "overlapping_backfills_both_orders")
    assert "A [12-01..12-05] then B [12-03..12-07]" in check.message and "Duplicate key" in check.message


def test_interleaved_failure_names_the_schedule():
    result = grade("ex12", sql_cell("ex12b", WRONG["shared_staging_table"][0]))
    check = next(c for c in result.checks if c.name == "concurrent_backfills_converge")
    assert "interleaved as" in check.message
    assert {"overlapping_backfills_both_orders", "rerun_backfill_is_idempotent"}.isdisjoint(failing(result))


FIX_B = "update the control row only after the write has succeeded (or in the same transaction as the write)"
# The forms a student writes for option B, each worth full marks.
NATURAL_FIX = ["B", "b", "b)", "(b)", "B.", "option B", "B: update the control row after the write", FIX_B,
               FIX_B + ".", FIX_B.capitalize(), "update the control row only after the write has succeeded",
               ["B"]]


@pytest.mark.parametrize("fix", NATURAL_FIX, ids=[str(f) for f in NATURAL_FIX])
def test_ex12c_option_in_any_natural_form_gets_full_marks(fix):
    answers, _ = extract_answers(cells(f"ex12c = {{'lost_as_of_ts': '2025-12-03', 'fix': {fix!r}}}"))
    result = grade_exercise(exercises.get("ex12"), answers)
    marks = {c.name: (c.status, c.message) for c in result.checks if c.name in ("lost_day_named", "fix_is_control_after_write")}
    assert {m[0] for m in marks.values()} == {"pass"}, marks


@pytest.mark.parametrize("fix,says", [
    ("A", "A: retrying"),  # retrying the write does not help
    ("a", "A: retrying"),
    ("set last_as_of_ts from `now()` so the next run picks up the current day", "C: "),  # option C's text
    # the article "a", not option A: text naming no option is told the form to use
    ("a retry of the write", "names none of the options"),
    ("both", "names none of the options"),
])
def test_ex12c_wrong_or_unreadable_option_says_what_was_read(fix, says):
    answers, _ = extract_answers(cells(f"ex12c = {{'lost_as_of_ts': '2025-12-03', 'fix': {fix!r}}}"))
    result = grade_exercise(exercises.get("ex12"), answers)
    check = next(c for c in result.checks if c.name == "fix_is_control_after_write")
    assert check.status == "fail" and says in check.message, check.message
    if "none" in says:
        assert "letter, e.g. 'B'" in check.message  # exactly which form to use


@pytest.mark.parametrize("value,ok", [
    ({"lost_as_of_ts": "2025-12-03 23:59:59", "fix": "B"}, True),
    ({"lost_as_of_ts": "2025-12-03", "fix": "b: control after the write"}, True),
    ({"lost_as_of_ts": "TIMESTAMP '2025-12-03 23:59:59'", "fix": "B"}, True),
    ({"lost_as_of_ts": "2025-12-04 23:59:59", "fix": "B"}, False),  # the day the next run computes
    ({"lost_as_of_ts": "2025-12-02 23:59:59", "fix": "B"}, False),  # the old watermark
    ({"lost_as_of_ts": "2025-12-03 00:00:00", "fix": "B"}, False),  # not the course's convention
    ({"lost_as_of_ts": "2025-12-03", "fix": "A"}, False),  # retrying the write does not help
    ({"lost_as_of_ts": "2025-12-03", "fix": "both"}, False),
])
def test_ex12c_is_judged_by_value(value, ok):
    answers, _ = extract_answers(cells(f"ex12c = {value!r}"))
    result = grade_exercise(exercises.get("ex12"), answers)
    marks = {c.name: c.status for c in result.checks if c.name in ("lost_day_named", "fix_is_control_after_write")}
    assert (set(marks.values()) == {"pass"}) == ok, marks


def test_explanation_is_manual_and_waits_for_the_instructor():
    result = grade("ex12", EXPLAINED)
    check = next(c for c in result.checks if c.name == "explains_overlap_duplicates")
    # worth 3 points, shown apart from the automatic maximum until the instructor scores it
    assert check.status == "manual" and check.max_points == 3 and check.to_dict()["points"] is None
    assert result.manual_pending == 3


def test_concurrency_is_judged_on_what_it_adds_to_the_serial_orders():
    # A plain INSERT fails run one after the other already (overlapping_backfills_both_orders);
    # its interleavings end as one of those serial orders does, so no concurrency bug is claimed.
    result = grade("ex12", sql_cell("ex12b", WRONG["plain_insert"][0]))
    check = next(c for c in result.checks if c.name == "concurrent_backfills_converge")
    assert check.status == "pass" and "one after the other" in check.message, check.message
    # a shared staging table is right in sequence and wrong interleaved: that is a concurrency bug
    result = grade("ex12", sql_cell("ex12b", WRONG["shared_staging_table"][0]))
    check = next(c for c in result.checks if c.name == "concurrent_backfills_converge")
    assert check.status == "fail" and "interleaved as" in check.message


def test_a_backfill_writing_other_as_of_times_is_told_what_it_wrote_not_that_it_wrote_nothing():
    # days generated as DATEs: rows on 12-01 00:00:00 .., none on the range's 23:59:59 days. The checks that
    # need the range's days written cannot judge it, and say what it did write.
    days = ("SELECT unnest(generate_series(CAST(getvariable('start_ts') AS DATE), CAST(getvariable('end_ts') AS DATE), "
            "INTERVAL 1 DAY))::TIMESTAMP AS as_of_ts")
    right = "SELECT unnest(generate_series(getvariable('start_ts'), getvariable('end_ts'), INTERVAL 1 DAY)) AS as_of_ts"
    assert right in CORRECT["delete_range_and_insert_in_a_transaction"]
    sql = CORRECT["delete_range_and_insert_in_a_transaction"].replace(right, days)
    result = grade("ex12", sql_cell("ex12b", sql), STRUCTURED, EXPLAINED)
    check = next(c for c in result.checks if c.name == "overlapping_backfills_both_orders")
    assert check.status == "fail" and "wrote no feature rows" not in check.message, check.message
    assert "only on as_of_ts 2025-12-01 00:00:00" in check.message, check.message
