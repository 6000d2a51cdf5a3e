"""Exercise 11 as a specification: wrong grids fail the check named for their mistake;
different correct formulations get full marks."""

from helpers import grade, sql_cell
from grader.course.exercises.ex11.matrix import AS_OF, CORRECT, MATRIX, RIGHT, SAMPLE, cell, pairs  # noqa: F401


# MATRIX is graded by tests/test_matrix.py, with every exercise folder's.


def test_cartesian_counterexample_shows_the_fewest_events():
    result = grade("ex11", *MATRIX["cartesian_users_x_items"].cells)
    check = next(c for c in result.checks if c.name == "grid_not_cartesian")
    assert check.tables[0].caption.startswith("events")
    assert any(t.caption.startswith("returned but not expected") for t in check.tables)


def test_unanswered_placeholder_is_missing_not_failed():
    result = grade("ex11", sql_cell("ex11", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"))
    assert {c.status for c in result.checks} == {"missing"}


def test_missing_pairs_are_not_told_a_pair_appears_twice():
    result = grade("ex11", *MATRIX["clicks_and_views_only"].cells)
    check = next(c for c in result.checks if c.name == "grid_has_every_active_pair")
    assert check.message.startswith("1 expected row(s) missing")
    assert next(c for c in result.checks if c.name == "pairs_distinct").status == "pass"
