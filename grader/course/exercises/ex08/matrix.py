"""Exercise 8's matrix: known-wrong incremental jobs and the exact checks each fails (in
Exercise 8, and in Exercise 10, which runs the same job in its failure scenario), and other
correct jobs (tests/test_matrix.py grades the wrong ones, tests/test_ex08.py the correct ones
beside the written answer). Never released: it names the hidden checks."""

from grader.engine.matrix import sql_cell, wrong

CONTROL = "feature_job_control WHERE job_key = 'user_item_features_daily'"
NEXT = f"(SELECT last_as_of_ts + INTERVAL 1 DAY FROM {CONTROL})"
RIGHT_WINDOW = "e.event_ts <= n.as_of_ts AND e.event_ts > n.as_of_ts - INTERVAL 7 DAY"


def rows(next_day: str = NEXT, window: str = RIGHT_WINDOW, source: str = "(SELECT DISTINCT * FROM events)",
         impressions: str = "count(*)") -> str:
    """The next day's feature rows (with ctr) as a query."""
    return f"""
SELECT e.user_id, e.item_id, n.as_of_ts,
       count(*) FILTER (WHERE e.event_type = 'click') AS clicks_7d,
       count(*) FILTER (WHERE e.event_type = 'view') AS views_7d,
       {impressions} AS impressions_7d,
       count(*) FILTER (WHERE e.event_type = 'click')::DOUBLE / NULLIF({impressions}, 0) AS ctr_7d
FROM {source} e JOIN (SELECT {next_day} AS as_of_ts) n ON {window}
GROUP BY ALL"""


def merge(source: str) -> str:
    return f"""MERGE INTO feature_table t USING ({source}) s
ON t.user_id = s.user_id AND t.item_id = s.item_id AND t.as_of_ts = s.as_of_ts
WHEN MATCHED THEN UPDATE SET clicks_7d = s.clicks_7d, views_7d = s.views_7d,
     impressions_7d = s.impressions_7d, ctr_7d = s.ctr_7d
WHEN NOT MATCHED THEN INSERT VALUES (s.user_id, s.item_id, s.as_of_ts, s.clicks_7d, s.views_7d, s.impressions_7d, s.ctr_7d)"""


ADVANCE = f"UPDATE feature_job_control SET last_as_of_ts = last_as_of_ts + INTERVAL 1 DAY, last_run_ts = now() WHERE job_key = 'user_item_features_daily'"
# Moves the watermark to a stored day (set by the job before it changes anything).
ADVANCE_TO_RUN = "UPDATE feature_job_control SET last_as_of_ts = (SELECT as_of_ts FROM run), last_run_ts = now() WHERE job_key = 'user_item_features_daily'"
RUN_DAY = f"CREATE OR REPLACE TEMP TABLE run AS SELECT {NEXT} AS as_of_ts"
FROM_RUN = "(SELECT as_of_ts FROM run)"
# The next day derived from the data: the newest as-of day already in feature_table (the control
# row only when the table is empty).
FROM_DATA = f"(SELECT coalesce(max(as_of_ts), (SELECT last_as_of_ts FROM {CONTROL})) + INTERVAL 1 DAY FROM feature_table)"
CLICKS_AND_VIEWS = "count(*) FILTER (WHERE e.event_type IN ('click', 'view'))"
CLICKS = "count(*) FILTER (WHERE e.event_type = 'click') AS clicks_7d"
NULL_WHERE_NONE = "sum(CASE WHEN e.event_type = 'click' THEN 1 END) AS clicks_7d"
VIEWS = "count(*) FILTER (WHERE e.event_type = 'view') AS views_7d"
BOOLEAN_COUNT = "count(e.event_type = 'view') AS views_7d"
DAY_CAST = ("CAST(e.event_ts AS DATE) BETWEEN CAST(n.as_of_ts AS DATE) - INTERVAL 6 DAY "
            "AND CAST(n.as_of_ts AS DATE)")

