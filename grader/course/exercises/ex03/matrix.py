"""Exercise 3's matrix: known-wrong answers and the exact checks each fails, and
other correct formulations (tests/test_matrix.py grades both). Never released: it names
the hidden checks."""

from grader.engine.matrix import sql_cell, wrong

WHY = "'why': 'Joining raw events first pairs user events with item events, so counts multiply.'"


T = "getvariable('as_of_ts')"


WINDOW = f"event_ts <= {T} AND event_ts > {T} - INTERVAL '7 days'"


def order_answer(order: str) -> str:
    return f"ex03 = {{'order': {order}, {WHY}}}"


def pipeline(
    source: str = "(SELECT DISTINCT * FROM events)",
    user_window: str = WINDOW,
    signup: str = f"u.signup_ts <= {T}",
    created: str = f"i.created_ts <= {T}",
    ratio: str = "{c}::DOUBLE / NULLIF({i}, 0)",
    user_key: str = "user_id",
) -> str:
    """The reference shape, with one step swappable for a mistake."""
    r = lambda c, i: ratio.format(c=c, i=i)  # noqa: E731
    return f"""
WITH src AS (SELECT * FROM {source} s),
win AS (SELECT * FROM src WHERE {WINDOW}),
uf AS (SELECT {user_key}, count(*) FILTER (WHERE event_type = 'click') AS user_clicks_7d, count(*) AS user_impressions_7d
       FROM src WHERE {user_window} GROUP BY {user_key}),
itf AS (SELECT item_id, count(*) FILTER (WHERE event_type = 'click') AS item_clicks_7d, count(*) AS item_impressions_7d
        FROM win GROUP BY item_id),
grid AS (SELECT DISTINCT w.user_id, w.item_id FROM win w
         JOIN users u ON u.user_id = w.user_id AND {signup}
         JOIN items i ON i.item_id = w.item_id AND {created})
SELECT g.user_id, g.item_id, {T} AS as_of_ts, user_clicks_7d, user_impressions_7d, item_clicks_7d, item_impressions_7d,
       {r('user_clicks_7d', 'user_impressions_7d')} AS user_ctr_7d, {r('item_clicks_7d', 'item_impressions_7d')} AS item_ctr_7d
FROM grid g JOIN uf ON uf.user_id = g.user_id JOIN itf ON itf.item_id = g.item_id"""


RIGHT_ORDER = '["user_features", "item_features", "join", "derived", "write"]'


FANOUT = f"""
WITH d AS (SELECT DISTINCT * FROM events WHERE {WINDOW}),
grid AS (SELECT DISTINCT user_id, item_id FROM d)
SELECT g.user_id, g.item_id, {T} AS as_of_ts,
       count(*) FILTER (WHERE ue.event_type = 'click') AS user_clicks_7d, count(*) AS user_impressions_7d,
       count(*) FILTER (WHERE ie.event_type = 'click') AS item_clicks_7d, count(*) AS item_impressions_7d,
       count(*) FILTER (WHERE ue.event_type = 'click') / count(*) AS user_ctr_7d,
       count(*) FILTER (WHERE ie.event_type = 'click') / count(*) AS item_ctr_7d
FROM grid g
JOIN users u ON u.user_id = g.user_id AND u.signup_ts <= {T}
JOIN items i ON i.item_id = g.item_id AND i.created_ts <= {T}
JOIN d ue ON ue.user_id = g.user_id
JOIN d ie ON ie.item_id = g.item_id
GROUP BY g.user_id, g.item_id"""


