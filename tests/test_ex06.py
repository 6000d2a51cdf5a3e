"""Exercise 6 as a specification: wrong answers fail the check named for their mistake;
different correct formulations get full marks."""

import pytest

from helpers import failing, full_marks, grade, sql_cell

AS_OF = """(SELECT * FROM (VALUES (TIMESTAMP '2025-12-02 23:59:59'), (TIMESTAMP '2025-12-03 23:59:59')) t(as_of_ts))"""


def counts(window: str, source: str = "(SELECT DISTINCT * FROM events)", impressions: str = "count(*)") -> str:
    return f"""
SELECT e.user_id, e.item_id, a.as_of_ts,
       count(*) FILTER (WHERE event_type = 'click') AS clicks_7d,
       count(*) FILTER (WHERE event_type = 'view') AS views_7d,
       {impressions} AS impressions_7d
FROM {source} e JOIN {AS_OF} a ON {window}
GROUP BY ALL"""


RIGHT_WINDOW = "e.event_ts <= a.as_of_ts AND e.event_ts > a.as_of_ts - INTERVAL '7 days'"

WRONG = {
    "no_leakage": [counts("e.event_ts > a.as_of_ts - INTERVAL '7 days'")],
    "window_edges": [
        counts("e.event_ts <= a.as_of_ts AND e.event_ts >= a.as_of_ts - INTERVAL '7 days'"),
        counts("e.event_ts < a.as_of_ts AND e.event_ts > a.as_of_ts - INTERVAL '7 days'"),
        counts("CAST(e.event_ts AS DATE) <= CAST(a.as_of_ts AS DATE) AND e.event_ts > a.as_of_ts - INTERVAL '7 days'"),
    ],
    "retries_deduplicated": [counts(RIGHT_WINDOW, source="events")],
    "all_types_in_impressions": [
        counts(RIGHT_WINDOW, impressions="count(*) FILTER (WHERE event_type IN ('click', 'view'))"),
    ],
    "grid_is_observed_pairs": [
        # all-time pairs, zero-filled
        f"""WITH g AS (SELECT DISTINCT user_id, item_id, as_of_ts FROM events, {AS_OF} a),
            c AS ({counts(RIGHT_WINDOW)})
            SELECT g.user_id, g.item_id, g.as_of_ts, coalesce(clicks_7d, 0) AS clicks_7d,
                   coalesce(views_7d, 0) AS views_7d, coalesce(impressions_7d, 0) AS impressions_7d
            FROM g LEFT JOIN c USING (user_id, item_id, as_of_ts)""",
        # users x items
        f"""WITH g AS (SELECT user_id, item_id, as_of_ts FROM users, items, {AS_OF} a),
            c AS ({counts(RIGHT_WINDOW)})
            SELECT g.user_id, g.item_id, g.as_of_ts, coalesce(clicks_7d, 0) AS clicks_7d,
                   coalesce(views_7d, 0) AS views_7d, coalesce(impressions_7d, 0) AS impressions_7d
            FROM g LEFT JOIN c USING (user_id, item_id, as_of_ts)""",
    ],
}

CORRECT = {
    "distinct_and_filter": counts(RIGHT_WINDOW),
    "qualify_and_union_all_per_date": """
        WITH d AS (SELECT * FROM events QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY event_ts) = 1)
        SELECT user_id, item_id, TIMESTAMP '2025-12-02 23:59:59' AS as_of_ts,
               sum(CASE WHEN event_type = 'click' THEN 1 ELSE 0 END) AS clicks_7d,
               sum(CASE WHEN event_type = 'view' THEN 1 ELSE 0 END) AS views_7d, count(*) AS impressions_7d
        FROM d WHERE event_ts <= TIMESTAMP '2025-12-02 23:59:59' AND event_ts > TIMESTAMP '2025-11-25 23:59:59'
        GROUP BY user_id, item_id
        UNION ALL
        SELECT user_id, item_id, TIMESTAMP '2025-12-03 23:59:59',
               sum(CASE WHEN event_type = 'click' THEN 1 ELSE 0 END),
               sum(CASE WHEN event_type = 'view' THEN 1 ELSE 0 END), count(*)
        FROM d WHERE event_ts <= TIMESTAMP '2025-12-03 23:59:59' AND event_ts > TIMESTAMP '2025-11-26 23:59:59'
        GROUP BY user_id, item_id""",
    "grid_left_join_coalesce_with_dedup": f"""
        WITH d AS (SELECT DISTINCT * FROM events),
        g AS (SELECT DISTINCT user_id, item_id, a.as_of_ts FROM d JOIN {AS_OF} a
              ON d.event_ts <= a.as_of_ts AND d.event_ts > a.as_of_ts - INTERVAL '7 days'),
        c AS ({counts(RIGHT_WINDOW, source='d')})
        SELECT g.user_id AS USER_ID, g.item_id, g.as_of_ts, coalesce(c.clicks_7d, 0) AS clicks_7d,
               coalesce(c.views_7d, 0) AS views_7d, coalesce(c.impressions_7d, 0) AS impressions_7d,
               'extra columns are ignored' AS note
        FROM g LEFT JOIN c USING (user_id, item_id, as_of_ts)""",
}


@pytest.mark.parametrize(
    "check,sql", [(check, sql) for check, sqls in WRONG.items() for sql in sqls], ids=lambda x: x if len(x) < 40 else ""
)
def test_wrong_answer_fails_the_check_named_for_its_mistake(check, sql):
    result = grade("ex06", sql_cell("ex06", sql))
    assert check in failing(result), [(c.name, c.status, c.message) for c in result.checks]


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_formulation_gets_full_marks(name):
    result = grade("ex06", sql_cell("ex06", CORRECT[name]))
    assert full_marks(result), [(c.name, c.status, c.message) for c in result.checks if c.status != "pass"]


def test_answer_may_build_on_an_earlier_saved_snippet():
    result = grade(
        "ex06",
        sql_cell("clean_events", "SELECT DISTINCT * FROM events"),
        sql_cell("ex06", counts(RIGHT_WINDOW, source="clean_events")),
    )
    assert full_marks(result)


def test_leaky_window_counterexample_is_shrunk_to_the_leaking_events():
    result = grade("ex06", sql_cell("ex06", WRONG["no_leakage"][0]))
    leak = next(c for c in result.checks if c.name == "no_leakage")
    events = leak.tables[0]
    assert events.caption.startswith("events: the fewest rows")
    assert 1 <= len(events.rows) <= 2  # one future event suffices to show the leak


def test_unanswered_placeholder_is_missing_not_failed():
    result = grade("ex06", sql_cell("ex06", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"))
    assert {c.status for c in result.checks} == {"missing"}
    assert result.score == 0


def test_a_leaky_window_fails_only_the_checks_about_time():
    """Fixtures isolate mistakes: with dedup right, a window without an upper bound is caught
    by no_leakage (and window_edges, whose half-second-late event is leakage too), nothing else."""
    sql = counts("e.event_ts > a.as_of_ts - INTERVAL '7 days'")
    result = grade("ex06", sql_cell("ex06", sql))
    assert failing(result) - {"matches_reference_on_sample"} == {"no_leakage", "window_edges"}
