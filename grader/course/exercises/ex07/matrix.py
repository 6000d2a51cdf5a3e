"""Exercise 7's matrix: known-wrong answers and the exact checks each fails, and
other correct formulations (tests/test_matrix.py grades both). Never released: it names
the hidden checks."""

from grader.engine.matrix import sql_cell, wrong

CTR = "clicks_7d / NULLIF(impressions_7d, 0)"


COLS = "user_id, item_id, as_of_ts, clicks_7d, views_7d, impressions_7d, ctr_7d"


def upsert(ctr: str = CTR, on_conflict: str | None = None) -> str:
    on_conflict = on_conflict or (
        "DO UPDATE SET clicks_7d = excluded.clicks_7d, views_7d = excluded.views_7d, "
        "impressions_7d = excluded.impressions_7d, ctr_7d = excluded.ctr_7d"
    )
    return f"""INSERT INTO feature_table ({COLS})
SELECT user_id, item_id, as_of_ts, clicks_7d, views_7d, impressions_7d, {ctr} FROM feature_rows
ON CONFLICT (user_id, item_id, as_of_ts) {on_conflict};"""


def merge(on: str = "t.user_id = s.user_id AND t.item_id = s.item_id AND t.as_of_ts = s.as_of_ts") -> str:
    return f"""MERGE INTO feature_table AS t
USING (SELECT *, {CTR} AS ctr_7d FROM feature_rows) AS s
ON {on}
WHEN MATCHED THEN UPDATE SET clicks_7d = s.clicks_7d, views_7d = s.views_7d,
     impressions_7d = s.impressions_7d, ctr_7d = s.ctr_7d
WHEN NOT MATCHED THEN INSERT VALUES (s.user_id, s.item_id, s.as_of_ts, s.clicks_7d, s.views_7d,
     s.impressions_7d, s.ctr_7d);"""


INSERT = f"INSERT INTO feature_table SELECT *, {CTR} FROM feature_rows;"


def cell(sql: str) -> str:
    return sql_cell("ex07", sql)


SAMPLE = "matches_reference_on_sample"


ADDITIVE = upsert(on_conflict="DO UPDATE SET clicks_7d = feature_table.clicks_7d + excluded.clicks_7d, "
                  "views_7d = feature_table.views_7d + excluded.views_7d, "
                  "impressions_7d = feature_table.impressions_7d + excluded.impressions_7d, "
                  "ctr_7d = excluded.ctr_7d")