PAIR_LEVEL = f"""
SELECT e.user_id, e.item_id, {T} AS as_of_ts,
       count(*) FILTER (WHERE event_type = 'click') AS user_clicks_7d, count(*) AS user_impressions_7d,
       count(*) FILTER (WHERE event_type = 'click') AS item_clicks_7d, count(*) AS item_impressions_7d,
       count(*) FILTER (WHERE event_type = 'click') / count(*) AS user_ctr_7d,
       count(*) FILTER (WHERE event_type = 'click') / count(*) AS item_ctr_7d
FROM (SELECT DISTINCT * FROM events) e
JOIN users u ON u.user_id = e.user_id AND u.signup_ts <= {T}
JOIN items i ON i.item_id = e.item_id AND i.created_ts <= {T}
WHERE {WINDOW.replace('event_ts', 'e.event_ts')}
GROUP BY e.user_id, e.item_id"""


SAMPLE = "matches_reference_on_sample"


WRONG = {
    # a percentage on every row: the ratio's check, not reading the as-of time (an own-rows check finds its keys)
    "ratio_as_a_percentage": ({SAMPLE, "ctr_is_double"}, pipeline(ratio="100.0 * {c} / NULLIF({i}, 0)")),
    # as_of_ts as a DATE: the sample check names the type; the checks at another as-of time move a DATE by days
    "as_of_ts_as_a_date": ({SAMPLE}, pipeline().replace(f"{T} AS as_of_ts", f"CAST({T} AS DATE) AS as_of_ts")),
    "no_signup_filter": ({"point_in_time_users"}, pipeline(signup="TRUE")),
    "signup_strictly_before": ({SAMPLE, "point_in_time_users"}, pipeline(signup=f"u.signup_ts < {T}")),
    "no_created_filter": ({"point_in_time_items"}, pipeline(created="TRUE")),
    "created_strictly_before": ({SAMPLE, "point_in_time_items"}, pipeline(created=f"i.created_ts < {T}")),
    "aggregates_after_joining_events": ({SAMPLE, "no_join_fanout"}, FANOUT),
    "pair_level_counts": ({SAMPLE, "entity_level_counts"}, PAIR_LEVEL),
    "user_features_all_time": ({SAMPLE, "entity_features_no_leakage"}, pipeline(user_window="TRUE")),
    "user_features_no_upper_bound": ({SAMPLE, "entity_features_no_leakage"}, pipeline(user_window=f"event_ts > {T} - INTERVAL '7 days'")),
    # a window a day short (a day too long adds events from before the window: no_leakage's fixture)
    "user_window_six_days": ({SAMPLE, "window_is_seven_days"},
        pipeline(user_window=f"event_ts <= {T} AND event_ts > {T} - INTERVAL '6 days'")),
    # the grid from every pair ever seen (its user and item each active in the window): a pair
    # whose only events are older than the window gets a row
    "grid_of_all_time_pairs": ({SAMPLE, "entity_features_no_leakage"}, pipeline().replace("FROM win w\n", "FROM src w\n")),
    # the grid as users x items (each user and item active in the window and existing at T), not
    # the observed pairs: not a point-in-time or fan-out slip, the grid's own
    "grid_users_x_items": ({SAMPLE, "grid_is_observed_pairs"}, pipeline().replace(
        "SELECT DISTINCT w.user_id, w.item_id FROM win w\n         JOIN users u ON u.user_id = w.user_id AND",
        "SELECT u.user_id, i.item_id FROM users u\n         JOIN items i ON").replace(
        "JOIN items i ON i.item_id = w.item_id AND i.created_ts", "AND i.created_ts")),
    # both windows drawn on whole days: the event half a second after as_of_ts is counted (the
    # sample's), one half a second after as_of_ts - 7 days lost. It reads the as-of time, so
    # reads_as_of_on_sample (the sample moved by whole days) has nothing to say
    "windows_on_whole_days": ({SAMPLE, "window_edges"}, pipeline().replace(
        WINDOW, f"CAST(event_ts AS DATE) <= CAST({T} AS DATE) AND CAST(event_ts AS DATE) > CAST({T} AS DATE) - 7")),
    # >= at the start (as BETWEEN writes it), on timestamps: only the event exactly 7 days
    # before as_of_ts is taken in, an edge slip, not leakage
    "window_closed_at_start": ({SAMPLE, "window_edges"}, pipeline().replace(
        WINDOW, f"event_ts <= {T} AND event_ts >= {T} - INTERVAL '7 days'")),
    # a user must have existed for the whole window: drops users who signed up inside it, a
    # point-in-time slip that reads the variable as given
    "signup_before_the_window": ({SAMPLE, "point_in_time_users"}, pipeline(signup=f"u.signup_ts <= {T} - INTERVAL '7 days'")),
    "retries_counted": ({SAMPLE, "retries_deduplicated"}, pipeline(source="events")),
    # deduplicated on the event's content, not on event_id: two clicks in one second become one
    "dedup_on_content_not_event_id": ({SAMPLE, "retries_deduplicated"},  # the sample holds such a pair too
        pipeline(source="(SELECT DISTINCT user_id, item_id, event_ts, event_type FROM events)")),
    # counts by type gone wrong (impressions of clicks and views only; count() of a boolean counts
    # every event, so clicks equal impressions): the ratio is right for the counts returned, and no
    # fan-out, pair-level count or precision slip; ex03 has no event-type check, so the sample's
    # finding, which names the columns, is the one that says it
    "impressions_of_clicks_and_views_only": ({SAMPLE}, pipeline().replace(
        "count(*) AS user_impressions_7d", "count(*) FILTER (WHERE event_type IN ('click', 'view')) AS user_impressions_7d").replace(
        "count(*) AS item_impressions_7d", "count(*) FILTER (WHERE event_type IN ('click', 'view')) AS item_impressions_7d")),
    "clicks_count_of_a_boolean": ({SAMPLE}, pipeline().replace(
        "count(*) FILTER (WHERE event_type = 'click') AS user_clicks_7d", "count(event_type = 'click') AS user_clicks_7d")),
    "float_ratio": ({SAMPLE, "ctr_is_double"}, pipeline(ratio="{c}::FLOAT / NULLIF({i}, 0)")),
    "integer_division": ({SAMPLE, "ctr_is_double"}, pipeline(ratio="{c} // NULLIF({i}, 0)")),
    "hard_coded_as_of": ({"reads_as_of_on_sample", "reads_as_of_parameter"}, pipeline().replace(T, "TIMESTAMP '2025-12-04 23:59:59'")),
    # computes nothing: the observed grid with zero counts and NULL ratios agrees with itself on
    # every control (edges moved, retries removed, another as-of time), so no check may pass it
    "grid_with_zero_counts": ({SAMPLE, "reads_as_of_on_sample", "point_in_time_users", "point_in_time_items", "no_join_fanout",
                               "grid_is_observed_pairs", "entity_level_counts", "entity_features_no_leakage",
                               "window_edges", "window_is_seven_days",
                               "retries_deduplicated", "ctr_is_double", "reads_as_of_parameter"},
        f"""SELECT DISTINCT user_id, item_id, {T} AS as_of_ts, 0 AS user_clicks_7d, 0 AS user_impressions_7d,
                   0 AS item_clicks_7d, 0 AS item_impressions_7d, NULL::DOUBLE AS user_ctr_7d, NULL::DOUBLE AS item_ctr_7d
            FROM events WHERE event_ts <= {T} AND event_ts > {T} - INTERVAL 7 DAY"""),
}


