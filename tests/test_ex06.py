"""Exercise 6 as a specification: wrong answers fail the check named for their mistake;
different correct formulations get full marks."""

from helpers import full_marks, grade, sql_cell
from grader.course.exercises.ex06.matrix import ALL_SEVEN, AS_OF, CORRECT, GRID, MATRIX, RIGHT_WINDOW, SAMPLE, cell, counts  # noqa: F401


# MATRIX is graded by tests/test_matrix.py, with every exercise folder's.


def test_answer_may_build_on_an_earlier_saved_snippet():
    result = grade(
        "ex06",
        sql_cell("clean_events", "SELECT DISTINCT * FROM events"),
        sql_cell("ex06", counts(RIGHT_WINDOW, source="clean_events")),
    )
    assert full_marks(result)


def test_leaky_window_counterexample_is_shrunk_to_the_leaking_events():
    result = grade("ex06", *MATRIX["no_upper_bound"].cells)
    leak = next(c for c in result.checks if c.name == "no_leakage")
    events = leak.tables[0]
    assert events.caption.startswith("events: the fewest rows")
    assert 1 <= len(events.rows) <= 2  # one future event suffices to show the leak


def test_unanswered_placeholder_is_missing_not_failed():
    result = grade("ex06", sql_cell("ex06", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"))
    assert {c.status for c in result.checks} == {"missing"}
    assert result.score == 0


def test_wrong_type_message_names_the_type_not_a_leak():
    # VARCHAR as_of_ts: rows print alike but do not match; the message must say so, and must
    # not go on to claim a leak the answer does not have.
    result = grade("ex06", *MATRIX["as_of_ts_as_text"].cells)
    leak = next(c for c in result.checks if c.name == "no_leakage")
    assert "as_of_ts is VARCHAR" in leak.message and "TIMESTAMP" in leak.message
    assert "leakage" not in leak.message


def test_dimensions_joined_at_the_as_of_time_get_full_marks():
    # Exercise 3's point-in-time join to users and items is a correct extra step here: every
    # fixture holds a user and an item row, from before the first event, for each event.
    sql = f"""
        WITH d AS (SELECT DISTINCT * FROM events)
        SELECT e.user_id, e.item_id, a.as_of_ts,
               count(*) FILTER (WHERE event_type = 'click') AS clicks_7d,
               count(*) FILTER (WHERE event_type = 'view') AS views_7d, count(*) AS impressions_7d
        FROM d e JOIN {AS_OF} a ON {RIGHT_WINDOW}
        JOIN users u ON u.user_id = e.user_id AND u.signup_ts <= a.as_of_ts
        JOIN items i ON i.item_id = e.item_id AND i.created_ts <= a.as_of_ts
        GROUP BY ALL"""
    result = grade("ex06", sql_cell("ex06", sql))
    assert full_marks(result), [(c.name, c.status, c.message) for c in result.checks if c.status != "pass"]


def test_edge_counterexample_names_the_edge_event_and_the_answers_own_result():
    result = grade("ex06", *MATRIX["window_closed_at_start"].cells)
    edges = next(c for c in result.checks if c.name == "window_edges")
    assert edges.message.startswith("Compared with your own answer with the events on the windows' edges moved")
    events = edges.tables[0]
    assert events.caption.startswith("events: the fewest rows") and len(events.rows) <= 2
    # the event exactly 7 days before an as-of time is among them
    assert any(r[3].strftime("%H:%M:%S.%f") == "23:59:59.000000" and r[3].day in (25, 26) for r in events.rows)


def _running_counts_read_as_of(frame: str) -> str:
    """Deduplicated on event_id, each pair's running counts read with an ASOF join at the as-of
    time and at its window's start: right with a RANGE frame (a row takes every event of its
    second), wrong with ROWS (of two events in one second, the ASOF join may read the first)."""
    return f"""
WITH d AS (SELECT DISTINCT * FROM events),
c AS (SELECT user_id, item_id, event_ts, sum((event_type = 'click')::INT) OVER w AS cc,
             sum((event_type = 'view')::INT) OVER w AS vv, count(*) OVER w AS nn
      FROM d WINDOW w AS (PARTITION BY user_id, item_id ORDER BY event_ts {frame})),
g AS (SELECT DISTINCT d.user_id, d.item_id, a.as_of_ts FROM d, {AS_OF} a WHERE {RIGHT_WINDOW.replace('e.', 'd.')}),
hi AS (SELECT g.*, cc, vv, nn FROM g ASOF LEFT JOIN c
       ON g.user_id = c.user_id AND g.item_id = c.item_id AND g.as_of_ts >= c.event_ts),
lo AS (SELECT g.*, cc, vv, nn FROM g ASOF LEFT JOIN c
       ON g.user_id = c.user_id AND g.item_id = c.item_id AND g.as_of_ts - INTERVAL 7 DAY >= c.event_ts)
SELECT hi.user_id, hi.item_id, hi.as_of_ts, hi.cc - coalesce(lo.cc, 0) AS clicks_7d,
       hi.vv - coalesce(lo.vv, 0) AS views_7d, hi.nn - coalesce(lo.nn, 0) AS impressions_7d
FROM hi JOIN lo USING (user_id, item_id, as_of_ts)"""


def test_running_counts_with_a_rows_frame_are_told_that_same_second_events_each_count():
    # deduplicated on event_id, yet a burst's second click is lost: the message must not only say
    # "deduplicate on event_id", which this answer did
    assert full_marks(grade("ex06", cell(_running_counts_read_as_of("RANGE UNBOUNDED PRECEDING"))))
    result = grade("ex06", cell(_running_counts_read_as_of("ROWS UNBOUNDED PRECEDING")))
    check = next(c for c in result.checks if c.name == "retries_deduplicated")
    assert check.status == "fail"
    assert "same second" in check.message and "RANGE, not ROWS" in check.message
