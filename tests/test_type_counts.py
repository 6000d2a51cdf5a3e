"""A slip in counting by event type costs the event-type check alone, in every exercise that
counts features; and a counterexample cut from a fixture shows only rows wrong on the whole
fixture. The rows below are (user_id, item_id, as_of_ts, clicks_7d, views_7d, impressions_7d)."""

from datetime import datetime

import pytest

from grader.course.exercises.ex08.matrix import ADVANCE, merge, rows
from grader.course.type_counts import left_to_event_types, type_count_slip
from grader.engine import compare
from helpers import grade, sql_cell

T = datetime(2025, 12, 3, 23, 59, 59)
COLUMNS = ["user_id", "item_id", "as_of_ts", "clicks_7d", "views_7d", "impressions_7d"]
KEY = ["user_id", "item_id", "as_of_ts"]

# expected row -> (got row, whether every wrong value in it is a count-by-type slip)
SLIPS = {
    "zero_clicks_returned_as_null": ((1, 2, T, 0, 3, 3), (1, 2, T, None, 3, 3), True),
    "views_counting_every_event": ((1, 2, T, 1, 2, 4), (1, 2, T, 1, 4, 4), True),
    "clicks_and_views_swapped": ((1, 2, T, 1, 2, 3), (1, 2, T, 2, 1, 3), True),
    "type_spelled_otherwise_counts_none": ((1, 2, T, 1, 2, 3), (1, 2, T, 0, 2, 3), True),
    # impressions wrong: a window, leakage or retry slip, never the event types' alone
    "impressions_wrong_too": ((1, 2, T, 0, 3, 3), (1, 2, T, None, 4, 4), False),
    "a_click_counted_twice": ((1, 2, T, 1, 2, 3), (1, 2, T, 2, 2, 4), False),
    # a count of 1 returned as NULL is not a zero left NULL: some event was lost
    "one_click_returned_as_null": ((1, 2, T, 1, 2, 3), (1, 2, T, None, 2, 3), False),
}


@pytest.mark.parametrize("name", sorted(SLIPS))
def test_type_count_slip(name):
    expected, got, slip = SLIPS[name]
    assert type_count_slip(expected, got) is slip


def test_rows_missing_for_want_of_a_type_are_left_when_the_answer_has_no_zero():
    # one aggregate per type INNER JOINed: the pair without a click is dropped, the others are right
    want = [(1, 2, T, 0, 3, 3), (1, 3, T, 1, 1, 2)]
    d = compare.diff(want, COLUMNS, want[1:], COLUMNS, KEY)
    assert not d.equal and left_to_event_types(d).equal


def test_an_answer_that_returned_nothing_keeps_every_missing_row():
    # a do-nothing answer has no type slip: its missing rows stay for the window checks to fail
    want = [(1, 2, T, 0, 3, 3), (1, 3, T, 1, 1, 2)]
    d = compare.diff(want, COLUMNS, [], COLUMNS, KEY)
    assert left_to_event_types(d).missing == d.missing


def test_a_counterexample_is_judged_on_the_keys_wrong_on_the_whole_fixture():
    want = [(1, 2, T, 0, 3, 3), (1, 3, T, 1, 1, 2)]
    whole = compare.diff(want, COLUMNS, [(1, 2, T, None, 3, 3), (1, 3, T, 1, 1, 2)], COLUMNS, KEY)
    # cut: (1, 3)'s events gone, its row returned all the same (a stale row a MERGE leaves)
    cut = compare.diff(want[:1], COLUMNS, [(1, 2, T, None, 3, 3), (1, 3, T, 1, 1, 2)], COLUMNS, KEY)
    shown = cut.on_keys(whole.wrong_keys())
    assert cut.unexpected and not shown.unexpected and len(shown.changed) == 1


NULL_CLICKS_JOB = (merge(rows().replace("count(*) FILTER (WHERE e.event_type = 'click') AS clicks_7d",
                                        "sum(CASE WHEN e.event_type = 'click' THEN 1 END) AS clicks_7d"))
                   + f";\n{ADVANCE};")


@pytest.fixture(scope="module")
def null_clicks_result():
    return grade("ex08", sql_cell("ex08", NULL_CLICKS_JOB))


def test_null_for_zero_is_the_event_type_checks_finding_not_the_windows(null_clicks_result):
    status = {c.name: c.status for c in null_clicks_result.checks}
    assert status["all_types_in_impressions"] == "fail"
    assert status["window_edges"] == status["retries_deduplicated"] == "pass"
    message = next(c.message for c in null_clicks_result.checks if c.name == "all_types_in_impressions")
    assert "not NULL" in message and "ELSE 0" in message


def test_shrunk_counterexample_shows_only_rows_wrong_on_the_whole_fixture(null_clicks_result):
    # removing a pair's events used to leave that pair's stale row behind, shown as "returned but not
    # expected" although the job refreshes it on the whole fixture
    check = next(c for c in null_clicks_result.checks if c.name == "next_days_match_reference")
    shown = [t for t in check.tables if t.caption in ("returned but not expected", "expected but not returned")]
    assert not shown, [(t.caption, t.rows) for t in shown]
    wrong = next(t for t in check.tables if t.caption == "wrong values")
    assert {r[0] for r in wrong.rows} == {"expected", "got"}
    assert all(r[4] is None for r in wrong.rows if r[0] == "got")


def test_merge_whose_branches_differ_is_told_which_branch():
    # right over existing rows (UPDATE), counts swapped on an empty day (INSERT): the idempotency
    # check's message says the branches differ, not only that stale values were kept
    from grader.course.exercises.ex08.matrix import WRONG

    result = grade("ex08", sql_cell("ex08", WRONG["merge_insert_branch_swaps_counts"][0]))
    check = next(c for c in result.checks if c.name == "write_is_idempotent")
    assert check.status == "fail" and "WHEN MATCHED and WHEN NOT MATCHED" in check.message, check.message
    # a job that keeps stale values is not told about branches it does not have
    keeps = grade("ex08", sql_cell("ex08", WRONG["on_conflict_do_nothing"][0]))
    check = next(c for c in keeps.checks if c.name == "write_is_idempotent")
    assert check.status == "fail" and "WHEN MATCHED" not in check.message.split("(compared")[1], check.message
