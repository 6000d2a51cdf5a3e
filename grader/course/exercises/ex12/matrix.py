"""Exercise 12's matrix: known-wrong backfills and the exact checks each fails (with the other
ex12 answers right), and other correct backfills (tests/test_matrix.py grades the wrong ones,
tests/test_ex12.py the correct ones beside the other answers). Never released: it names the
hidden checks."""

from grader.engine.matrix import sql_cell, wrong
# counts by type gone wrong, spelled as both jobs spell their counts
from grader.course.exercises.ex08.matrix import BOOLEAN_COUNT, CLICKS, NULL_WHERE_NONE, VIEWS

START, END = "getvariable('start_ts')", "getvariable('end_ts')"
DAYS = f"SELECT unnest(generate_series({START}, {END}, INTERVAL 1 DAY)) AS as_of_ts"
RIGHT_WINDOW = "e.event_ts <= d.as_of_ts AND e.event_ts > d.as_of_ts - INTERVAL 7 DAY"
IN_RANGE = f"as_of_ts BETWEEN {START} AND {END}"
NEXT_DAY = "(SELECT last_as_of_ts + INTERVAL 1 DAY FROM feature_job_control WHERE job_key = 'user_item_features_daily')"


def rows(days: str = DAYS, window: str = RIGHT_WINDOW, source: str = "(SELECT DISTINCT * FROM events)",
         impressions: str = "count(*)") -> str:
    return f"""
SELECT e.user_id, e.item_id, d.as_of_ts,
       count(*) FILTER (WHERE e.event_type = 'click') AS clicks_7d,
       count(*) FILTER (WHERE e.event_type = 'view') AS views_7d,
       {impressions} AS impressions_7d,
       count(*) FILTER (WHERE e.event_type = 'click')::DOUBLE / NULLIF({impressions}, 0) AS ctr_7d
FROM {source} e JOIN ({days}) d ON {window}
GROUP BY ALL"""


def overwrite(delete_where: str = IN_RANGE, **kw) -> str:
    return f"BEGIN;\nDELETE FROM feature_table WHERE {delete_where};\nINSERT INTO feature_table {rows(**kw)};\nCOMMIT;"


MERGE = f"""MERGE INTO feature_table t USING ({rows()}) s
ON t.user_id = s.user_id AND t.item_id = s.item_id AND t.as_of_ts = s.as_of_ts
WHEN MATCHED THEN UPDATE SET clicks_7d = s.clicks_7d, views_7d = s.views_7d,
     impressions_7d = s.impressions_7d, ctr_7d = s.ctr_7d
WHEN NOT MATCHED THEN INSERT VALUES (s.user_id, s.item_id, s.as_of_ts, s.clicks_7d, s.views_7d, s.impressions_7d, s.ctr_7d);"""
DAY_CAST = "CAST(e.event_ts AS DATE) BETWEEN CAST(d.as_of_ts AS DATE) - INTERVAL 6 DAY AND CAST(d.as_of_ts AS DATE)"
CLICKS_AND_VIEWS = "count(*) FILTER (WHERE e.event_type IN ('click', 'view'))"