# name -> (job, the exact set of Exercise 8 checks it fails, the exact set of Exercise 10 job checks it fails).
# One mistake each; a second check is declared only where the mistake really shows twice (the
# public sample check sees most value mistakes that a hidden fixture names).
WRONG = {
    "control_first_without_a_transaction": (
        f"{RUN_DAY};\n{ADVANCE_TO_RUN};\n{merge(rows(FROM_RUN))};",
        {"control_updated_after_write"}, {"rerun_after_failed_day_3"}),
    "plain_insert_then_control_no_transaction": (
        # a crash in between, and every rerun hits the key; the stale-day scenario hits it too
        f"INSERT INTO feature_table {rows()};\n{ADVANCE};",
        {"crash_rerun_recovers", "next_days_match_reference", "watermark_advances_to_day_written", "write_is_idempotent"}, {"rerun_after_failed_day_3"}),
    "shared_staging_table_left_by_a_crash": (
        # a real (not temp) staging table: a crash before the DROP leaves it, every rerun fails on CREATE
        f"CREATE TABLE staging AS {rows()};\n{merge('SELECT * FROM staging')};\nDROP TABLE staging;\n{ADVANCE};",
        {"crash_rerun_recovers"}, {"rerun_after_failed_day_3"}),
    "watermark_from_the_clock": (
        f"{merge(rows())};\nUPDATE feature_job_control SET last_as_of_ts = now(), last_run_ts = now() WHERE job_key = 'user_item_features_daily';",
        {"watermark_advances_to_day_written"}, {"watermark_moves_to_day_3"}),
    "last_run_ts_never_recorded": (
        f"{merge(rows())};\nUPDATE feature_job_control SET last_as_of_ts = last_as_of_ts + INTERVAL 1 DAY WHERE job_key = 'user_item_features_daily';",
        {"watermark_advances_to_day_written"}, {"watermark_moves_to_day_3"}),
    "recomputes_the_watermark_day_too": (
        f"""{merge(rows(next_day='x.d').replace(
            "(SELECT x.d AS as_of_ts)", f"(SELECT unnest([last_as_of_ts, last_as_of_ts + INTERVAL 1 DAY]) AS as_of_ts FROM {CONTROL})"))};
{ADVANCE};""",
        {"finished_days_left_alone", "next_days_match_reference"}, {"days_1_and_2_left_alone"}),
    "writes_the_watermark_day_instead_of_the_next": (
        # the wrong day: the sample misses 12-04, and the finished day is rewritten
        f"{merge(rows(next_day=f'(SELECT last_as_of_ts FROM {CONTROL})'))};\n{ADVANCE};",
        # (and write_is_idempotent cannot judge a job that never writes the next day)
        {"next_days_match_reference", "finished_days_left_alone", "write_is_idempotent"},
        {"next_run_writes_day_3", "days_1_and_2_left_alone"}),
    "clears_from_the_watermark_on": (
        f"DELETE FROM feature_table WHERE as_of_ts >= (SELECT last_as_of_ts FROM {CONTROL});\n"
        f"INSERT INTO feature_table {rows()};\n{ADVANCE};",
        # each run also deletes the day the previous run wrote: the sample loses 12-03
        {"finished_days_left_alone", "next_days_match_reference"}, {"days_1_and_2_left_alone"}),
    "clears_later_days_before_writing": (
        # wipes the days a backfill wrote ahead
        f"BEGIN;\nDELETE FROM feature_table WHERE as_of_ts > (SELECT last_as_of_ts FROM {CONTROL});\n"
        f"INSERT INTO feature_table {rows()};\n{ADVANCE};\nCOMMIT;",
        {"finished_days_left_alone", "next_days_match_reference"}, set()),
    "rebuilds_every_day_up_to_the_next": (
        f"""{merge(rows(next_day='x.d').replace("(SELECT x.d AS as_of_ts)",
            f"(SELECT unnest(generate_series(TIMESTAMP '2025-12-01 23:59:59', last_as_of_ts + INTERVAL 1 DAY, INTERVAL 1 DAY)) AS as_of_ts FROM {CONTROL})"))};
{ADVANCE};""",
        {"finished_days_left_alone", "next_days_match_reference"}, {"days_1_and_2_left_alone"}),
    "window_without_upper_bound": (
        # later events leak in: the sample shows it, and so does the half second after T
        f"{merge(rows(window='e.event_ts > n.as_of_ts - INTERVAL 7 DAY'))};\n{ADVANCE};",
        {"next_days_match_reference", "window_edges"}, set()),
    "window_on_whole_days": (
        # CAST(event_ts AS DATE) BETWEEN ...: right on the sample, wrong at both edges
        f"{merge(rows(window=DAY_CAST))};\n{ADVANCE};",
        {"next_days_match_reference", "window_edges"}, set()),
    "window_lower_edge_included": (
        f"{merge(rows(window=RIGHT_WINDOW.replace('> n.as_of_ts - ', '>= n.as_of_ts - ')))};\n{ADVANCE};",
        {"next_days_match_reference", "window_edges"}, set()),
    "window_upper_edge_excluded": (
        f"{merge(rows(window=RIGHT_WINDOW.replace('<= n.as_of_ts', '< n.as_of_ts')))};\n{ADVANCE};",
        {"next_days_match_reference", "window_edges"}, set()),
    "retries_counted_twice": (
        f"{merge(rows(source='events'))};\n{ADVANCE};",
        {"next_days_match_reference", "retries_deduplicated"}, set()),
    # deduplicated on the event's content, not on event_id: two clicks in one second become one
    "dedup_on_content_not_event_id": (
        f"{merge(rows(source='(SELECT DISTINCT user_id, item_id, event_ts, event_type FROM events)'))};\n{ADVANCE};",
        {"next_days_match_reference", "retries_deduplicated"}, set()),
    "impressions_only_clicks_and_views": (
        f"{merge(rows(impressions=CLICKS_AND_VIEWS))};\n{ADVANCE};",
        {"next_days_match_reference", "all_types_in_impressions"}, set()),
    # a count of 0 comes back NULL: sum(CASE ... THEN 1 END) without ELSE 0 (the event-type check's, not the window's)
    "clicks_null_where_none": (
        f"{merge(rows().replace(CLICKS, NULL_WHERE_NONE))};\n{ADVANCE};",
        {"next_days_match_reference", "all_types_in_impressions"}, set()),
    # count() of a boolean counts every event that is not NULL: views_7d == impressions_7d
    "views_count_of_a_boolean": (
        f"{merge(rows().replace(VIEWS, BOOLEAN_COUNT))};\n{ADVANCE};",
        {"next_days_match_reference", "all_types_in_impressions"}, set()),
    # the MERGE's INSERT branch swaps two counts, its UPDATE branch does not: right over existing rows,
    # wrong on an empty day, so a rerun changes the day (the idempotency check says which branch; a
    # crash between the MERGE and the control update, rerun, ends with other values than no crash)
    "merge_insert_branch_swaps_counts": (
        f"{merge(rows()).replace('s.as_of_ts, s.clicks_7d, s.views_7d,', 's.as_of_ts, s.views_7d, s.clicks_7d,')};\n{ADVANCE};",
        {"next_days_match_reference", "write_is_idempotent", "crash_rerun_recovers"}, {"rerun_after_failed_day_3"}),
    "ctr_as_float": (
        # FLOAT keeps 4 bytes: 1/3 is stored as 0.3333333432674408; judged on the sample's ctr only
        f"{merge(rows().replace('::DOUBLE', '::FLOAT'))};\n{ADVANCE};",
        {"next_days_match_reference"}, set()),
    "ctr_integer_division": (
        f"{merge(rows().replace('::DOUBLE /', ' //'))};\n{ADVANCE};",
        {"next_days_match_reference"}, set()),
    "on_conflict_do_nothing": (
        f"INSERT INTO feature_table {rows()} ON CONFLICT DO NOTHING;\n{ADVANCE};",
        {"next_days_match_reference", "write_is_idempotent"}, set()),
    "plain_insert_in_a_transaction": (
        f"BEGIN;\nINSERT INTO feature_table {rows()};\n{ADVANCE};\nCOMMIT;",
        {"next_days_match_reference", "watermark_advances_to_day_written", "write_is_idempotent"}, set()),
    "next_day_from_max_as_of_ts": (
        # the day from the data: sticks on a quiet day, jumps over backfilled days; in the stale-day
        # scenario it takes the stale day for done and writes the day after it
        f"BEGIN;\nCREATE OR REPLACE TEMP TABLE run AS SELECT {FROM_DATA} AS as_of_ts;\n{merge(rows(FROM_RUN))};\n"
        f"{ADVANCE_TO_RUN};\nCOMMIT;",
        {"next_days_match_reference", "watermark_advances_to_day_written", "watermark_from_control_not_data", "write_is_idempotent"}, set()),
    "watermark_from_max_as_of_ts": (
        # the control row set from the data after the write: stuck on a quiet day, jumps after a backfill
        f"BEGIN;\n{merge(rows())};\nUPDATE feature_job_control SET last_as_of_ts = (SELECT max(as_of_ts) FROM feature_table), "
        "last_run_ts = now() WHERE job_key = 'user_item_features_daily';\nCOMMIT;",
        {"watermark_advances_to_day_written", "watermark_from_control_not_data"}, set()),
    # the next day through DATE casts: 2025-12-03 00:00:00, not the course's 23:59:59 (a wrong as-of time,
    # not a watermark from the data; and write_is_idempotent finds no day of its own to compare)
    "next_day_at_midnight_through_date_casts": (
        f"{merge(rows(f'(SELECT CAST(CAST(last_as_of_ts AS DATE) + INTERVAL 1 DAY AS TIMESTAMP) FROM {CONTROL})'))};\n{ADVANCE};",
        {"next_days_match_reference", "write_is_idempotent"}, {"next_run_writes_day_3"}),
    # MERGE matched on (user_id, item_id) only: the pair's rows of other days are updated, its new day never
    # inserted (finished and backfilled days change; the watermark still comes from the control row)
    "merge_keyed_without_as_of_ts": (
        f"{merge(rows()).replace(' AND t.as_of_ts = s.as_of_ts', '')};\n{ADVANCE};",
        {"finished_days_left_alone", "next_days_match_reference"}, {"days_1_and_2_left_alone", "next_run_writes_day_3"}),
    # a six-day window: the MERGE leaves stale rows of keys it no longer produces as they were, which is no
    # fault of the write (write_is_idempotent judges the keys the job writes)
    "window_six_days_merge": (
        f"{merge(rows(window=RIGHT_WINDOW.replace('INTERVAL 7 DAY', 'INTERVAL 6 DAY')))};\n{ADVANCE};",
        {"next_days_match_reference", "window_edges"}, set()),
    # the day overwritten by re-creating the whole table (CREATE OR REPLACE TABLE ... AS): right rows,
    # but the table loses its PRIMARY KEY, so the next overlapping INSERT duplicates rows silently
    "recreates_feature_table_without_its_key": (
        f"""BEGIN;
{RUN_DAY};
CREATE OR REPLACE TABLE feature_table AS
SELECT * FROM feature_table WHERE as_of_ts <> {FROM_RUN}
UNION ALL BY NAME {rows(FROM_RUN)};
{ADVANCE_TO_RUN};
COMMIT;""",
        {"feature_table_keeps_its_key"}, set()),
    # the next day from day numbers (day(last_as_of_ts) + 1), as in Exercise 4's month_boundary: right on
    # every day of the sample's December, an error on the last day of any month (make_timestamp(2025, 12, 32))
    "next_day_from_day_numbers": (
        f"""BEGIN;
CREATE OR REPLACE TEMP TABLE run AS SELECT make_timestamp(year(last_as_of_ts), month(last_as_of_ts),
    day(last_as_of_ts) + 1, 23, 59, 59) AS as_of_ts FROM {CONTROL};
{merge(rows(FROM_RUN))};
{ADVANCE_TO_RUN};
COMMIT;""",
        {"next_day_across_year_end"}, set()),
    # every user x item pair LEFT JOINed to the day's events: a row of zeros for each pair with no event in its
    # window. The sample shows the extra rows; the hidden value checks leave rows no event made to it (their
    # window, dedup and event types are right)
    "grid_of_every_user_and_item": (
        f"""BEGIN;
{RUN_DAY};
{merge('''SELECT u.user_id, i.item_id, r.as_of_ts,
  count(e.event_id) FILTER (WHERE e.event_type = 'click') AS clicks_7d,
  count(e.event_id) FILTER (WHERE e.event_type = 'view') AS views_7d,
  count(e.event_id) AS impressions_7d,
  count(e.event_id) FILTER (WHERE e.event_type = 'click')::DOUBLE / NULLIF(count(e.event_id), 0) AS ctr_7d
FROM users u CROSS JOIN items i CROSS JOIN run r
LEFT JOIN (SELECT DISTINCT * FROM events) e ON e.user_id = u.user_id AND e.item_id = i.item_id
 AND e.event_ts <= r.as_of_ts AND e.event_ts > r.as_of_ts - INTERVAL 7 DAY
GROUP BY ALL''')};
{ADVANCE_TO_RUN};
COMMIT;""",
        {"next_days_match_reference"}, set()),
    # the counts right, written into other columns (an INSERT whose column list is not the SELECT's order):
    # the sample shows it; the value checks judge the counts in the columns the job meant them for
    "insert_columns_in_another_order": (
        f"""BEGIN;
{RUN_DAY};
DELETE FROM feature_table WHERE as_of_ts = {FROM_RUN};
INSERT INTO feature_table (user_id, item_id, as_of_ts, impressions_7d, clicks_7d, views_7d, ctr_7d) {rows(FROM_RUN)};
{ADVANCE_TO_RUN};
COMMIT;""",
        {"next_days_match_reference"}, set()),
    # the control row advanced by one day twice per run: every clean run skips a day already, and a crash adds
    # nothing to that (the crash checks judge against the job's own uncrashed runs)
    "advances_the_watermark_twice": (
        f"{merge(rows())};\n{ADVANCE};\n{ADVANCE};",
        {"watermark_advances_to_day_written"}, {"watermark_moves_to_day_3"}),
    # last_run_ts from the data (the newest event), not the time of the run
    "last_run_ts_from_the_data": (
        f"{merge(rows())};\n{ADVANCE.replace('now()', '(SELECT max(event_ts) FROM events)')};",
        {"watermark_advances_to_day_written"}, {"watermark_moves_to_day_3"}),
}

