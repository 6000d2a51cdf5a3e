"""Exercise 8 as a specification: known-wrong incremental jobs fail the check named for their
mistake; different correct jobs get full marks. Every job runs under the fault harness."""

import pytest

from helpers import failing, full_marks, grade, sql_cell

CONTROL = "feature_job_control WHERE job_key = 'user_item_features_daily'"
NEXT = f"(SELECT last_as_of_ts + INTERVAL 1 DAY FROM {CONTROL})"
RIGHT_WINDOW = "e.event_ts <= n.as_of_ts AND e.event_ts > n.as_of_ts - INTERVAL 7 DAY"


def rows(next_day: str = NEXT, window: str = RIGHT_WINDOW, source: str = "(SELECT DISTINCT * FROM events)") -> str:
    """The next day's feature rows (with ctr) as a query."""
    return f"""
SELECT e.user_id, e.item_id, n.as_of_ts,
       count(*) FILTER (WHERE e.event_type = 'click') AS clicks_7d,
       count(*) FILTER (WHERE e.event_type = 'view') AS views_7d,
       count(*) AS impressions_7d,
       count(*) FILTER (WHERE e.event_type = 'click')::DOUBLE / NULLIF(count(*), 0) AS ctr_7d
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

WRONG = {
    "control_updated_after_write": [
        # the control row first, outside a transaction: a crash in between loses the day
        f"{RUN_DAY};\n{ADVANCE_TO_RUN};\n{merge(rows(FROM_RUN))};",
    ],
    "crash_rerun_recovers": [
        # a plain INSERT, then the control update, no transaction: a crash in between, and every rerun hits the key
        f"INSERT INTO feature_table {rows()};\n{ADVANCE};",
    ],
    "watermark_advances_to_day_written": [
        # the watermark set from the wall clock
        f"{merge(rows())};\nUPDATE feature_job_control SET last_as_of_ts = now(), last_run_ts = now() WHERE job_key = 'user_item_features_daily';",
        # last_run_ts never recorded
        f"{merge(rows())};\nUPDATE feature_job_control SET last_as_of_ts = last_as_of_ts + INTERVAL 1 DAY WHERE job_key = 'user_item_features_daily';",
    ],
    "finished_days_left_alone": [
        # recomputes the watermark's own day as well as the next one
        f"""{merge(rows(next_day='x.d', window='e.event_ts <= n.as_of_ts AND e.event_ts > n.as_of_ts - INTERVAL 7 DAY').replace(
            f"(SELECT x.d AS as_of_ts)", f"(SELECT unnest([last_as_of_ts, last_as_of_ts + INTERVAL 1 DAY]) AS as_of_ts FROM {CONTROL})"))};
{ADVANCE};""",
    ],
    "next_days_match_reference": [
        # a window without an upper bound: later events leak in
        f"{merge(rows(window='e.event_ts > n.as_of_ts - INTERVAL 7 DAY'))};\n{ADVANCE};",
        # retries counted twice
        f"{merge(rows(source='events'))};\n{ADVANCE};",
        # recomputes the watermark's own day instead of the next one
        f"{merge(rows(next_day=f'(SELECT last_as_of_ts FROM {CONTROL})'))};\n{ADVANCE};",
    ],
    "write_is_idempotent": [
        f"INSERT INTO feature_table {rows()} ON CONFLICT DO NOTHING;\n{ADVANCE};",
        f"BEGIN;\nINSERT INTO feature_table {rows()};\n{ADVANCE};\nCOMMIT;",
    ],
}

CORRECT = {
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
}


@pytest.mark.parametrize(
    "check,sql", [(check, sql) for check, sqls in WRONG.items() for sql in sqls],
    ids=[f"{check}-{i}" for check, sqls in WRONG.items() for i in range(len(sqls))],
)
def test_wrong_job_fails_the_check_named_for_its_mistake(check, sql):
    result = grade("ex08", sql_cell("ex08", sql))
    assert check in failing(result), [(c.name, c.status, c.message) for c in result.checks]


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_job_gets_full_marks(name):
    result = grade("ex08", sql_cell("ex08", CORRECT[name]))
    assert full_marks(result), [(c.name, c.status, c.message) for c in result.checks if c.status != "pass"]


def test_control_first_job_message_names_the_statement_and_the_lost_day():
    result = grade("ex08", sql_cell("ex08", WRONG["control_updated_after_write"][0]))
    check = next(c for c in result.checks if c.name == "control_updated_after_write")
    assert "statement 2" in check.message and "2025-12-03" in check.message and "never written" in check.message
    assert check.tables and check.tables[0].rows  # the crash points table


def test_plain_insert_message_says_the_rerun_can_never_catch_up():
    result = grade("ex08", sql_cell("ex08", WRONG["crash_rerun_recovers"][0]))
    check = next(c for c in result.checks if c.name == "crash_rerun_recovers")
    assert "statement 1" in check.message and "never catch up" in check.message


def test_unanswered_placeholder_is_missing_not_failed():
    result = grade("ex08", sql_cell("ex08", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"))
    assert {c.status for c in result.checks} == {"missing"}
