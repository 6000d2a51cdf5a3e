"""The grader's check messages say what a write's constraint error means for the exercise, as
the notebook does (grader/engine/sqlerrors.py): a plain INSERT over a key already written is a write
that is not idempotent; a MERGE matching on (user_id, item_id) lacks as_of_ts. Errors that are
not about the write keep DuckDB's message alone."""

import pytest

from grader.engine import sandbox, sqlerrors
from grader.course.exercises.ex07 import matrix as ex07_matrix
from grader.course.exercises.ex08 import matrix as ex08_matrix
from grader.course.exercises.ex12 import matrix as ex12_matrix
from helpers import grade, sql_cell
from test_ex07 import CTR, INSERT
from grader.course.exercises.ex08.matrix import ADVANCE, rows

EXPLAINED = "What this means here"
HEDGED = "If it is a duplicate key"
# A MERGE on the pair only whose update moves the row onto today's key (UPDATE SET *): DuckDB
# refuses it with a duplicate key wherever the pair has another day's row.
PARTIAL_KEY_MERGE = f"""MERGE INTO feature_table t USING (SELECT *, {CTR} AS ctr_7d FROM feature_rows) s
ON t.user_id = s.user_id AND t.item_id = s.item_id
WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *;"""
JOB_PLAIN_INSERT = f"INSERT INTO feature_table {rows()};\n{ADVANCE};"


def errored_on_the_key(result) -> list:
    """The checks whose message carries DuckDB's duplicate-key error."""
    return [c for c in result.checks if "duplicate key" in c.message.lower()]


def test_plain_insert_in_ex07_is_told_its_write_is_not_idempotent():
    result = grade("ex07", sql_cell("ex07", INSERT))
    hit = errored_on_the_key(result)
    # the public sample check runs it once over the stale row: an error, explained
    assert "matches_reference_on_sample" in {c.name for c in hit}
    for c in hit:
        assert "not idempotent" in c.message and "MERGE" in c.message, (c.name, c.message)
        assert "lacks as_of_ts" not in c.message


# A DELETE + INSERT whose DELETE misses the keys it means to clear: a day compared with a DATE is its midnight.
DELETE_BY_DATE = f"""BEGIN TRANSACTION;
DELETE FROM feature_table WHERE as_of_ts = DATE '2025-12-03' AND (user_id, item_id) IN (SELECT user_id, item_id FROM feature_rows);
{INSERT}
COMMIT;"""


def test_an_insert_after_a_delete_that_missed_is_told_about_the_delete_not_a_plain_insert():
    hit = errored_on_the_key(grade("ex07", sql_cell("ex07", DELETE_BY_DATE)))
    assert "matches_reference_on_sample" in {c.name for c in hit}
    for c in hit:
        assert "the DELETE before it left that key in place" in c.message and "plain INSERT" not in c.message, c.message
        assert "nothing.." not in c.message, c.message  # one full stop between the hint and what follows
    # a DELETE after the INSERT does not make the INSERT one that replaces what was deleted
    later = f"{INSERT}\nDELETE FROM feature_table WHERE false;"
    for c in errored_on_the_key(grade("ex07", sql_cell("ex07", later))):
        assert "not idempotent" in c.message and "DELETE before it" not in c.message, c.message


def test_merge_on_a_partial_key_is_told_the_key_lacks_as_of_ts():
    result = grade("ex07", sql_cell("ex07", PARTIAL_KEY_MERGE))
    hit = errored_on_the_key(result)
    assert hit, [(c.name, c.message) for c in result.checks]
    for c in hit:
        assert "lacks as_of_ts" in c.message, (c.name, c.message)
        assert "not idempotent" not in c.message


def test_job_whose_plain_insert_fails_on_rerun_is_told_its_write_is_not_idempotent():
    result = grade("ex08", sql_cell("ex08", JOB_PLAIN_INSERT))
    rerun = next(c for c in result.checks if c.name == "crash_rerun_recovers")
    assert rerun.status == "fail" and "Duplicate key" in rerun.message
    assert "not idempotent" in rerun.message
    for c in errored_on_the_key(result):  # every job check that met the error explains it
        assert "not idempotent" in c.message, (c.name, c.message)


@pytest.mark.parametrize("exercise, cell", [
    ("ex07", sql_cell("ex07", "INSERT INTO feature_table SELECT *, no_such_column FROM feature_rows;")),
    ("ex07", sql_cell("ex07", "INSERT INTO no_such_table SELECT * FROM feature_rows;")),
    ("ex07", sql_cell("ex07", "INSERT INTO feature_table SELECT * FROM feature_rows;")),  # 6 columns for 7
    ("ex08", sql_cell("ex08", f"INSERT INTO feature_table SELECT *, 1 / 0 FROM ({rows()}) x WHERE missing;\n{ADVANCE};")),
])
def test_errors_that_are_not_about_the_key_get_no_explanation(exercise, cell):
    result = grade(exercise, cell)
    erred = [c for c in result.checks if c.status in ("error", "fail") and "Error" in c.message]
    assert erred, [(c.name, c.status, c.message) for c in result.checks]
    for c in result.checks:
        assert EXPLAINED not in c.message and "what this means here" not in c.message, (c.name, c.message)