# feature_job_control holds one row per job (the public and the hidden scenarios hold two other
# jobs' rows: a public check shows each mistake before hand-in, a hidden one names it).
ANY_ROW = "(SELECT max(last_as_of_ts) + INTERVAL 1 DAY FROM feature_job_control)"
EVERY_ROW = "UPDATE feature_job_control SET last_as_of_ts = last_as_of_ts + INTERVAL 1 DAY, last_run_ts = now()"
WRONG.update({
    "watermark_read_without_job_key": (
        # max() over every job's row: another job's later watermark; in Exercise 10 it writes that day too
        f"{merge(rows(ANY_ROW))};\n{ADVANCE};",
        {"next_days_match_reference", "reads_its_own_control_row"}, {"next_run_writes_day_3"}),
    "watermark_read_with_limit_1": (
        f"{merge(rows('(SELECT last_as_of_ts + INTERVAL 1 DAY FROM feature_job_control LIMIT 1)'))};\n{ADVANCE};",
        {"next_days_match_reference", "reads_its_own_control_row"}, {"next_run_writes_day_3"}),
    "advances_every_jobs_row": (
        f"{merge(rows())};\n{EVERY_ROW};",
        {"watermark_advances_to_day_written", "other_jobs_control_rows_untouched"}, set()),
    "replaces_the_whole_control_table": (
        f"BEGIN;\n{RUN_DAY};\n{merge(rows(FROM_RUN))};\nDELETE FROM feature_job_control;\n"
        "INSERT INTO feature_job_control SELECT 'user_item_features_daily', as_of_ts, now() FROM run;\nCOMMIT;",
        {"watermark_advances_to_day_written", "other_jobs_control_rows_untouched"}, set()),
})