# name -> (backfill script, the exact set of Exercise 12 checks it fails). One mistake each; a
# DELETE that is not bounded by the range wipes what the other job wrote, so it shows in the overlap
# schedules as well as in leaves_other_days_alone. Concurrency is judged on what it adds: when the
# two backfills run one after the other already disagree, each interleaving must end as one of
# those serial orders does (serializability), so only a concurrency bug fails it.
WRONG = {
    "plain_insert": (
        # not idempotent: shows in every schedule that writes a day twice, and on stale rows
        f"INSERT INTO feature_table {rows()};",
        {"backfill_matches_reference", "overlapping_backfills_both_orders", "overwrites_stale_rows", "rerun_backfill_is_idempotent"}),
    "delete_without_upper_bound": (
        overwrite(delete_where=f"as_of_ts >= {START}"),  # wipes later days
        {"leaves_other_days_alone", "other_days_left_as_they_were", "overlapping_backfills_both_orders"}),
    "truncate_and_reload_one_range": (
        overwrite(delete_where="true"),
        {"leaves_other_days_alone", "other_days_left_as_they_were", "overlapping_backfills_both_orders"}),
    "deletes_the_whole_month": (
        overwrite(delete_where=f"date_trunc('month', as_of_ts) = date_trunc('month', {START})"),
        {"leaves_other_days_alone", "other_days_left_as_they_were", "overlapping_backfills_both_orders"}),
    "end_day_excluded": (
        # and its DELETE (both ends) clears the other job's end day: B then A loses 12-05
        overwrite(days=f"SELECT unnest(range({START}, {END}, INTERVAL 1 DAY)) AS as_of_ts"),
        {"backfill_matches_reference", "overlapping_backfills_both_orders"}),
    # the DELETE stops a day short: the end day's old rows stay beside the new ones
    "delete_a_day_short": (
        overwrite(delete_where=f"as_of_ts >= {START} AND as_of_ts < {END}"),
        # (and the stale end day of overwrites_stale_rows' table holds the keys the INSERT writes)
        {"backfill_matches_reference", "overlapping_backfills_both_orders", "rerun_backfill_is_idempotent",
         "overwrites_stale_rows"}),
    "window_without_upper_bound": (
        overwrite(window="e.event_ts > d.as_of_ts - INTERVAL 7 DAY"),
        {"backfill_matches_reference", "window_edges"}),
    "window_on_whole_days": (
        # the sample's event at 12-02 23:59:59.5 shows it too
        overwrite(window=DAY_CAST),
        {"backfill_matches_reference", "window_edges"}),
    "retries_counted_twice": (
        overwrite(source="events"),
        {"backfill_matches_reference", "retries_deduplicated"}),
    # deduplicated on the event's content, not on event_id: two clicks in one second become one
    "dedup_on_content_not_event_id": (
        overwrite(source="(SELECT DISTINCT user_id, item_id, event_ts, event_type FROM events)"),
        {"backfill_matches_reference", "retries_deduplicated"}),
    # a row for every user x item x day (a LEFT JOIN from a cross join): the extra rows have no
    # event in their window (all counts 0), which is not a window, retry or event-type mistake
    "grid_of_every_user_and_item": (
        f"""BEGIN;
DELETE FROM feature_table WHERE {IN_RANGE};
INSERT INTO feature_table
SELECT u.user_id, i.item_id, d.as_of_ts,
       count(e.event_id) FILTER (WHERE e.event_type = 'click'), count(e.event_id) FILTER (WHERE e.event_type = 'view'),
       count(e.event_id), count(e.event_id) FILTER (WHERE e.event_type = 'click')::DOUBLE / NULLIF(count(e.event_id), 0)
FROM users u CROSS JOIN items i CROSS JOIN ({DAYS}) d
LEFT JOIN (SELECT DISTINCT * FROM events) e ON e.user_id = u.user_id AND e.item_id = i.item_id AND {RIGHT_WINDOW}
GROUP BY ALL;
COMMIT;""",
        {"backfill_matches_reference"}),
    "clicks_null_where_none": (
        # sum(CASE ... THEN 1 END) without ELSE 0: a pair without a click gets NULL, not 0
        overwrite().replace(CLICKS, NULL_WHERE_NONE),
        {"backfill_matches_reference", "all_types_in_impressions"}),
    "views_count_of_a_boolean": (
        # count() of a boolean counts every event: views_7d equals impressions_7d
        overwrite().replace(VIEWS, BOOLEAN_COUNT),
        {"backfill_matches_reference", "all_types_in_impressions"}),
    "impressions_only_clicks_and_views": (
        overwrite(impressions=CLICKS_AND_VIEWS),
        {"backfill_matches_reference", "all_types_in_impressions"}),
    "ctr_as_float": (
        overwrite().replace("::DOUBLE", "::FLOAT"),
        {"backfill_matches_reference"}),
    "on_conflict_do_nothing": (
        f"INSERT INTO feature_table {rows()} ON CONFLICT DO NOTHING;",
        {"backfill_matches_reference", "overwrites_stale_rows"}),
    # A backfill replaces every day of its range: a DELETE that stops a day short of the INSERT's
    # range, with a write that skips existing keys, keeps that day's stale rows (first or last day)
    "delete_stops_a_day_short_insert_or_ignore": (
        f"BEGIN;\nDELETE FROM feature_table WHERE as_of_ts >= {START} AND as_of_ts < {END};\n"
        f"INSERT OR IGNORE INTO feature_table {rows()};\nCOMMIT;",
        {"backfill_matches_reference", "overwrites_stale_rows"}),  # the sample's end day holds stale rows too
    "delete_starts_a_day_late_on_conflict_do_nothing": (
        f"BEGIN;\nDELETE FROM feature_table WHERE as_of_ts > {START} AND as_of_ts <= {END};\n"
        f"INSERT INTO feature_table {rows()} ON CONFLICT DO NOTHING;\nCOMMIT;",
        {"backfill_matches_reference", "overwrites_stale_rows"}),  # the sample's first day holds stale rows
    # MERGE / INSERT OR REPLACE alone update the keys the backfill produces and keep the ones it no
    # longer produces (a pair whose events are gone from that day's window)
    # (the sample's first and last days hold such a key too)
    "merge_keeps_keys_no_longer_produced": (MERGE, {"backfill_matches_reference", "overwrites_stale_rows"}),
    "insert_or_replace_keeps_keys_no_longer_produced": (
        f"INSERT OR REPLACE INTO feature_table {rows()};", {"backfill_matches_reference", "overwrites_stale_rows"}),
    # the control row is the incremental job's: a backfill moves no watermark, records no run
    "moves_the_watermark_to_its_end": (
        overwrite() + "\nUPDATE feature_job_control SET last_as_of_ts = getvariable('end_ts'), last_run_ts = now() "
                      "WHERE job_key = 'user_item_features_daily';",
        {"control_table_left_as_it_was", "backfill_leaves_control_rows_alone"}),
    "records_its_run_in_the_control_row": (
        overwrite() + "\nUPDATE feature_job_control SET last_run_ts = now();",
        {"control_table_left_as_it_was", "backfill_leaves_control_rows_alone"}),
    # the range written into the script (the lesson's SET VARIABLE cell copied): right for [12-01, 12-07]
    # and for A and B together; a backfill of [12-03, 12-05] rewrites days other jobs wrote
    "range_written_into_the_script": (
        "BEGIN;\nDELETE FROM feature_table WHERE as_of_ts BETWEEN TIMESTAMP '2025-12-01 23:59:59' AND TIMESTAMP '2025-12-07 23:59:59';\n"
        "INSERT INTO feature_table " + rows(days="SELECT unnest(generate_series(TIMESTAMP '2025-12-01 23:59:59', "
                                               "TIMESTAMP '2025-12-07 23:59:59', INTERVAL 1 DAY)) AS as_of_ts") + ";\nCOMMIT;",
        {"leaves_other_days_alone", "other_days_left_as_they_were"}),
    # the as-of days taken from the events' dates, not generated from the range: a day of the range on
    # which no event happened (its window holds events) is never written; every sample day has events
    "as_of_days_from_the_events_dates": (
        overwrite(days="SELECT DISTINCT CAST(event_ts AS DATE) + INTERVAL '23:59:59' AS as_of_ts FROM events "
                       f"WHERE CAST(event_ts AS DATE) BETWEEN CAST({START} AS DATE) AND CAST({END} AS DATE)"),
        {"writes_days_without_events"}),
    # the range stretched back to the day after the incremental job's watermark ("and fill the gap it
    # left"): a backfill writes the days it is given and no other, and the control row is not its to read
    "range_stretched_to_the_watermark": (
        overwrite(delete_where=f"as_of_ts BETWEEN least({START}, {NEXT_DAY}) AND {END}",
                  days=f"SELECT unnest(generate_series(least({START}, {NEXT_DAY}), {END}, INTERVAL 1 DAY)) AS as_of_ts"),
        {"leaves_other_days_alone", "other_days_left_as_they_were"}),
    # the range overwritten by re-creating the whole table: right rows, but no PRIMARY KEY any more
    "recreates_feature_table_without_its_key": (
        f"""BEGIN;
CREATE OR REPLACE TABLE feature_table AS
SELECT * FROM feature_table WHERE NOT ({IN_RANGE})
UNION ALL BY NAME {rows()};
COMMIT;""",
        {"feature_table_keeps_its_key"}),
    "shared_staging_table": (
        # a shared, real staging table: fine alone, wrong when two backfills run at once
        f"""CREATE OR REPLACE TABLE staging AS {rows()};
DELETE FROM feature_table WHERE {IN_RANGE};
INSERT INTO feature_table SELECT * FROM staging;
DROP TABLE IF EXISTS staging;""",
        {"concurrent_backfills_converge"}),
    "shared_staging_refreshed_each_run": (
        # the same table kept and refreshed by every run: right alone and one after the other, and
        # wrong when both runs stage their rows before either writes (B's refresh wipes A's rows)
        f"""CREATE TABLE IF NOT EXISTS staging AS SELECT * FROM feature_table LIMIT 0;
DELETE FROM staging;
INSERT INTO staging {rows()};
BEGIN;
DELETE FROM feature_table WHERE {IN_RANGE};
INSERT INTO feature_table SELECT * FROM staging;
COMMIT;""",
        {"concurrent_backfills_converge"}),
}