CORRECT = {
    "reference_shape": pipeline(),
    "dims_filtered_in_where_and_union_entities": f"""
        WITH d AS (SELECT * FROM events WHERE {WINDOW}
                   QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY event_ts) = 1),
        ent AS (SELECT 'u' AS kind, user_id AS id, count(*) FILTER (WHERE event_type = 'click') AS c, count(*) AS n
                FROM d GROUP BY user_id
                UNION ALL
                SELECT 'i', item_id, count(*) FILTER (WHERE event_type = 'click'), count(*) FROM d GROUP BY item_id)
        SELECT p.user_id, p.item_id, {T} AS as_of_ts, uf.c AS user_clicks_7d, uf.n AS user_impressions_7d,
               itf.c AS item_clicks_7d, itf.n AS item_impressions_7d,
               CAST(uf.c AS DOUBLE) / uf.n AS user_ctr_7d, CAST(itf.c AS DOUBLE) / itf.n AS item_ctr_7d
        FROM (SELECT DISTINCT user_id, item_id FROM d) p, users u, items i, ent uf, ent itf
        WHERE u.user_id = p.user_id AND i.item_id = p.item_id
          AND u.signup_ts <= {T} AND i.created_ts <= {T}
          AND uf.kind = 'u' AND uf.id = p.user_id AND itf.kind = 'i' AND itf.id = p.item_id""",
    "window_functions_over_the_pairs": f"""
        WITH d AS (SELECT DISTINCT event_id, user_id, item_id, event_ts, event_type FROM events WHERE {WINDOW}),
        pairs AS (SELECT user_id, item_id,
                         count(*) FILTER (WHERE event_type = 'click') AS c, count(*) AS n
                  FROM d GROUP BY user_id, item_id),
        feats AS (SELECT user_id, item_id,
                         sum(c) OVER (PARTITION BY user_id) AS user_clicks_7d,
                         sum(n) OVER (PARTITION BY user_id) AS user_impressions_7d,
                         sum(c) OVER (PARTITION BY item_id) AS item_clicks_7d,
                         sum(n) OVER (PARTITION BY item_id) AS item_impressions_7d
                  FROM pairs)
        SELECT f.*, {T} AS AS_OF_TS,
               user_clicks_7d / NULLIF(user_impressions_7d, 0) AS user_ctr_7d,
               item_clicks_7d / NULLIF(item_impressions_7d, 0) AS item_ctr_7d
        FROM feats f
        WHERE f.user_id IN (SELECT user_id FROM users WHERE signup_ts <= {T})
          AND f.item_id IN (SELECT item_id FROM items WHERE created_ts <= {T})
        ORDER BY 1, 2""",
    "left_joins_with_coalesce": f"""
        WITH d AS (SELECT DISTINCT * FROM events WHERE {WINDOW}),
        uf AS (SELECT user_id, sum((event_type = 'click')::INT) AS user_clicks_7d, count(*) AS user_impressions_7d
               FROM d GROUP BY user_id),
        itf AS (SELECT item_id, sum(CASE WHEN event_type = 'click' THEN 1 ELSE 0 END) AS item_clicks_7d,
                       count(event_id) AS item_impressions_7d FROM d GROUP BY item_id),
        g AS (SELECT DISTINCT d.user_id, d.item_id FROM d
              WHERE EXISTS (SELECT 1 FROM users u WHERE u.user_id = d.user_id AND u.signup_ts <= {T})
                AND EXISTS (SELECT 1 FROM items i WHERE i.item_id = d.item_id AND i.created_ts <= {T}))
        SELECT g.user_id, g.item_id, {T} AS as_of_ts,
               coalesce(user_clicks_7d, 0) AS user_clicks_7d, coalesce(user_impressions_7d, 0) AS user_impressions_7d,
               coalesce(item_clicks_7d, 0) AS item_clicks_7d, coalesce(item_impressions_7d, 0) AS item_impressions_7d,
               user_clicks_7d / NULLIF(user_impressions_7d, 0)::DOUBLE AS user_ctr_7d,
               item_clicks_7d / NULLIF(item_impressions_7d, 0)::DOUBLE AS item_ctr_7d
        FROM g LEFT JOIN uf USING (user_id) LEFT JOIN itf USING (item_id)""",
}


# Every known-wrong pipeline and the exact checks it fails (the step order answered right).
MATRIX = {name: wrong("ex03", fails, order_answer(RIGHT_ORDER), sql_cell("ex03b", sql)) for name, (fails, sql) in WRONG.items()}