REFERENCE = """START TRANSACTION;
CREATE OR REPLACE TEMP TABLE this_run AS
SELECT last_as_of_ts + INTERVAL 1 DAY AS as_of_ts FROM feature_job_control WHERE job_key = 'user_item_features_daily';
MERGE INTO feature_table AS t
USING (
    SELECT e.user_id, e.item_id, r.as_of_ts,
           count(*) FILTER (WHERE e.event_type = 'click') AS clicks_7d,
           count(*) FILTER (WHERE e.event_type = 'view')  AS views_7d,
           count(*) AS impressions_7d,
           count(*) FILTER (WHERE e.event_type = 'click')::DOUBLE / NULLIF(count(*), 0) AS ctr_7d
    FROM (SELECT DISTINCT event_id, user_id, item_id, event_ts, event_type FROM events) AS e
    JOIN this_run AS r ON e.event_ts <= r.as_of_ts AND e.event_ts > r.as_of_ts - INTERVAL 7 DAY
    GROUP BY e.user_id, e.item_id, r.as_of_ts
) AS s
ON t.user_id = s.user_id AND t.item_id = s.item_id AND t.as_of_ts = s.as_of_ts
WHEN MATCHED THEN UPDATE SET clicks_7d = s.clicks_7d, views_7d = s.views_7d,
                             impressions_7d = s.impressions_7d, ctr_7d = s.ctr_7d
WHEN NOT MATCHED THEN INSERT (user_id, item_id, as_of_ts, clicks_7d, views_7d, impressions_7d, ctr_7d)
     VALUES (s.user_id, s.item_id, s.as_of_ts, s.clicks_7d, s.views_7d, s.impressions_7d, s.ctr_7d);
UPDATE feature_job_control SET last_as_of_ts = (SELECT as_of_ts FROM this_run), last_run_ts = now()
WHERE job_key = 'user_item_features_daily';
COMMIT;"""

