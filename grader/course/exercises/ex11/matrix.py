"""Exercise 11's matrix: known-wrong answers and the exact checks each fails, and
other correct formulations (tests/test_matrix.py grades both). Never released: it names
the hidden checks."""

from grader.engine.matrix import sql_cell, wrong

AS_OF = "getvariable('as_of_ts')"


RIGHT = f"event_ts <= {AS_OF} AND event_ts > {AS_OF} - INTERVAL '7 days'"


def pairs(where: str = RIGHT, distinct: str = "DISTINCT") -> str:
    return f"SELECT {distinct} user_id, item_id FROM events WHERE {where}"


def cell(sql: str) -> str:
    return sql_cell("ex11", sql)


SAMPLE = "matches_reference_on_sample"


# Every known-wrong grid and the exact checks it fails.
MATRIX = {
    # issue 11: a Cartesian grid failed every check; it is judged by grid_not_cartesian alone
    "cartesian_users_x_items": wrong("ex11", {SAMPLE, "grid_not_cartesian"},
        cell("SELECT u.user_id, i.item_id FROM users u CROSS JOIN items i")),
    # no window at all: both the old and the future events' pairs come in
    "every_pair_ever": wrong("ex11", {SAMPLE, "grid_not_all_time", "no_leakage"}, cell("SELECT DISTINCT user_id, item_id FROM events")),
    "no_window_start": wrong("ex11", {SAMPLE, "grid_not_all_time"}, cell(pairs(f"event_ts <= {AS_OF}"))),
    "one_row_per_event": wrong("ex11", {SAMPLE, "pairs_distinct"}, cell(pairs(distinct=""))),
    "one_row_per_event_type": wrong("ex11", {SAMPLE, "pairs_distinct"},
        cell(f"SELECT user_id, item_id, event_type FROM events WHERE {RIGHT} GROUP BY user_id, item_id, event_type")),
    # issue 11: pairs missing were told "a pair appears more than once"
    "clicks_and_views_only": wrong("ex11", {SAMPLE, "grid_has_every_active_pair"},
        cell(pairs(f"{RIGHT} AND event_type IN ('click', 'view')"))),
    "no_window_end": wrong("ex11", {SAMPLE, "no_leakage"}, cell(pairs(f"event_ts > {AS_OF} - INTERVAL '7 days'"))),
    "window_end_a_day_late": wrong("ex11", {SAMPLE, "no_leakage", "reads_as_of_on_sample"},
        cell(pairs(f"event_ts::DATE <= {AS_OF}::DATE + 1 AND event_ts > {AS_OF} - INTERVAL '7 days'"))),
    # a window a day short also loses the pair whose only event is a second inside the start
    "six_day_window": wrong("ex11", {SAMPLE, "window_edges", "window_is_seven_days"},
        cell(pairs(f"event_ts <= {AS_OF} AND event_ts > {AS_OF} - INTERVAL '6 days'"))),
    "eight_day_window": wrong("ex11", {SAMPLE, "window_is_seven_days"},
        cell(pairs(f"event_ts <= {AS_OF} AND event_ts > {AS_OF} - INTERVAL '8 days'"))),
    "window_closed_at_start": wrong("ex11", {SAMPLE, "window_edges"},
        cell(pairs(f"event_ts <= {AS_OF} AND event_ts >= {AS_OF} - INTERVAL '7 days'"))),
    "window_open_at_end": wrong("ex11", {SAMPLE, "window_edges"}, cell(pairs(f"event_ts < {AS_OF} AND event_ts > {AS_OF} - INTERVAL '7 days'"))),
    "between_both_edges": wrong("ex11", {SAMPLE, "window_edges"}, cell(pairs(f"event_ts BETWEEN {AS_OF} - INTERVAL '7 days' AND {AS_OF}"))),
    # the start on whole days, the end on the timestamp: the pair whose only event is half a
    # second after as_of_ts - 7 days is lost (it reads the variable as given)
    "window_start_by_date": wrong("ex11", {SAMPLE, "window_edges"},
        cell(pairs(f"event_ts <= {AS_OF} AND CAST(event_ts AS DATE) > CAST({AS_OF} AS DATE) - 7"))),
    "hard_coded_as_of": wrong("ex11", {"reads_as_of_on_sample", "reads_as_of_variable"},
        cell(pairs("event_ts <= TIMESTAMP '2025-12-02 23:59:59' AND event_ts > TIMESTAMP '2025-11-25 23:59:59'"))),
    # rounding to whole days: wrong for a noon as-of time, and counts the half second after a day end
    "as_of_rounded_to_days": wrong("ex11", {SAMPLE, "reads_as_of_on_sample", "reads_as_of_variable", "window_edges"},
        cell(pairs(f"event_ts < {AS_OF}::DATE + INTERVAL '1 day' AND event_ts >= {AS_OF}::DATE - INTERVAL '6 days'"))),
    # the window tested on a pair's first and last events, not on each event: a pair seen before
    # the window and again after the as-of time, never in it, gets in (the sample has none)
    "window_on_first_and_last_event": wrong("ex11", {"no_leakage"},
        cell(f"SELECT user_id, item_id FROM events GROUP BY user_id, item_id "
             f"HAVING min(event_ts) <= {AS_OF} AND max(event_ts) > {AS_OF} - INTERVAL '7 days'")),
    # now() instead of the variable: no pair at all for any past as-of time, so nothing is earned
    "now_instead_of_as_of": wrong("ex11", {SAMPLE, "reads_as_of_on_sample", "grid_not_cartesian", "grid_has_every_active_pair", "grid_not_all_time",
                                           "pairs_distinct", "no_leakage", "window_edges", "window_is_seven_days", "reads_as_of_variable"},
        cell(pairs("event_ts <= now() AND event_ts > now() - INTERVAL '7 days'"))),
}


CORRECT = {
    "distinct_where": pairs(),
    # Exercise 3's point-in-time dimensions: consistent fixtures make the join a no-op
    "dimensions_joined_at_the_as_of_time": f"""
        SELECT DISTINCT e.user_id, e.item_id FROM events e
        JOIN users u ON u.user_id = e.user_id AND u.signup_ts <= {AS_OF}
        JOIN items i ON i.item_id = e.item_id AND i.created_ts <= {AS_OF}
        WHERE {RIGHT.replace('event_ts', 'e.event_ts')}""",
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