REFERENCE = f"""START TRANSACTION;
DELETE FROM feature_table WHERE as_of_ts BETWEEN {START} AND {END};
INSERT INTO feature_table (user_id, item_id, as_of_ts, clicks_7d, views_7d, impressions_7d, ctr_7d)
SELECT e.user_id, e.item_id, d.as_of_ts,
       count(*) FILTER (WHERE e.event_type = 'click'), count(*) FILTER (WHERE e.event_type = 'view'), count(*),
       count(*) FILTER (WHERE e.event_type = 'click')::DOUBLE / NULLIF(count(*), 0)
FROM (SELECT DISTINCT event_id, user_id, item_id, event_ts, event_type FROM events) AS e
JOIN (SELECT unnest(generate_series({START}, {END}, INTERVAL 1 DAY)) AS as_of_ts) AS d
  ON e.event_ts <= d.as_of_ts AND e.event_ts > d.as_of_ts - INTERVAL 7 DAY
GROUP BY e.user_id, e.item_id, d.as_of_ts;
COMMIT;"""

CORRECT = {
    "reference_start_transaction": REFERENCE,
    "delete_range_and_insert_in_a_transaction": overwrite(),
    "merge_deleting_keys_no_longer_produced": MERGE.rstrip(";").replace(
        "WHEN NOT MATCHED THEN", f"WHEN NOT MATCHED BY SOURCE AND t.{IN_RANGE} THEN DELETE\nWHEN NOT MATCHED THEN") + ";",
    "delete_range_then_insert_or_replace": f"BEGIN;\nDELETE FROM feature_table WHERE {IN_RANGE};\n"
                                           f"INSERT OR REPLACE INTO feature_table {rows()};\nCOMMIT;",
    "temp_staging_then_overwrite_by_date": f"""CREATE TEMP TABLE new_rows AS {rows()};
BEGIN TRANSACTION;
DELETE FROM feature_table WHERE CAST(as_of_ts AS DATE) BETWEEN CAST({START} AS DATE) AND CAST({END} AS DATE);
INSERT INTO feature_table BY NAME SELECT * FROM new_rows;
COMMIT;""",
    "point_in_time_join_to_users_and_items": overwrite(source=f"""(SELECT DISTINCT ev.* FROM events ev
  JOIN users u ON u.user_id = ev.user_id AND u.signup_ts <= {END}
  JOIN items i ON i.item_id = ev.item_id AND i.created_ts <= {END})"""),
}

# The other ex12 answers, right: each wrong backfill is handed in with them.
STRUCTURED = 'ex12c = {"lost_as_of_ts": "2025-12-03 23:59:59", "fix": "B"}'
EXPLAINED = ('ex12a = "Both jobs INSERT rows for the same keys on 12-03..12-05, so the table holds two rows per key; '
             'overwriting the day partition or MERGE on the key replaces the rows instead."')


# Each wrong backfill with the other ex12 answers right (tests/test_matrix.py grades every entry).
MATRIX = {name: wrong("ex12", fails, sql_cell("ex12b", sql), STRUCTURED, EXPLAINED) for name, (sql, fails) in WRONG.items()}