# Every known-wrong script and the exact checks it fails. A ctr mistake costs the ctr checks
# only: the key, untouched-rows, stale-rows and rerun checks judge ctr_7d as the script computes it.
MATRIX = {
    # a plain INSERT neither replaces a stale row nor survives a rerun: both checks are about it
    # (on the sample its first run fails on the stale row: the next batch's sample check cannot run either)
    "plain_insert": wrong("ex07", {SAMPLE, "rerun_is_idempotent", "stale_rows_updated_all_columns",
                                   "next_batch_written_on_sample"}, cell(INSERT)),
    "update_adds_to_old_counts": wrong("ex07", {SAMPLE, "rerun_is_idempotent", "stale_rows_updated_all_columns"}, cell(ADDITIVE)),
    "on_conflict_do_nothing": wrong("ex07", {SAMPLE, "stale_rows_updated_all_columns"}, cell(upsert(on_conflict="DO NOTHING"))),
    "update_leaves_ctr_stale": wrong("ex07", {SAMPLE, "stale_rows_updated_all_columns"},
        cell(upsert(on_conflict="DO UPDATE SET clicks_7d = excluded.clicks_7d, views_7d = excluded.views_7d, "
                    "impressions_7d = excluded.impressions_7d"))),
    "insert_or_ignore": wrong("ex07", {SAMPLE, "stale_rows_updated_all_columns"},
        cell(f"INSERT OR IGNORE INTO feature_table SELECT *, {CTR} FROM feature_rows;")),
    "merge_on_pair_only": wrong("ex07", {SAMPLE, "key_includes_as_of_ts"}, cell(merge(on="t.user_id = s.user_id AND t.item_id = s.item_id"))),
    "delete_by_pair_then_insert": wrong("ex07", {SAMPLE, "key_includes_as_of_ts"}, cell(
        f"""DELETE FROM feature_table WHERE (user_id, item_id) IN (SELECT user_id, item_id FROM feature_rows);
            {INSERT}""")),
    # deleting everything removes other days' rows and the same day's unrelated rows: both
    "delete_everything_then_insert": wrong("ex07", {SAMPLE, "other_days_untouched", "unrelated_rows_untouched"},
        cell(f"DELETE FROM feature_table; {INSERT}")),
    "delete_from_first_day_on": wrong("ex07", {SAMPLE, "other_days_untouched", "unrelated_rows_untouched"}, cell(
        f"DELETE FROM feature_table WHERE as_of_ts >= (SELECT min(as_of_ts) FROM feature_rows); {INSERT}")),
    # a staging table created without IF NOT EXISTS: the first run works, a rerun fails
    "staging_table_created_every_run": wrong("ex07", {SAMPLE, "rerun_is_idempotent"}, cell(
        f"""CREATE TABLE staged AS SELECT *, {CTR} AS ctr_7d FROM feature_rows;
            INSERT OR REPLACE INTO feature_table SELECT * FROM staged;""")),
    # keeping only the day being written (a "latest snapshot") throws away the history
    "keeps_only_the_day_written": wrong("ex07", {SAMPLE, "other_days_untouched"}, cell(
        f"""DELETE FROM feature_table WHERE as_of_ts <> (SELECT max(as_of_ts) FROM feature_rows);
            INSERT OR REPLACE INTO feature_table SELECT *, {CTR} FROM feature_rows;""")),
    # clears the day's rows of the batch's users, not exactly its keys (the sample's other keys
    # of the day belong to user 106, outside the batch)
    "clears_the_batch_users_day_first": wrong("ex07", {"unrelated_rows_untouched"}, cell(
        f"""DELETE FROM feature_table WHERE as_of_ts IN (SELECT as_of_ts FROM feature_rows)
              AND user_id IN (SELECT user_id FROM feature_rows);
            {INSERT}""")),
    # the key matched column by column (three IN lists): it deletes every key whose user, item and
    # day each occur in feature_rows, pairs of the batch's users and items it does not write too
    "delete_by_three_separate_in_lists": wrong("ex07", {"unrelated_rows_untouched"}, cell(
        f"""DELETE FROM feature_table WHERE user_id IN (SELECT user_id FROM feature_rows)
              AND item_id IN (SELECT item_id FROM feature_rows) AND as_of_ts IN (SELECT as_of_ts FROM feature_rows);
            {INSERT}""")),
    # a key that leaves out item_id: a pair's row is written over by another item's of the same
    # user; its ctr_7d is the other item's, which is a key mistake, not the ctr checks' concern
    "merge_on_user_and_day_only": wrong("ex07", {SAMPLE, "rerun_is_idempotent", "stale_rows_updated_all_columns",
                                                 "unrelated_rows_untouched"},
        cell(merge(on="t.user_id = s.user_id AND t.as_of_ts = s.as_of_ts"))),
    "partition_overwrite_of_the_day": wrong("ex07", {SAMPLE, "unrelated_rows_untouched"}, cell(
        f"DELETE FROM feature_table WHERE as_of_ts IN (SELECT as_of_ts FROM feature_rows); {INSERT}")),
    "ctr_without_nullif": wrong("ex07", {SAMPLE, "zero_impressions_give_null_ctr"}, cell(upsert(ctr="clicks_7d / impressions_7d"))),
    # NULLIF in the SELECT, but the UPDATE branch derives ctr_7d again without it: a zero-impression
    # key written over an existing row (the sample's rerun) gets NaN
    "update_branch_ctr_without_nullif": wrong("ex07", {SAMPLE, "zero_impressions_give_null_ctr"}, cell(upsert(
        on_conflict="DO UPDATE SET clicks_7d = excluded.clicks_7d, views_7d = excluded.views_7d, "
                    "impressions_7d = excluded.impressions_7d, ctr_7d = excluded.clicks_7d / excluded.impressions_7d"))),
    # the reverse: NULLIF in the UPDATE, not in the INSERT branch: every new zero-impression key
    # gets NaN, and a rerun (every key updated) mends it, so the ctr checks judge the first run too
    "insert_branch_ctr_without_nullif": wrong("ex07", {SAMPLE, "zero_impressions_give_null_ctr"}, cell(merge().replace(
        "s.impressions_7d, s.ctr_7d);", "s.impressions_7d, s.clicks_7d / s.impressions_7d);"))),
    # NULLIF on the numerator: NULL for zero impressions (so 0 / 0 never shows), and NULL too for a
    # pair shown and never clicked, whose rate is 0
    "nullif_on_the_clicks": wrong("ex07", {SAMPLE, "zero_impressions_give_null_ctr"},
        cell(upsert(ctr="NULLIF(clicks_7d, 0) / impressions_7d"))),
    "ctr_coalesced_to_zero": wrong("ex07", {SAMPLE, "zero_impressions_give_null_ctr"}, cell(upsert(ctr=f"coalesce({CTR}, 0)"))),
    "ctr_zero_by_case": wrong("ex07", {SAMPLE, "zero_impressions_give_null_ctr"},
        cell(upsert(ctr="CASE WHEN impressions_7d = 0 THEN 0 ELSE clicks_7d / impressions_7d END"))),
    # issue 11: integer ctr failed every ex07 check; now the ctr check (and the sample) only
    "ctr_integer_division": wrong("ex07", {SAMPLE, "ctr_not_integer_division"}, cell(upsert(ctr="clicks_7d // NULLIF(impressions_7d, 0)"))),
    "ctr_cast_to_integer": wrong("ex07", {SAMPLE, "ctr_not_integer_division"}, cell(upsert(ctr=f"CAST({CTR} AS INTEGER)"))),
    "ctr_clicks_over_views": wrong("ex07", {SAMPLE, "ctr_not_integer_division"}, cell(upsert(ctr="clicks_7d / NULLIF(views_7d, 0)"))),
    "ctr_as_float": wrong("ex07", {SAMPLE, "ctr_is_double_not_float"}, cell(upsert(ctr="clicks_7d::FLOAT / NULLIF(impressions_7d, 0)"))),
    "ctr_rounded": wrong("ex07", {SAMPLE, "ctr_is_double_not_float"}, cell(upsert(ctr=f"round({CTR}, 4)"))),
    "table_recreated_without_key": wrong("ex07", {"feature_table_keeps_key_and_types"}, cell(
        f"""CREATE OR REPLACE TABLE feature_table AS
            SELECT * FROM feature_table
            WHERE (user_id, item_id, as_of_ts) NOT IN (SELECT (user_id, item_id, as_of_ts) FROM feature_rows)
            UNION ALL SELECT *, {CTR} FROM feature_rows;""")),
    # writes only a TEMP copy that shadows feature_table in its own session: the real table is
    # never written, so every check about what was written fails (the state is read without it)
    "writes_a_temp_shadow_copy": wrong("ex07", {SAMPLE, "rerun_is_idempotent", "stale_rows_updated_all_columns",
                                               "next_batch_written_on_sample", "next_batch_is_written",
                                               "key_includes_as_of_ts", "other_days_untouched", "unrelated_rows_untouched",
                                               "zero_impressions_give_null_ctr", "ctr_not_integer_division",
                                               "ctr_is_double_not_float", "feature_table_keeps_key_and_types"}, cell(
        f"""CREATE OR REPLACE TEMP TABLE feature_table AS SELECT * FROM main.feature_table;
            DELETE FROM feature_table t USING feature_rows s
            WHERE t.user_id = s.user_id AND t.item_id = s.item_id AND t.as_of_ts = s.as_of_ts;
            INSERT INTO feature_table SELECT *, {CTR} FROM feature_rows;""")),
    # a staging table made once and never refreshed: right on the first run, and every later run
    # writes the first batch again (same feature_rows on a rerun: nothing shows there)
    # an update made only WHEN the rate changed ("skip unchanged rows"): a stale row whose clicks_7d and
    # ctr_7d are right but whose other counts are stale is left as it was
    "update_only_when_ctr_changed": wrong("ex07", {SAMPLE, "stale_rows_updated_all_columns"}, cell(
        merge().replace("WHEN MATCHED THEN", "WHEN MATCHED AND t.ctr_7d <> s.ctr_7d THEN"))),
    # the counts upserted, then ctr_7d derived by an UPDATE of every row: rows of other days and other
    # keys whose ctr_7d an older job stored through a FLOAT are rewritten too
    "ctr_derived_by_an_update_of_every_row": wrong("ex07", {SAMPLE, "other_days_untouched", "unrelated_rows_untouched"}, cell(
        """INSERT OR REPLACE INTO feature_table (user_id, item_id, as_of_ts, clicks_7d, views_7d, impressions_7d)
           SELECT * FROM feature_rows;
           UPDATE feature_table SET ctr_7d = clicks_7d / NULLIF(impressions_7d, 0);""")),
    # the right counts written into other columns (the INSERT's column list in another order than
    # feature_rows'): the sample shows it; the write checks judge the keys and rows it writes with the
    # counts where the script put them, as ex08's insert_columns_in_another_order
    "insert_columns_in_another_order": wrong("ex07", {SAMPLE}, cell(
        f"""INSERT OR REPLACE INTO feature_table (user_id, item_id, as_of_ts, clicks_7d, impressions_7d, views_7d, ctr_7d)
            SELECT *, {CTR} FROM feature_rows;""")),
    "staging_never_refreshed": wrong("ex07", {"next_batch_written_on_sample", "next_batch_is_written"}, cell(
        f"""CREATE TABLE IF NOT EXISTS staged AS SELECT *, {CTR} AS ctr_7d FROM feature_rows;
            INSERT OR REPLACE INTO feature_table SELECT * FROM staged;""")),
}


