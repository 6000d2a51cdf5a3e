"""Exercise 7 as a specification: wrong upserts fail the check named for their mistake;
different correct writes (MERGE, ON CONFLICT, DELETE + INSERT, INSERT OR REPLACE) get full marks."""

import re
from pathlib import Path

import duckdb
import pytest

from grader.authoring import lesson
from grader.domain.tables import create_tables, Dataset
from grader.course.exercises.ex07 import sample
from helpers import full_marks, grade, sql_cell
from grader.course.exercises.ex07.matrix import ADDITIVE, COLS, CORRECT, CTR, INSERT, MATRIX, SAMPLE, cell, merge, upsert  # noqa: F401


# MATRIX is graded by tests/test_matrix.py, with every exercise folder's.


def test_plain_insert_fails_rerun_with_the_teaching_message_and_the_inputs():
    result = grade("ex07", sql_cell("ex07", INSERT))
    rerun = next(c for c in result.checks if c.name == "rerun_is_idempotent")
    assert rerun.status == "fail"
    assert "the next one failed" in rerun.message and "MERGE" in rerun.message
    assert rerun.tables[0].caption.startswith("feature_table before")


def test_a_script_that_skips_only_the_stale_row_is_not_told_it_wrote_nothing():
    # on the counterexample shrunk to the stale row it writes nothing, but on the sample it wrote
    # twelve new rows: the message says what differs, not "Your script wrote nothing"
    skips_existing = f"""INSERT INTO feature_table SELECT r.*, {CTR} FROM feature_rows r WHERE NOT EXISTS (
        SELECT 1 FROM feature_table t WHERE t.user_id = r.user_id AND t.item_id = r.item_id AND t.as_of_ts = r.as_of_ts)"""
    result = grade("ex07", sql_cell("ex07", skips_existing), hidden=False)
    check = next(c for c in result.checks if c.name == SAMPLE)
    assert check.status == "fail" and "wrote nothing" not in check.message, check.message
    assert check.message.startswith("After the first run: 1 row(s) with wrong values in views_7d"), check.message


def test_the_sample_check_judges_the_table_after_the_first_run_too():
    # an upsert whose UPDATE computes ctr_7d from the old row's counts (unqualified columns in DO
    # UPDATE SET): the rerun repairs it, so judging only after the rerun told "All public checks passed"
    old_counts_ctr = """INSERT INTO feature_table
        SELECT *, clicks_7d / NULLIF(impressions_7d, 0) FROM feature_rows
        ON CONFLICT (user_id, item_id, as_of_ts) DO UPDATE SET clicks_7d = excluded.clicks_7d,
            views_7d = excluded.views_7d, impressions_7d = excluded.impressions_7d,
            ctr_7d = clicks_7d / NULLIF(impressions_7d, 0)"""
    check = next(c for c in grade("ex07", sql_cell("ex07", old_counts_ctr), hidden=False).checks if c.name == SAMPLE)
    assert check.status == "fail" and check.message.startswith("After the first run: 1 row(s) with wrong values in ctr_7d")


def test_replacing_only_the_latest_days_keys_leaves_an_earlier_day_stale():
    # feature_rows may hold several as-of days; a DELETE + INSERT keyed on its max(as_of_ts)
    # leaves the other day's stale row, which the INSERT then collides with. (Not in MATRIX: the
    # sample writes one day, so only the hidden fixture shows it, and test_public_signal's share
    # has no room for another hidden-only entry.)
    sql = f"""DELETE FROM feature_table WHERE as_of_ts = (SELECT max(as_of_ts) FROM feature_rows)
                AND (user_id, item_id) IN (SELECT user_id, item_id FROM feature_rows);
              {INSERT}"""
    result = grade("ex07", sql_cell("ex07", sql))
    assert next(c for c in result.checks if c.name == "stale_rows_updated_all_columns").status in ("fail", "error")


def test_ctr_derived_by_an_update_without_a_where_is_told_the_row_it_rewrote_as_it_was():
    # MATRIX's ctr_derived_by_an_update_of_every_row: the rows it should have left alone (an older
    # job's FLOAT digits, on the sample's 2025-12-02 and the hidden fixtures) are expected as they
    # were, not as the script computes ctr_7d: the message does not say "as your own script computes it"
    result = grade("ex07", *MATRIX["ctr_derived_by_an_update_of_every_row"].cells)
    failed = {c.name: c.message for c in result.checks if c.status != "pass"}
    assert "expected 0.6666666865348816, got 0.6666666666666666" in failed[SAMPLE], failed[SAMPLE]
    hidden = [failed["other_days_untouched"], failed["unrelated_rows_untouched"]]
    assert all("expected 0.3333333432674408, got 0.3333333333333333" in m for m in hidden), hidden
    assert not any("your own script" in m for m in failed.values()), failed


