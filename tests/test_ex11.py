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


def test_a_timestamp_written_into_the_query_is_told_to_read_the_variable():
    # the hard-coded query returns its rows at its own time and none at the other: exactly the
    # mistake of the checks about the variable, so their messages say what to do; an answer that
    # returns nothing at either time (now()) has nothing of that concern judged
    checks = {"reads_as_of_on_sample", "reads_as_of_variable"}
    for sql in (pairs("event_ts <= TIMESTAMP '2025-12-02 23:59:59' AND event_ts > TIMESTAMP '2025-11-25 23:59:59'"),
                f"SET VARIABLE as_of_ts = TIMESTAMP '2025-12-02 23:59:59';\n{pairs()}"):
        result = grade("ex11", cell(sql))
        told = {c.name: c.message for c in result.checks if c.name in checks}
        assert {c.name for c in result.checks if c.status == "fail"} == checks, told
        assert all("getvariable('as_of_ts')" in m for m in told.values()), told
    now = grade("ex11", *MATRIX["now_instead_of_as_of"].cells)
    assert all("getvariable" not in c.message for c in now.checks if c.name in checks)