CORRECT = {
    "merge": merge(),
    "merge_using_by_name": f"""MERGE INTO feature_table
        USING (SELECT *, {CTR} AS ctr_7d FROM feature_rows) AS s
        USING (user_id, item_id, as_of_ts)
        WHEN MATCHED THEN UPDATE
        WHEN NOT MATCHED THEN INSERT;""",
    "insert_on_conflict_do_update": upsert(),
    "delete_then_insert_in_a_transaction": f"""BEGIN TRANSACTION;
        DELETE FROM feature_table AS t USING feature_rows AS s
        WHERE t.user_id = s.user_id AND t.item_id = s.item_id AND t.as_of_ts = s.as_of_ts;
        INSERT INTO feature_table
        SELECT user_id, item_id, as_of_ts, clicks_7d, views_7d, impressions_7d,
               CASE WHEN impressions_7d > 0 THEN clicks_7d::DOUBLE / impressions_7d END FROM feature_rows;
        COMMIT;""",
    "insert_or_replace": f"INSERT OR REPLACE INTO feature_table BY NAME SELECT *, {CTR} AS ctr_7d FROM feature_rows",
    "update_then_insert_missing": f"""UPDATE feature_table AS t
        SET clicks_7d = s.clicks_7d, views_7d = s.views_7d, impressions_7d = s.impressions_7d,
            ctr_7d = s.clicks_7d / NULLIF(s.impressions_7d, 0)
        FROM feature_rows AS s
        WHERE t.user_id = s.user_id AND t.item_id = s.item_id AND t.as_of_ts = s.as_of_ts;
        INSERT INTO feature_table
        SELECT s.*, {CTR} FROM feature_rows AS s
        WHERE NOT EXISTS (SELECT 1 FROM feature_table AS t
                          WHERE t.user_id = s.user_id AND t.item_id = s.item_id AND t.as_of_ts = s.as_of_ts);""",
    # a TEMP staging table without OR REPLACE: a rerun is a new session, where it is gone
    "temp_staging_table": f"""CREATE TEMP TABLE staged AS SELECT *, {CTR} AS ctr_7d FROM feature_rows;
        INSERT OR REPLACE INTO feature_table SELECT * FROM staged;""",
}