CORRECT = {
    "reference_start_transaction_merge": REFERENCE,
    "merge_and_update_in_one_transaction": f"BEGIN TRANSACTION;\n{RUN_DAY};\n{merge(rows(FROM_RUN))};\n{ADVANCE_TO_RUN};\nCOMMIT;",
    "insert_or_replace_then_update_no_transaction": f"INSERT OR REPLACE INTO feature_table {rows()};\n{ADVANCE};",
    "delete_partition_and_insert_in_a_transaction": f"""BEGIN;
SET VARIABLE next_as_of = {NEXT};
DELETE FROM feature_table WHERE as_of_ts = getvariable('next_as_of');
INSERT INTO feature_table {rows("getvariable('next_as_of')")};
COMMIT;
UPDATE feature_job_control SET last_as_of_ts = getvariable('next_as_of'), last_run_ts = current_localtimestamp()
WHERE job_key = 'user_item_features_daily';""",
    "control_first_but_atomic": f"BEGIN;\n{RUN_DAY};\n{ADVANCE_TO_RUN};\n{merge(rows(FROM_RUN))};\nCOMMIT;",
    "on_conflict_do_update": f"""INSERT INTO feature_table {rows()}
ON CONFLICT (user_id, item_id, as_of_ts) DO UPDATE SET clicks_7d = excluded.clicks_7d, views_7d = excluded.views_7d,
  impressions_7d = excluded.impressions_7d, ctr_7d = excluded.ctr_7d;
{ADVANCE};""",
    "point_in_time_join_to_users_and_items": f"""START TRANSACTION;
{RUN_DAY};
{merge(rows(FROM_RUN, source='''(SELECT DISTINCT ev.* FROM events ev
  JOIN users u ON u.user_id = ev.user_id AND u.signup_ts <= (SELECT as_of_ts FROM run)
  JOIN items i ON i.item_id = ev.item_id AND i.created_ts <= (SELECT as_of_ts FROM run))'''))};
{ADVANCE_TO_RUN};
COMMIT;""",
}

