"""Exercise 6's matrix: known-wrong answers and the exact checks each fails, and
other correct formulations (tests/test_matrix.py grades both). Never released: it names
the hidden checks."""

from grader.engine.matrix import sql_cell, wrong

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


def cell(sql: str) -> str:
    return sql_cell("ex06", sql)


SAMPLE = "matches_reference_on_sample"


ALL_SEVEN = {SAMPLE, "no_leakage", "window_edges", "window_is_seven_days", "retries_deduplicated",
             "all_types_in_impressions", "grid_is_observed_pairs"}


GRID = """SELECT DISTINCT e.user_id, e.item_id, a.as_of_ts, {n} AS clicks_7d, {n} AS views_7d, {n} AS impressions_7d
FROM events AS e
JOIN (VALUES (TIMESTAMP '2025-12-02 23:59:59'), (TIMESTAMP '2025-12-03 23:59:59')) AS a(as_of_ts)
  ON e.event_ts <= a.as_of_ts AND e.event_ts > a.as_of_ts - INTERVAL 7 DAY"""


# Every known-wrong answer and the exact checks it fails: one slip, the check named for it (and
# the public sample check where the sample shows it).
MATRIX = {
    "no_upper_bound": wrong("ex06", {SAMPLE, "no_leakage"}, cell(counts("e.event_ts > a.as_of_ts - INTERVAL '7 days'"))),
    "window_closed_at_start": wrong("ex06", {SAMPLE, "window_edges"},
        cell(counts("e.event_ts <= a.as_of_ts AND e.event_ts >= a.as_of_ts - INTERVAL '7 days'"))),
    "window_open_at_end": wrong("ex06", {SAMPLE, "window_edges"},
        cell(counts("e.event_ts < a.as_of_ts AND e.event_ts > a.as_of_ts - INTERVAL '7 days'"))),
    "window_end_by_date": wrong("ex06", {SAMPLE, "window_edges"},
        cell(counts("CAST(e.event_ts AS DATE) <= CAST(a.as_of_ts AS DATE) AND e.event_ts > a.as_of_ts - INTERVAL '7 days'"))),
    # BETWEEN closes both ends; whole days drop the half second after the start, keep the one after the end
    "window_by_between": wrong("ex06", {SAMPLE, "window_edges"},
        cell(counts("e.event_ts BETWEEN a.as_of_ts - INTERVAL '7 days' AND a.as_of_ts"))),
    # only the start by whole days: the event half a second after as_of_ts - 7 days is dropped
    "window_start_by_date": wrong("ex06", {SAMPLE, "window_edges"},
        cell(counts("e.event_ts <= a.as_of_ts AND CAST(e.event_ts AS DATE) > CAST(a.as_of_ts AS DATE) - 7"))),
    "window_on_whole_days": wrong("ex06", {SAMPLE, "window_edges"},
        cell(counts("CAST(e.event_ts AS DATE) BETWEEN CAST(a.as_of_ts AS DATE) - INTERVAL 6 DAY AND CAST(a.as_of_ts AS DATE)"))),
    # a window a day too short or too long: not an edge, the length
    "six_day_window": wrong("ex06", {SAMPLE, "window_is_seven_days"},
        cell(counts("e.event_ts <= a.as_of_ts AND e.event_ts > a.as_of_ts - INTERVAL '6 days'"))),
    "eight_day_window": wrong("ex06", {SAMPLE, "window_is_seven_days"},
        cell(counts("e.event_ts <= a.as_of_ts AND e.event_ts > a.as_of_ts - INTERVAL '8 days'"))),
    "retries_counted": wrong("ex06", {SAMPLE, "retries_deduplicated"}, cell(counts(RIGHT_WINDOW, source="events"))),
    # deduplicated on the event's content, not on event_id: two clicks in one second become one
    "dedup_on_content_not_event_id": wrong("ex06", {SAMPLE, "retries_deduplicated"},
        cell(counts(RIGHT_WINDOW, source="(SELECT DISTINCT user_id, item_id, event_ts, event_type FROM events)"))),
    # sum(CASE ... THEN 1 END) without ELSE 0: a pair with no click has clicks_7d NULL, not 0
    "zero_counts_as_null": wrong("ex06", {SAMPLE, "all_types_in_impressions"}, cell(counts(RIGHT_WINDOW).replace(
        "count(*) FILTER (WHERE event_type = 'click')", "sum(CASE WHEN event_type = 'click' THEN 1 END)").replace(
        "count(*) FILTER (WHERE event_type = 'view')", "sum(CASE WHEN event_type = 'view' THEN 1 END)"))),
    # count() of a boolean (or of CASE ... ELSE 0) counts every event: clicks_7d is the pair's
    # impressions. A slip about counting by type, not about leakage, retries, the window or the grid
    "count_of_a_boolean_counts_every_event": wrong("ex06", {SAMPLE, "all_types_in_impressions"}, cell(counts(RIGHT_WINDOW).replace(
        "count(*) FILTER (WHERE event_type = 'click')", "count(event_type = 'click')"))),
    # clicks_7d and views_7d swapped (or a type spelled otherwise than stored): a slip about which
    # events a by-type count counts, not about leakage, retries, the window or the grid
    "clicks_and_views_swapped": wrong("ex06", {SAMPLE, "all_types_in_impressions"}, cell(counts(RIGHT_WINDOW).replace(
        "FILTER (WHERE event_type = 'click') AS clicks_7d", "FILTER (WHERE event_type = 'view') AS clicks_7d").replace(
        "FILTER (WHERE event_type = 'view') AS views_7d", "FILTER (WHERE event_type = 'click') AS views_7d"))),
    "impressions_of_clicks_and_views_only": wrong("ex06", {SAMPLE, "all_types_in_impressions"},
        cell(counts(RIGHT_WINDOW, impressions="count(*) FILTER (WHERE event_type IN ('click', 'view'))"))),
    "all_time_pairs_zero_filled": wrong("ex06", {SAMPLE, "grid_is_observed_pairs"}, cell(f"""
        WITH g AS (SELECT DISTINCT user_id, item_id, as_of_ts FROM events, {AS_OF} a),
        c AS ({counts(RIGHT_WINDOW)})
        SELECT g.user_id, g.item_id, g.as_of_ts, coalesce(clicks_7d, 0) AS clicks_7d,
               coalesce(views_7d, 0) AS views_7d, coalesce(impressions_7d, 0) AS impressions_7d
        FROM g LEFT JOIN c USING (user_id, item_id, as_of_ts)""")),
    # the grid of pairs active in either window, zero-filled at both as-of times: a pair whose
    # events all fall in one window gets a row of zeros at the other
    "grid_of_either_window_at_both_times": wrong("ex06", {SAMPLE, "grid_is_observed_pairs"}, cell(f"""
        WITH g AS (SELECT DISTINCT user_id, item_id, a.as_of_ts FROM events, {AS_OF} a
                   WHERE event_ts > TIMESTAMP '2025-11-25 23:59:59' AND event_ts <= TIMESTAMP '2025-12-03 23:59:59'),
        c AS ({counts(RIGHT_WINDOW)})
        SELECT g.user_id, g.item_id, g.as_of_ts, coalesce(clicks_7d, 0) AS clicks_7d,
               coalesce(views_7d, 0) AS views_7d, coalesce(impressions_7d, 0) AS impressions_7d
        FROM g LEFT JOIN c USING (user_id, item_id, as_of_ts)""")),
    # one aggregate per type, INNER JOINed: a pair without a click (or without a view) loses its
    # row. A slip about counting by type (a pair with no click is a row with clicks_7d 0), not
    # about leakage, the window or retries
    "per_type_counts_inner_joined": wrong("ex06", {SAMPLE, "all_types_in_impressions"}, cell(f"""
        WITH w AS (SELECT e.*, a.as_of_ts FROM (SELECT DISTINCT * FROM events) e JOIN {AS_OF} a ON {RIGHT_WINDOW}),
        c AS (SELECT user_id, item_id, as_of_ts, count(*) AS clicks_7d FROM w WHERE event_type = 'click' GROUP BY ALL),
        v AS (SELECT user_id, item_id, as_of_ts, count(*) AS views_7d FROM w WHERE event_type = 'view' GROUP BY ALL),
        i AS (SELECT user_id, item_id, as_of_ts, count(*) AS impressions_7d FROM w GROUP BY ALL)
        SELECT i.user_id, i.item_id, i.as_of_ts, c.clicks_7d, v.views_7d, i.impressions_7d
        FROM i JOIN c USING (user_id, item_id, as_of_ts) JOIN v USING (user_id, item_id, as_of_ts)""")),
    "users_x_items_zero_filled": wrong("ex06", {SAMPLE, "grid_is_observed_pairs"}, cell(f"""
        WITH g AS (SELECT user_id, item_id, as_of_ts FROM users, items, {AS_OF} a),
        c AS ({counts(RIGHT_WINDOW)})
        SELECT g.user_id, g.item_id, g.as_of_ts, coalesce(clicks_7d, 0) AS clicks_7d,
               coalesce(views_7d, 0) AS views_7d, coalesce(impressions_7d, 0) AS impressions_7d
        FROM g LEFT JOIN c USING (user_id, item_id, as_of_ts)""")),
    # issue 11: only one of the two as-of times is a grid mistake, not six
    "one_as_of_time_only": wrong("ex06", {SAMPLE, "grid_is_observed_pairs"},
        cell(counts(RIGHT_WINDOW).replace(AS_OF, "(SELECT TIMESTAMP '2025-12-02 23:59:59' AS as_of_ts)"))),
    # a wrong type is reported as one: every row differs, and the message says why
    "as_of_ts_as_text": wrong("ex06", {SAMPLE, "no_leakage", "window_edges", "window_is_seven_days", "retries_deduplicated",
                                      "all_types_in_impressions", "grid_is_observed_pairs"},
        cell(counts(RIGHT_WINDOW).replace("a.as_of_ts,", "CAST(a.as_of_ts AS VARCHAR) AS as_of_ts,", 1))),
    # counts nothing: the grid with zero counts agrees with itself when the edge events move, so
    # window_edges (a control check) must not pass it
    # counts nothing either: 1 everywhere gets every count of 1 right, and agrees with itself when
    # the edge events move; the edge fixture's right counts are 0, 2 or 3, so window_edges fails it
    "grid_of_ones": wrong("ex06", ALL_SEVEN, cell(GRID.format(n=1))),
    # a key column of a nested type is a wrong type every check reports, never an internal error
    "user_id_as_a_list": wrong("ex06", ALL_SEVEN,
        cell(counts(RIGHT_WINDOW).replace("SELECT e.user_id,", "SELECT [e.user_id] AS user_id,", 1))),
    "grid_with_zero_counts": wrong("ex06", {SAMPLE, "no_leakage", "window_edges", "window_is_seven_days",
                                           "retries_deduplicated", "all_types_in_impressions", "grid_is_observed_pairs"},
        cell("""SELECT DISTINCT e.user_id, e.item_id, a.as_of_ts, 0 AS clicks_7d, 0 AS views_7d, 0 AS impressions_7d
                FROM events AS e
                JOIN (VALUES (TIMESTAMP '2025-12-02 23:59:59'), (TIMESTAMP '2025-12-03 23:59:59')) AS a(as_of_ts)
                  ON e.event_ts <= a.as_of_ts AND e.event_ts > a.as_of_ts - INTERVAL 7 DAY""")),
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
