"""Exercise 11 as a specification: wrong grids fail the check named for their mistake;
different correct formulations get full marks."""

import pytest

from helpers import failing, full_marks, grade, sql_cell

AS_OF = "getvariable('as_of_ts')"
RIGHT = f"event_ts <= {AS_OF} AND event_ts > {AS_OF} - INTERVAL '7 days'"


def pairs(where: str = RIGHT, distinct: str = "DISTINCT") -> str:
    return f"SELECT {distinct} user_id, item_id FROM events WHERE {where}"


WRONG = {
    "grid_not_cartesian": [
        "SELECT u.user_id, i.item_id FROM users u CROSS JOIN items i",
    ],
    "grid_not_all_time": [
        "SELECT DISTINCT user_id, item_id FROM events",
        pairs(f"event_ts <= {AS_OF}"),
    ],
    "pairs_distinct": [
        pairs(distinct=""),
        f"SELECT user_id, item_id, event_type FROM events WHERE {RIGHT} GROUP BY user_id, item_id, event_type",
    ],
    "no_leakage": [
        pairs(f"event_ts > {AS_OF} - INTERVAL '7 days'"),
        pairs(f"event_ts::DATE <= {AS_OF}::DATE + 1 AND event_ts > {AS_OF} - INTERVAL '7 days'"),
    ],
    "window_edges": [
        pairs(f"event_ts <= {AS_OF} AND event_ts >= {AS_OF} - INTERVAL '7 days'"),
        pairs(f"event_ts < {AS_OF} AND event_ts > {AS_OF} - INTERVAL '7 days'"),
        pairs(f"event_ts BETWEEN {AS_OF} - INTERVAL '7 days' AND {AS_OF}"),
    ],
    "reads_as_of_variable": [
        pairs("event_ts <= TIMESTAMP '2025-12-02 23:59:59' AND event_ts > TIMESTAMP '2025-11-25 23:59:59'"),
        pairs(f"event_ts < {AS_OF}::DATE + INTERVAL '1 day' AND event_ts >= {AS_OF}::DATE - INTERVAL '6 days'"),
        pairs("event_ts <= now() AND event_ts > now() - INTERVAL '7 days'"),
    ],
}

CORRECT = {
    "distinct_where": pairs(),
    "group_by_with_as_of_column": f"""
        WITH p AS (SELECT {AS_OF} AS as_of_ts)
        SELECT e.user_id, e.item_id, p.as_of_ts, count(*) AS events_in_window
        FROM events e JOIN p ON e.event_ts > p.as_of_ts - INTERVAL '7 days' AND e.event_ts <= p.as_of_ts
        GROUP BY e.user_id, e.item_id, p.as_of_ts""",
    "qualify_first_event_per_pair": f"""
        SELECT user_id AS USER_ID, item_id FROM events
        WHERE event_ts > {AS_OF} - to_days(7) AND NOT event_ts > {AS_OF}
        QUALIFY row_number() OVER (PARTITION BY user_id, item_id ORDER BY event_ts, event_id) = 1""",
    "semi_join_on_distinct_pairs": f"""
        SELECT a.user_id, a.item_id
        FROM (SELECT DISTINCT user_id, item_id FROM events) a
        WHERE EXISTS (SELECT 1 FROM events e WHERE e.user_id = a.user_id AND e.item_id = a.item_id
                      AND e.event_ts BETWEEN {AS_OF} - INTERVAL '7 days' + INTERVAL '1 microsecond' AND {AS_OF})""",
}


@pytest.mark.parametrize(
    "check,sql", [(check, sql) for check, sqls in WRONG.items() for sql in sqls], ids=lambda x: x if len(x) < 40 else ""
)
def test_wrong_answer_fails_the_check_named_for_its_mistake(check, sql):
    result = grade("ex11", sql_cell("ex11", sql))
    assert check in failing(result), [(c.name, c.status, c.message) for c in result.checks]


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_formulation_gets_full_marks(name):
    result = grade("ex11", sql_cell("ex11", CORRECT[name]))
    assert full_marks(result), [(c.name, c.status, c.message) for c in result.checks if c.status != "pass"]


def test_hard_coded_timestamp_fails_only_the_variable_check():
    result = grade("ex11", sql_cell("ex11", WRONG["reads_as_of_variable"][0]))
    assert failing(result) == {"reads_as_of_variable"}


def test_cartesian_counterexample_shows_the_fewest_events():
    result = grade("ex11", sql_cell("ex11", WRONG["grid_not_cartesian"][0]))
    check = next(c for c in result.checks if c.name == "grid_not_cartesian")
    assert check.tables[0].caption.startswith("events")
    assert any(t.caption == "returned but not expected" for t in check.tables)


def test_unanswered_placeholder_is_missing_not_failed():
    result = grade("ex11", sql_cell("ex11", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"))
    assert {c.status for c in result.checks} == {"missing"}