# The job's own control row read and advanced in other forms (a CTE, a join, IN, a variable, a
# replaced row): each is right with other jobs' rows in the table.
OWN = "'user_item_features_daily'"
CORRECT.update({
    "own_row_through_a_cte": f"""BEGIN;
CREATE OR REPLACE TEMP TABLE run AS WITH c AS (SELECT * FROM feature_job_control WHERE job_key = {OWN})
SELECT last_as_of_ts + INTERVAL 1 DAY AS as_of_ts FROM c;
{merge(rows(FROM_RUN))};
{ADVANCE_TO_RUN};
COMMIT;""",
    "own_row_through_a_join": f"""BEGIN;
CREATE OR REPLACE TEMP TABLE run AS SELECT c.last_as_of_ts + INTERVAL 1 DAY AS as_of_ts
FROM feature_job_control c JOIN (SELECT {OWN} AS k) j ON c.job_key = j.k;
{merge(rows(FROM_RUN))};
{ADVANCE_TO_RUN};
COMMIT;""",
    "own_row_with_in": f"{merge(rows(f'(SELECT last_as_of_ts + INTERVAL 1 DAY FROM feature_job_control WHERE job_key IN ({OWN}))'))};\n{ADVANCE};",
    "own_row_through_a_variable": f"""SET VARIABLE job = {OWN};
SET VARIABLE next_day = (SELECT last_as_of_ts + INTERVAL 1 DAY FROM feature_job_control WHERE job_key = getvariable('job'));
{merge(rows("getvariable('next_day')"))};
UPDATE feature_job_control SET last_as_of_ts = getvariable('next_day'), last_run_ts = now() WHERE job_key = getvariable('job');""",
    "own_row_replaced": f"BEGIN;\n{RUN_DAY};\n{merge(rows(FROM_RUN))};\n"
                        f"INSERT OR REPLACE INTO feature_job_control SELECT {OWN}, as_of_ts, now() FROM run;\nCOMMIT;",
})


# Exercise 8's written answer (why control moves only after success), read by the instructor:
# the job matrix below is about the job, so every grading here carries the same written answer.
WRITTEN = ('ex08b = "If the control row moved first and the write failed, the next run would start after a day '
           'that has no rows, so that day is never written."')


# Each wrong job as the cells a student hands in for Exercise 8, and the exact checks it fails
# (tests/test_matrix.py grades every entry; WRONG's third set is Exercise 10's, ex10/matrix.py).
MATRIX = {name: wrong("ex08", ex08, sql_cell("ex08", sql), WRITTEN) for name, (sql, ex08, _) in WRONG.items()}
