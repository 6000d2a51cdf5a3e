"""Exercise 3 as a specification: the step order is judged for what matters (entities before the
join, derived after it, write last); ex03b fails the check named for its pipeline mistake and
accepts other correct shapes."""

import pytest

from helpers import failing, full_marks, grade, mutation_tests, sql_cell, statuses
from grader.course.exercises.ex03.matrix import CORRECT, FANOUT, MATRIX, PAIR_LEVEL, RIGHT_ORDER, SAMPLE, T, WHY, WINDOW, WRONG, order_answer, pipeline  # noqa: F401


def submit(order: str = RIGHT_ORDER, sql: str | None = None):
    return grade("ex03", order_answer(order), sql_cell("ex03b", sql or pipeline()))


@pytest.mark.parametrize("order", [
    RIGHT_ORDER,
    '["item_features", "user_features", "join", "derived", "write"]',   # entity steps in either order
    '("USER_FEATURES", "Item_Features", "join", "derived", " write ")',
])
def test_right_step_order_in_any_case_gets_full_marks(order):
    result = submit(order)
    assert full_marks(result), statuses(result)


@pytest.mark.parametrize("order,check", [
    ('["user_features", "join", "item_features", "derived", "write"]', "entity_features_before_join"),
    ('["join", "user_features", "item_features", "derived", "write"]', "entity_features_before_join"),
    ('["user_features", "item_features", "derived", "join", "write"]', "derived_after_join_write_last"),
    ('["user_features", "item_features", "join", "write", "derived"]', "derived_after_join_write_last"),
    ('["user_features", "item_features", "join", "derived"]', "entity_features_before_join"),   # a step left out
    ('["user_features", "item_features", "join", "derive", "write"]', "derived_after_join_write_last"),  # unknown key
])
def test_wrong_step_order_fails_the_check_named_for_its_mistake(order, check):
    result = submit(order)
    assert check in failing(result), statuses(result)


# MATRIX is graded by tests/test_matrix.py, with every exercise folder's.
_, test_correct_query_gets_full_marks = mutation_tests(submit, {}, CORRECT)


def test_fanout_counterexample_is_shrunk():
    result = submit(sql=FANOUT)
    check = next(c for c in result.checks if c.name == "no_join_fanout")
    assert check.tables[0].caption.startswith("events: the fewest rows")
    assert len(check.tables[0].rows) <= 2  # two events of one pair already multiply


def test_point_in_time_fixtures_agree_whether_dims_filter_events_or_rows():
    # Filtering the events by the dimensions before the entity aggregates is another reading of
    # the prompt; the hidden fixtures are built so that it gets the same rows.
    sql = pipeline(source=f"""(SELECT DISTINCT e.* FROM events e
        JOIN users u ON u.user_id = e.user_id AND u.signup_ts <= {T}
        JOIN items i ON i.item_id = e.item_id AND i.created_ts <= {T})""")
    result = submit(sql=sql)
    assert full_marks(result), statuses(result)


def test_template_scores_zero():
    result = grade("ex03", "ex03 = {'order': ..., 'why': ...}",
                   sql_cell("ex03b", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"))
    assert {c.status for c in result.checks} == {"missing"}
    assert result.score == 0


def test_the_notebook_does_not_show_the_order_next_to_answer_before_reading_on():
    # the explanation that names the order is folded (<details>) until the student opens it
    from pathlib import Path

    from grader.authoring import lesson

    cells = lesson.read(Path("grader/course/exercises/ex03/lesson.md")).student_cells()
    naming = [c.source for c in cells if c.kind == "markdown" and "The order is user features" in c.source]
    assert naming and all("<details>" in s and s.index("<details>") < s.index("The order is") for s in naming)


def test_derived_after_join_reason_holds_for_per_entity_ratios():
    result = submit('["user_features", "item_features", "derived", "join", "write"]')
    message = next(c.message for c in result.checks if c.name == "derived_after_join_write_last")
    assert "user_ctr_7d could be computed earlier" in message and "only meet" not in message


def test_a_timestamp_written_into_the_query_is_told_to_read_the_variable():
    # it returns its rows at its own time and none on the sample moved in time: the checks about
    # the variable say what to do (an answer returning nothing anywhere has nothing judged)
    result = grade("ex03", *MATRIX["hard_coded_as_of"].cells)
    told = {c.name: c.message for c in result.checks if c.status == "fail"}
    assert set(told) == {"reads_as_of_on_sample", "reads_as_of_parameter"}, told
    assert all("getvariable('as_of_ts')" in m for m in told.values()), told
