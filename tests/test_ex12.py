"""Exercise 12 as a specification: backfill scripts that break under overlap, reruns or
concurrency fail the check named for their mistake; correct backfills get full marks; the
structured answer about a control-first job is judged by value."""

import pytest

from helpers import cells, failing, full_marks, grade, sql_cell
from grader import exercises
from grader.grade import grade_exercise
from grader.notebook import extract_answers

START, END = "getvariable('start_ts')", "getvariable('end_ts')"
DAYS = f"SELECT unnest(generate_series({START}, {END}, INTERVAL 1 DAY)) AS as_of_ts"
RIGHT_WINDOW = "e.event_ts <= d.as_of_ts AND e.event_ts > d.as_of_ts - INTERVAL 7 DAY"
IN_RANGE = f"as_of_ts BETWEEN {START} AND {END}"


def rows(days: str = DAYS, window: str = RIGHT_WINDOW, source: str = "(SELECT DISTINCT * FROM events)") -> str:
    return f"""
SELECT e.user_id, e.item_id, d.as_of_ts,
       count(*) FILTER (WHERE e.event_type = 'click') AS clicks_7d,
       count(*) FILTER (WHERE e.event_type = 'view') AS views_7d,
       count(*) AS impressions_7d,
       count(*) FILTER (WHERE e.event_type = 'click')::DOUBLE / NULLIF(count(*), 0) AS ctr_7d
FROM {source} e JOIN ({days}) d ON {window}
GROUP BY ALL"""


def overwrite(delete_where: str = IN_RANGE, **kw) -> str:
    return f"BEGIN;\nDELETE FROM feature_table WHERE {delete_where};\nINSERT INTO feature_table {rows(**kw)};\nCOMMIT;"


MERGE = f"""MERGE INTO feature_table t USING ({rows()}) s
ON t.user_id = s.user_id AND t.item_id = s.item_id AND t.as_of_ts = s.as_of_ts
WHEN MATCHED THEN UPDATE SET clicks_7d = s.clicks_7d, views_7d = s.views_7d,
     impressions_7d = s.impressions_7d, ctr_7d = s.ctr_7d
WHEN NOT MATCHED THEN INSERT VALUES (s.user_id, s.item_id, s.as_of_ts, s.clicks_7d, s.views_7d, s.impressions_7d, s.ctr_7d);"""

WRONG = {
    "overlapping_backfills_both_orders": [f"INSERT INTO feature_table {rows()};"],
    "leaves_other_days_alone": [
        overwrite(delete_where=f"as_of_ts >= {START}"),  # no upper bound: wipes later days
        overwrite(delete_where="true"),  # truncate and reload one range
        overwrite(delete_where=f"date_trunc('month', as_of_ts) = date_trunc('month', {START})"),  # the whole month
    ],
    "backfill_matches_reference": [
        overwrite(days=f"SELECT unnest(range({START}, {END}, INTERVAL 1 DAY)) AS as_of_ts"),  # end day excluded
        overwrite(window="e.event_ts > d.as_of_ts - INTERVAL 7 DAY"),  # no upper bound on the window
        overwrite(source="events"),  # retries counted twice
    ],
    "overwrites_stale_rows": [f"INSERT INTO feature_table {rows()} ON CONFLICT DO NOTHING;"],
    "concurrent_backfills_converge": [
        # a shared, real staging table: fine alone, wrong when two backfills run at once
        f"""CREATE OR REPLACE TABLE staging AS {rows()};
DELETE FROM feature_table WHERE {IN_RANGE};
INSERT INTO feature_table SELECT * FROM staging;
DROP TABLE IF EXISTS staging;""",
    ],
}

CORRECT = {
    "delete_range_and_insert_in_a_transaction": overwrite(),
    "merge": MERGE,
    "insert_or_replace": f"INSERT OR REPLACE INTO feature_table {rows()};",
    "temp_staging_then_overwrite_by_date": f"""CREATE TEMP TABLE new_rows AS {rows()};
BEGIN TRANSACTION;
DELETE FROM feature_table WHERE CAST(as_of_ts AS DATE) BETWEEN CAST({START} AS DATE) AND CAST({END} AS DATE);
INSERT INTO feature_table BY NAME SELECT * FROM new_rows;
COMMIT;""",
}