def test_hidden_check_with_withheld_details_still_explains_but_says_it_cannot_be_sure(monkeypatch):
    # A hidden check hides DuckDB's message (it could show fixture rows); the statement still
    # says what a key violation would mean, hedged since a NULL key fails the same way.
    monkeypatch.setattr(sandbox, "DB_DETAILS", False)
    result = grade("ex07", sql_cell("ex07", INSERT))
    hit = [c for c in result.checks if sandbox.WITHHELD in c.message and "Constraint Error" in c.message]
    assert hit, [(c.name, c.message) for c in result.checks]
    for c in hit:
        assert HEDGED in c.message and "not idempotent" in c.message, (c.name, c.message)
        assert "user_id: " not in c.message  # no fixture row slips out through the explanation


@pytest.mark.parametrize("sql, word", [
    ("WITH asof AS (SELECT getvariable('as_of_ts') AS t) SELECT DISTINCT user_id, item_id FROM events, asof "
     "WHERE event_ts <= t AND event_ts > t - INTERVAL 7 DAY", "asof"),
    ("SELECT DISTINCT user_id, item_id FROM events AS window", "window"),
])
def test_a_keyword_used_as_a_name_is_told_so(sql, word):
    # DuckDB says only "syntax error at or near ..."; its own keyword list (duckdb_keywords()) says why
    check = grade("ex11", sql_cell("ex11", sql), hidden=False).checks[0]
    assert f"`{word}` is one of DuckDB's keywords" in check.message and f'("{word}")' in check.message


def test_a_syntax_error_at_a_keyword_in_its_own_place_gets_no_such_hint():
    sql = "SELECT DISTINCT user_id, item_id FROM events WHERE event_ts <= getvariable('as_of_ts') SELECT"
    check = grade("ex11", sql_cell("ex11", sql), hidden=False).checks[0]
    assert 'syntax error at or near "SELECT"' in check.message and EXPLAINED not in check.message


# A script that opens a transaction and never commits it: in the notebook the same connection
# sees its rows; a job's session ends and DuckDB rolls them back, so it wrote nothing.
LEFT_OPEN = "leaves the transaction it opens at statement"
WRITE = "INSERT INTO feature_table SELECT *, 0.5 FROM feature_rows"


@pytest.mark.parametrize("sql, at", [
    (f"BEGIN; {WRITE}", 1),
    (f"START TRANSACTION; {WRITE};", 1),
    (f"begin transaction; {WRITE}; -- COMMIT;", 1),  # a COMMIT in a comment ends nothing
    (f"BEGIN; {WRITE}; COMMIT; BEGIN; DELETE FROM feature_table", 4),  # the last BEGIN is the open one
    (f"BEGIN; {WRITE}; COMMIT;", None),
    (f"BEGIN; {WRITE}; END;", None),
    (f"BEGIN; {WRITE}; ROLLBACK;", None),  # ended on purpose: not left open
    (f"{WRITE}; SELECT 'BEGIN'", None),
    ("BEGIN; CREATE TEMP TABLE x AS SELECT 1; SELECT * FROM x", None),  # nothing a rollback loses
])
def test_an_open_transaction_is_read_from_the_statements(sql, at):
    assert sqlerrors.open_transaction(sql) == at


@pytest.mark.parametrize("exercise, cells", [
    ("ex07", [sql_cell("ex07", "BEGIN TRANSACTION;\n" + ex07_matrix.merge())]),
    ("ex08", [sql_cell("ex08", ex08_matrix.REFERENCE.replace("COMMIT;", "")), ex08_matrix.WRITTEN]),
    ("ex12", [sql_cell("ex12b", ex12_matrix.REFERENCE.replace("COMMIT;", "")), ex12_matrix.STRUCTURED, ex12_matrix.EXPLAINED]),
])
def test_a_script_whose_transaction_is_left_open_is_told_to_commit(exercise, cells):
    # the public checks, which the student sees before hand-in: each says why the script wrote nothing
    result = grade(exercise, *cells, hidden=False)
    failed = [c for c in result.checks if c.status not in ("pass", "manual")]
    assert failed, [(c.name, c.status) for c in result.checks]
    for c in failed:
        assert LEFT_OPEN in c.message and "COMMIT" in c.message, (c.name, c.message)


def test_a_query_answer_is_judged_on_its_own_session_and_told_nothing_of_a_rollback():
    # its result is read before the session ends: what a rollback loses afterwards is not why it failed
    sql = "BEGIN;\nCREATE TABLE scratch AS SELECT 1 AS x;\nSELECT DISTINCT user_id, item_id FROM events"
    check = grade("ex11", sql_cell("ex11", sql), hidden=False).checks[0]
    assert check.status != "pass" and LEFT_OPEN not in check.message, check.message