def test_float_ctr_message_names_float():
    result = grade("ex07", *MATRIX["ctr_as_float"].cells)
    check = next(c for c in result.checks if c.name == "ctr_is_double_not_float")
    assert "FLOAT" in check.message and "ctr_7d" in check.message
    # the digits that differ are printed, in the message and in the wrong-values table
    assert "got 0.3333333432674408" in check.message
    values = next(t for t in check.tables if t.caption == "wrong values")
    assert "0.3333333432674408" in [v for row in values.rows for v in row]


def test_answer_may_build_on_a_saved_snippet():
    result = grade(
        "ex07",
        sql_cell("with_ctr", f"SELECT *, {CTR} AS ctr_7d FROM feature_rows"),
        sql_cell("ex07", "INSERT OR REPLACE INTO feature_table SELECT * FROM with_ctr"),
    )
    assert full_marks(result), [(c.name, c.status, c.message) for c in result.checks if c.status != "pass"]


def test_unanswered_placeholder_is_missing_not_failed():
    result = grade("ex07", sql_cell("ex07", "-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo"))
    assert {c.status for c in result.checks} == {"missing"}


def test_lesson_setup_cell_builds_the_public_fixture():
    """The notebook's tables and the public check's fixture are the same rows."""
    cells = lesson.read(Path("grader/course/exercises/ex07/lesson.md")).cells
    setup = next(c for c in cells if c.kind == "code" and "INSERT INTO feature_rows" in c.source)
    con = duckdb.connect()
    create_tables(con, Dataset())
    for stmt in duckdb.extract_statements(re.sub(r"^%%sql.*\n", "", setup.source)):
        con.execute(stmt.query)
    fixture = sample()
    for table in ("feature_table", "feature_rows"):
        got = sorted(con.execute(f"SELECT * FROM {table}").fetchall())
        assert got == sorted(fixture.rows(table)), table


def test_a_script_that_writes_nothing_keeps_no_point_for_the_table_definition():
    # issue 10: feature_table_keeps_key_and_types gave a point to a script that does nothing
    result = grade("ex07", sql_cell("ex07", "SELECT count(*) FROM feature_rows"))
    check = next(c for c in result.checks if c.name == "feature_table_keeps_key_and_types")
    assert check.status == "fail" and "keys_written" in check.message


def test_counterexample_is_shrunk_to_the_fewest_input_rows():
    result = grade("ex07", *MATRIX["merge_on_pair_only"].cells)
    check = next(c for c in result.checks if c.name == "key_includes_as_of_ts")
    shown = {t.caption.split(":")[0]: t for t in check.tables}
    assert len(shown["feature_rows"].rows) == 1 and len(shown["feature_table"].rows) == 1


@pytest.mark.parametrize("sql", ["SELECT 1", "DELETE FROM feature_table WHERE false",
                                 "CREATE TEMP TABLE x AS SELECT * FROM feature_rows"])
def test_a_script_that_writes_nothing_is_told_so_not_a_key_mistake(sql):
    result = grade("ex07", cell(sql))
    for name in ("key_includes_as_of_ts", "other_days_untouched", "unrelated_rows_untouched"):
        check = next(c for c in result.checks if c.name == name)
        assert check.status == "fail" and check.message.startswith("Your script wrote nothing"), check.message
        assert "write key" not in check.message and "other as-of days" not in check.message


@pytest.mark.parametrize("create", ["CREATE OR REPLACE TEMP TABLE", "create or replace temporary table",
                                    "CREATE OR REPLACE TEMPORARY TABLE"])
def test_a_scripts_own_temp_feature_table_is_never_read_as_the_table_it_wrote(create):
    # the right rows, written where no later session can see them: the real table is unchanged
    # (OR REPLACE: the script runs twice in one session, so a second CREATE would fail on its own)
    sql = f"{create} feature_table AS SELECT * FROM main.feature_table;\n" + merge()
    result = grade("ex07", sql_cell("ex07", sql))
    assert next(c for c in result.checks if c.name == "matches_reference_on_sample").status == "fail"


def test_duckdb_makes_a_temp_object_only_where_the_statement_says_temp():
    # why a script whose text never says "temp" skips the look for TEMP objects (result.py)
    con = duckdb.connect()
    con.execute("SET search_path = 'te' || 'mp'")  # the one way to point at temp without the word
    for ddl in ("CREATE TABLE t (a INT)", "CREATE VIEW v AS SELECT 1", "CREATE MACRO m(x) AS x"):
        with pytest.raises(duckdb.ParserException, match="TEMPORARY"):
            con.execute(ddl)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone() == (0,)


def test_a_script_that_never_commits_writes_nothing():
    # its session ends without COMMIT, so its transaction is rolled back: every run is a session
    # of its own and the table is read from another, as a scheduler runs a script
    never_commits = f"BEGIN;\nINSERT OR REPLACE INTO feature_table SELECT *, {CTR} FROM feature_rows;"
    result = grade("ex07", sql_cell("ex07", never_commits))
    assert result.score == 0, [(c.name, c.status, c.message) for c in result.checks if c.status == "pass"]
    assert "wrote nothing" in next(c.message for c in result.checks if c.name == "rerun_is_idempotent")