STRUCTURED = 'ex12c = {"lost_as_of_ts": "2025-12-03 23:59:59", "fix": "B"}'
EXPLAINED = ('ex12a = "Both jobs INSERT rows for the same keys on 12-03..12-05, so the table holds two rows per key; '
             'overwriting the day partition or MERGE on the key replaces the rows instead."')


def test_unanswered_placeholders_are_missing_not_failed():
    result = grade("ex12", sql_cell("ex12b", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"),
                   "ex12a = ...", 'ex12c = {"lost_as_of_ts": ..., "fix": ...}')
    assert {c.status for c in result.checks} == {"missing"}


@pytest.mark.parametrize(
    "check,sql", [(check, sql) for check, sqls in WRONG.items() for sql in sqls],
    ids=[f"{check}-{i}" for check, sqls in WRONG.items() for i in range(len(sqls))],
)
def test_wrong_backfill_fails_the_check_named_for_its_mistake(check, sql):
    result = grade("ex12", sql_cell("ex12b", sql), STRUCTURED, EXPLAINED)
    assert check in failing(result), [(c.name, c.status, c.message) for c in result.checks]


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_backfill_gets_full_marks(name):
    result = grade("ex12", sql_cell("ex12b", CORRECT[name]), STRUCTURED, EXPLAINED)
    assert full_marks(result), [(c.name, c.status, c.message) for c in result.checks if c.status not in ("pass", "manual")]


def test_plain_insert_message_names_the_order_and_the_duplicate_key():
    result = grade("ex12", sql_cell("ex12b", WRONG["overlapping_backfills_both_orders"][0]))
    check = next(c for c in result.checks if c.name == "overlapping_backfills_both_orders")
    assert "A [12-01..12-05] then B [12-03..12-07]" in check.message and "Duplicate key" in check.message


def test_interleaved_failure_names_the_schedule():
    result = grade("ex12", sql_cell("ex12b", WRONG["concurrent_backfills_converge"][0]))
    check = next(c for c in result.checks if c.name == "concurrent_backfills_converge")
    assert "interleaved as" in check.message
    assert {"overlapping_backfills_both_orders", "rerun_backfill_is_idempotent"}.isdisjoint(failing(result))


@pytest.mark.parametrize("value,ok", [
    ({"lost_as_of_ts": "2025-12-03 23:59:59", "fix": "B"}, True),
    ({"lost_as_of_ts": "2025-12-03", "fix": "b: control after the write"}, True),
    ({"lost_as_of_ts": "2025-12-04 23:59:59", "fix": "B"}, False),  # the day the next run computes
    ({"lost_as_of_ts": "2025-12-02 23:59:59", "fix": "B"}, False),  # the old watermark
    ({"lost_as_of_ts": "2025-12-03 00:00:00", "fix": "B"}, False),  # not the course's convention
    ({"lost_as_of_ts": "2025-12-03", "fix": "A"}, False),  # retrying the write does not help
    ({"lost_as_of_ts": "2025-12-03", "fix": "both"}, False),
])
def test_ex12c_is_judged_by_value(value, ok):
    answers, _ = extract_answers(cells(f"ex12c = {value!r}"))
    result = grade_exercise(exercises.get("ex12"), answers)
    marks = {c.name: c.status for c in result.checks if c.name in ("lost_day_named", "fix_is_control_after_write")}
    assert (set(marks.values()) == {"pass"}) == ok, marks


def test_explanation_is_manual_and_waits_for_the_instructor():
    result = grade("ex12", EXPLAINED)
    check = next(c for c in result.checks if c.name == "explains_overlap_duplicates")
    # worth 3 points, shown apart from the automatic maximum until the instructor scores it
    assert check.status == "manual" and check.max_points == 3 and check.to_dict()["points"] is None
    assert result.manual_pending == 3
