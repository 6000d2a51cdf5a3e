"""check() inside a real IPython shell with jupysql: it grades what the notebook holds now, the
same answers the grader reads from the file, and a SQL error is short and still fails the cell."""

import json
import os
import time

import pytest
from IPython.testing.globalipapp import start_ipython

from grader.course import exercises
from grader.kernel import check as kernel
from grader.grading.grade import grade_exercise
from grader.engine.notebook import extract_answers

WRONG_EX06 = (
    "SELECT user_id, item_id, TIMESTAMP '2025-12-02 23:59:59' AS as_of_ts, 0 AS clicks_7d, 0 AS views_7d, "
    "count(*) AS impressions_7d FROM events GROUP BY ALL"
)
RIGHT_EX06 = """WITH e AS (SELECT DISTINCT * FROM events),
a AS (SELECT unnest([TIMESTAMP '2025-12-02 23:59:59', TIMESTAMP '2025-12-03 23:59:59']) AS as_of_ts)
SELECT user_id, item_id, as_of_ts,
       count(*) FILTER (WHERE event_type = 'click') AS clicks_7d,
       count(*) FILTER (WHERE event_type = 'view') AS views_7d,
       count(*) AS impressions_7d
FROM e JOIN a ON event_ts <= as_of_ts AND event_ts > as_of_ts - INTERVAL 7 DAY
GROUP BY ALL"""


@pytest.fixture(scope="module")
def ip():
    from IPython.utils.capture import capture_output

    shell = start_ipython()
    with capture_output() as first_cell:
        result = shell.run_cell("from grader.workbook import check, con, reset")
    assert result.success, result.error_in_exec
    shell.first_cell_output = first_cell.stdout
    yield shell
    # jupysql's own exit hook would announce the closing to a shell that is gone by then
    from sql.connection import ConnectionManager

    ConnectionManager.close_all()


@pytest.fixture(autouse=True)
def fresh_notebook(ip, monkeypatch):
    """Each test is its own notebook: no cells run yet, no notebook file unless it sets one."""
    kernel._ran.clear()
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    ip.user_ns.pop("__session__", None)
    ip.run_cell("reset()")
    kernel._ran.clear()
    yield
    ip.user_ns.pop("__session__", None)


def run(ip, source, cell_id=None):
    return ip.run_cell(source, store_history=True, cell_id=cell_id)


def shown(capsys, ip, source, cell_id=None):
    """Run a cell; (success, what it printed)."""
    capsys.readouterr()
    r = run(ip, source, cell_id)
    out = capsys.readouterr()
    return r.success, out.out + out.err


def check(ip, exercise_id="ex06"):
    r = run(ip, f"check({exercise_id!r})")
    assert r.success
    return r.result


def statuses(report):
    return {c.name: c.status for c in report.result.checks}


def save_notebook(path, cells, when):
    """A notebook file as JupyterLab saves it (cell ids kept), modified at `when`."""
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": kind, "id": cid, "metadata": {}, "source": src,
                     **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                    for cid, kind, src in cells]}
    path.write_text(json.dumps(nb))
    os.utime(path, (when, when))


# ---------- the first cell ----------

def test_first_cell_says_what_was_loaded_in_one_line(ip):
    from grader.domain.tables import TABLES, load_seed

    out = ip.first_cell_output.strip().splitlines()
    assert len(out) == 1
    seed = load_seed()
    for table in TABLES:
        assert f"{table} {len(seed.rows(table))}" in out[0]


def test_sql_cells_query_the_seeded_course_tables(ip):
    r = run(ip, "%%sql\nSELECT count(*) AS n FROM events")
    assert r.success
    from grader.domain.tables import load_seed

    assert list(r.result.dict()["n"]) == [len(load_seed().rows("events"))]


# ---------- SQL errors: short, explained, and the cell still fails ----------

def test_a_sql_error_fails_the_cell_and_shows_duckdbs_message_in_a_few_lines(ip, capsys):
    ok, out = shown(capsys, ip, "%%sql\nSELECT user_id,\n  no_such_column\nFROM events")
    assert not ok
    assert 'Referenced column "no_such_column" not found' in out
    assert "LINE 2:" in out and "^^^" in out  # the line DuckDB points at
    assert "--with" not in out and "Traceback" not in out and "site-packages" not in out
    assert len(out.strip().splitlines()) <= 10


def test_begin_is_refused_with_the_form_that_runs(ip, capsys):
    ok, out = shown(capsys, ip, "%%sql\nBEGIN TRANSACTION;\nSELECT 1;\nCOMMIT;")
    assert not ok and "START TRANSACTION" in out
    ok, _ = shown(capsys, ip, "%%sql\nSTART TRANSACTION;\nSELECT 1;\nCOMMIT;")
    assert ok


def test_an_error_inside_a_transaction_rolls_it_back_and_the_next_cell_works(ip, capsys):
    row = "(101, 201, TIMESTAMP '2025-12-03 23:59:59', 1, 1, 2, 0.5)"
    ok, out = shown(capsys, ip, f"%%sql\nSTART TRANSACTION;\nINSERT INTO feature_table VALUES {row};\n"
                                f"INSERT INTO feature_table VALUES {row};\nCOMMIT;")
    assert not ok and "rolled back" in out
    r = run(ip, "%%sql\nSELECT count(*) AS n FROM feature_table")
    assert r.success and list(r.result.dict()["n"]) == [0]  # neither INSERT was kept


SCENE = ("%%sql\nINSERT INTO feature_table VALUES (101, 201, TIMESTAMP '2025-12-02 23:59:59', 1, 1, 2, 0.5), "
         "(101, 201, TIMESTAMP '2025-12-03 23:59:59', 1, 2, 3, 0.3);\n"
         "INSERT INTO feature_rows VALUES (101, 201, TIMESTAMP '2025-12-03 23:59:59', 1, 1, 2)")


@pytest.mark.parametrize("answer, meaning", [
    ("INSERT INTO feature_table SELECT *, clicks_7d / NULLIF(impressions_7d, 0) FROM feature_rows",
     "not idempotent"),
    ("INSERT INTO feature_table (user_id, item_id, as_of_ts, clicks_7d, views_7d, impressions_7d, ctr_7d)\n"
     "SELECT user_id, item_id, as_of_ts, clicks_7d, views_7d, impressions_7d, 0.5 FROM feature_rows",
     "not idempotent"),
    ("MERGE INTO feature_table AS t USING (SELECT *, 0.5 AS ctr_7d FROM feature_rows) AS s\n"
     "ON t.user_id = s.user_id AND t.item_id = s.item_id\nWHEN MATCHED THEN UPDATE SET *\n"
     "WHEN NOT MATCHED THEN INSERT *", "lacks as_of_ts"),
    ("MERGE INTO feature_table t USING (SELECT *, 0.5 AS ctr_7d FROM feature_rows) s\n"
     "ON (t.user_id, t.item_id) = (s.user_id, s.item_id)\nWHEN MATCHED THEN UPDATE SET as_of_ts = s.as_of_ts\n"
     "WHEN NOT MATCHED THEN INSERT *", "lacks as_of_ts"),
])
def test_ex07_constraint_errors_say_what_they_mean_for_the_exercise(ip, capsys, answer, meaning):
    assert run(ip, SCENE).success
    ok, out = shown(capsys, ip, f"%%sql --save ex07\n{answer}")
    assert not ok and "Constraint Error" in out and meaning in out


def test_reset_puts_back_the_seeded_tables(ip, capsys):
    assert run(ip, "%%sql\nUPDATE feature_job_control SET last_as_of_ts = TIMESTAMP '2025-12-06 23:59:59';\n"
                   "INSERT INTO feature_table VALUES (1, 1, TIMESTAMP '2025-12-01 23:59:59', 1, 1, 1, 1.0)").success
    ok, out = shown(capsys, ip, "reset()")
    assert ok and "feature_table 0" in out and len(out.strip().splitlines()) == 1
    r = run(ip, "%%sql\nSELECT last_as_of_ts::VARCHAR AS w, (SELECT count(*) FROM feature_table) AS n FROM feature_job_control")
    assert r.result.dict() == {"w": ("2025-12-02 23:59:59",), "n": (0,)}


# ---------- check() grades what the notebook holds now ----------

def test_check_reports_a_wrong_saved_answer_with_a_counterexample(ip):
    run(ip, f"%%sql --save ex06 --no-execute\n{WRONG_EX06}")
    report = check(ip)
    assert not report.passed
    html = report._repr_html_()
    assert "matches_reference_on_sample" in html and "fewest rows" in html
    assert "hidden checks" in html


def test_check_never_raises_on_an_unknown_exercise(ip):
    r = run(ip, "check('ex99')")
    assert r.success and "could not run the checks" in repr(r.result)


def test_structured_answer_is_read_from_the_cell_not_the_live_object(ip):
    # A value computed by code is not gradable at grading time, so check() must not accept it.
    run(ip, "import math\nex09 = {'a_gb': math.prod([1])}")
    answer = kernel.kernel_answers(["ex09"])[0]["ex09"]
    assert answer.error and "function call" in answer.error


def test_a_cell_renamed_and_run_no_longer_passes_with_its_old_snippet(ip):
    """Issue 12.1: the cell saved a right ex06, then was changed to `--save ex6` and run."""
    run(ip, f"%%sql --save ex06 --no-execute\n{RIGHT_EX06}", cell_id="answer")
    assert check(ip).passed
    run(ip, f"%%sql --save ex6 --no-execute\n{WRONG_EX06}", cell_id="answer")
    report = check(ip)
    assert set(statuses(report).values()) == {"missing"}
    text = repr(report)
    assert "did you mean ex06?" in text and "still holds an `ex06` snippet" in text


@pytest.mark.parametrize("cell", [
    "%%sql --save ex6 --no-execute\n{sql}",
    "%%sql --save EX06 --no-execute\n{sql}",
    "%%sql --save ex_06 --no-execute\n{sql}",
    "%%sql --save Ex6 --no-execute\n{sql}",
])
def test_near_miss_names_get_did_you_mean_in_check(ip, cell):
    run(ip, cell.format(sql=RIGHT_EX06))
    report = check(ip)
    assert set(statuses(report).values()) == {"missing"} and "did you mean ex06?" in repr(report)


def _near_misses(name: str, kind: str) -> list[tuple[str, str]]:
    """(cell_type, source) cells that look meant to answer `name`, for each way of missing it."""
    number, letter = int(name[2:4]), name[4:]
    names = [n for n in (f"ex{number}{letter}", f"ex0{number}{letter}", name.upper(), f"ex_{name[2:]}") if n != name]
    if kind == "sql":
        cells = [("code", f"%%sql --save {n}\nSELECT 1") for n in names]
        cells += [("markdown", f"%%sql --save {name}\nSELECT 1"), ("raw", f"%%sql --save {name} \nSELECT 1"),
                  ("code", f"%sql --save {name} SELECT 1"), ("code", f"-- my answer\n%%sql --save {name}\nSELECT 1")]
    else:
        cells = [("code", f"{n} = {{'a': 1}}") for n in names] + [("markdown", f"{name} = {{'a': 1}}")]
    return cells


CASES = [(ex_id, a.name, a.kind, cell) for ex_id in exercises.available()
         for a in exercises.get(ex_id).answers for cell in _near_misses(a.name, a.kind)]


@pytest.mark.parametrize("ex_id, name, kind, cell", CASES, ids=[f"{c[1]}-{c[3][0]}-{c[3][1][:22]}" for c in CASES])
def test_grader_check_says_did_you_mean_for_every_near_miss_of_every_answer(ex_id, name, kind, cell):
    """The class of mistake, from the declarations: every answer name of every exercise, missed
    by a near name, the wrong cell kind, the line magic or a --save line below the first."""
    answers, _ = extract_answers([{"cell_type": cell[0], "source": cell[1]}])
    assert answers[name].kind == "missing"  # never graded as if given
    result = grade_exercise(exercises.get(ex_id), answers, hidden=True)
    mine = [c for c, check in zip(result.checks, exercises.get(ex_id).all_checks(True)) if check.answer == name]
    assert mine and all(c.status == "missing" and c.points == 0 for c in mine)
    expected = {"code": ("did you mean", "line magic", "not the first line")}.get(cell[0], ("not a Code cell",))
    assert all(any(e in c.message for e in expected) for c in mine), mine[0].message


def test_a_hint_never_beats_a_real_answer():
    cells = [{"cell_type": "code", "source": "%%sql --save ex6\nSELECT 2"},
             {"cell_type": "code", "source": "%%sql --save ex06\nSELECT 1"}]
    answers, _ = extract_answers(cells)
    assert answers["ex06"].kind == "sql" and answers["ex06"].sql.strip() == "SELECT 1"


# ---------- with the notebook file JupyterLab names (JPY_SESSION_NAME) ----------

def test_answer_cell_in_the_notebook_but_not_run_says_run_it_first(ip, tmp_path, monkeypatch):
    """Issue 12.2: a fresh kernel (or a restart) on a notebook whose answer cell exists."""
    path = tmp_path / "ex06.ipynb"
    save_notebook(path, [("c0", "code", "from grader.workbook import check"),
                         ("c1", "code", f"%%sql --save ex06\n{RIGHT_EX06}")], time.time() - 60)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    report = check(ip)
    assert set(statuses(report).values()) == {"missing"}
    assert "run your answer cell first" in repr(report)
    run(ip, f"%%sql --save ex06 --no-execute\n{RIGHT_EX06}", cell_id="c1")
    assert check(ip).passed


def test_a_cell_edited_and_saved_but_not_run_is_graded_as_saved_and_said_so(ip, tmp_path, monkeypatch):
    path = tmp_path / "ex06.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    run(ip, f"%%sql --save ex06 --no-execute\n{RIGHT_EX06}", cell_id="c1")
    save_notebook(path, [("c1", "code", f"%%sql --save ex06 --no-execute\n{WRONG_EX06}")], time.time() + 5)
    report = check(ip)
    assert not report.passed  # the saved (wrong) version, which is what the grader would read
    assert "edited and not run again" in repr(report) and "edited and not run again" in report._repr_html_()


def test_a_cell_run_after_the_last_save_counts_as_run(ip, tmp_path, monkeypatch):
    path = tmp_path / "ex06.ipynb"
    save_notebook(path, [("c1", "code", f"%%sql --save ex06 --no-execute\n{WRONG_EX06}")], time.time() - 60)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    run(ip, f"%%sql --save ex06 --no-execute\n{RIGHT_EX06}", cell_id="c1")
    report = check(ip)
    assert report.passed and not report.notes


def test_an_answer_cell_deleted_from_the_saved_notebook_no_longer_counts(ip, tmp_path, monkeypatch):
    path = tmp_path / "ex06.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    run(ip, f"%%sql --save ex06 --no-execute\n{RIGHT_EX06}", cell_id="c1")
    save_notebook(path, [("c0", "code", "from grader.workbook import check")], time.time() + 5)
    report = check(ip)
    assert set(statuses(report).values()) == {"missing"} and "renamed or deleted" in repr(report)


def test_an_answer_graded_although_its_cell_failed_here_says_so(ip):
    """Issue 12.9: jupysql refuses `BEGIN`, the grader runs the script as written: check() says
    that it graded a cell this notebook could not run."""
    merge = ("MERGE INTO feature_table AS t USING (SELECT *, clicks_7d / NULLIF(impressions_7d, 0) AS ctr_7d "
             "FROM feature_rows) AS s\nON t.user_id = s.user_id AND t.item_id = s.item_id AND t.as_of_ts = s.as_of_ts\n"
             "WHEN MATCHED THEN UPDATE SET clicks_7d = s.clicks_7d, views_7d = s.views_7d, "
             "impressions_7d = s.impressions_7d, ctr_7d = s.ctr_7d\nWHEN NOT MATCHED THEN INSERT *")
    assert not run(ip, f"%%sql --save ex07\nBEGIN TRANSACTION;\n{merge};\nCOMMIT;", cell_id="a7").success
    report = check(ip, "ex07")
    assert report.passed and any("failed when it last ran" in n for n in report.notes)
    assert run(ip, f"%%sql --save ex07\nSTART TRANSACTION;\n{merge};\nCOMMIT;", cell_id="a7").success
    report = check(ip, "ex07")
    assert report.passed and not report.notes


def test_crash_tables_show_whole_messages_not_cut_at_50_characters(ip):
    """Issue 12.7: pandas cut the crash and schedule tables' messages ("failed on every retry:
    statem..."), hiding the primary-key error that explains them."""
    r = run(ip, "from grader.course.exercises.ex08 import crashes\n"
                "crashes('''INSERT INTO feature_table SELECT ev.user_id, ev.item_id, c.last_as_of_ts + INTERVAL 1 DAY,\n"
                "  0, 0, count(*), NULL FROM events ev, feature_job_control c GROUP BY ALL;\n"
                "UPDATE feature_job_control SET last_as_of_ts = last_as_of_ts + INTERVAL 1 DAY''')")
    assert r.success
    html = r.result._repr_html_()
    assert "violates primary key constraint" in html and "the job can never catch up" in html


def test_a_cell_run_then_saved_unchanged_is_graded_without_a_note(ip, tmp_path, monkeypatch):
    path = tmp_path / "ex06.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    source = f"%%sql --save ex06 --no-execute\n{RIGHT_EX06}"
    run(ip, source, cell_id="c1")
    save_notebook(path, [("c1", "code", source)], time.time() + 5)
    report = check(ip)
    assert report.passed and not report.notes


def test_a_notebook_file_without_cell_ids_falls_back_to_the_cells_run(ip, tmp_path, monkeypatch):
    """nbformat 4.4 files have no ids to match runs against: the cells run are the notebook."""
    path = tmp_path / "ex06.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": f"%%sql --save ex06\n{WRONG_EX06}"}]}))
    os.utime(path, (time.time() + 5, time.time() + 5))
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    run(ip, f"%%sql --save ex06 --no-execute\n{RIGHT_EX06}", cell_id="c1")
    assert check(ip).passed


def test_a_broken_sql_cell_still_fails_a_notebook_run_in_a_real_kernel(tmp_path):
    """nbval and nbclient stop at a cell whose kernel reply is an error: the short display must
    not turn a broken solution into a passing one."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from grader.workbook import check, reset"),
                nbformat.v4.new_code_cell("%%sql\nSELECT no_such_column FROM events")]
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError) as raised:
        client.execute()
    error = [o for o in nb.cells[1].outputs if o.output_type == "error"]
    assert error and 'no_such_column' in "\n".join(error[0].traceback)
    assert len(error[0].traceback) <= 10 and "site-packages" not in str(raised.value)


# ---------- what a DuckDB error means for the exercise (grader/engine/sqlerrors.py) ----------

def _duckdb_error(statement: str) -> str:
    """DuckDB's own message for `statement` on a table holding one key that feature_rows repeats."""
    import duckdb

    from grader.domain.tables import create_tables, load_seed

    con = duckdb.connect()
    create_tables(con, load_seed())
    con.execute("INSERT INTO feature_table VALUES (101, 201, TIMESTAMP '2025-12-02 23:59:59', 1, 1, 2, 0.5), "
                "(101, 201, TIMESTAMP '2025-12-03 23:59:59', 1, 2, 3, 0.3)")
    con.execute("INSERT INTO feature_rows VALUES (101, 201, TIMESTAMP '2025-12-03 23:59:59', 1, 1, 2), "
                "(102, 201, TIMESTAMP '2025-12-03 23:59:59', 1, 1, 2)")
    try:
        con.execute(statement)
    except duckdb.Error as exc:
        return str(exc)
    finally:
        con.close()
    raise AssertionError(f"no error from {statement}")


SOURCE = "(SELECT *, 0.5 AS ctr_7d FROM feature_rows)"
EXPLAINED = {
    # statement -> what the explanation must say
    "INSERT INTO feature_table SELECT *, 0.5 FROM feature_rows": "not idempotent",
    "insert into feature_table by name select *, 0.5 as ctr_7d from feature_rows": "not idempotent",
    "-- the job's write\nINSERT INTO feature_table (user_id, item_id, as_of_ts, clicks_7d, views_7d, impressions_7d, ctr_7d)"
    " SELECT *, 0.5 FROM feature_rows": "not idempotent",
    f"MERGE INTO feature_table t USING {SOURCE} s ON t.user_id = s.user_id AND t.item_id = s.item_id "
    "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *": "lacks as_of_ts",
    f"MERGE INTO feature_table AS t USING {SOURCE} AS s ON (t.user_id = s.user_id AND t.item_id = s.item_id) "
    "WHEN MATCHED THEN UPDATE SET as_of_ts = s.as_of_ts WHEN NOT MATCHED THEN INSERT *": "lacks as_of_ts",
    f"MERGE INTO feature_table t USING (SELECT * FROM {SOURCE} UNION ALL SELECT * FROM {SOURCE}) s "
    "ON t.user_id = s.user_id AND t.item_id = s.item_id AND t.as_of_ts = s.as_of_ts "
    "WHEN MATCHED THEN UPDATE SET clicks_7d = s.clicks_7d WHEN NOT MATCHED THEN INSERT *": "same key twice",
    "INSERT INTO feature_table SELECT *, 0.5 FROM feature_rows ON CONFLICT (user_id, item_id) DO NOTHING":
        "whole primary key",
}


@pytest.mark.parametrize("statement", sorted(EXPLAINED))
def test_duckdb_errors_on_writes_are_explained_by_what_the_statement_did(statement):
    from grader.engine.sqlerrors import explain

    message = _duckdb_error(statement)
    for exercise in ("ex07", "ex08", "ex10", "ex12b", None):
        hint = explain(message, statement, exercise)
        assert hint and EXPLAINED[statement] in hint, (message, hint)


def test_errors_that_are_not_about_the_write_get_no_explanation():
    from grader.engine.sqlerrors import explain

    for statement in ("SELECT no_such_column FROM events", "SELECT * FROM no_such_table", "SELECT 1 +"):
        assert explain(_duckdb_error(statement), statement, "ex07") is None


def test_a_placeholder_never_run_is_not_answered_yet_rather_than_run_it_first(ip, tmp_path, monkeypatch):
    from grader.authoring.lesson import placeholder, Cell

    path = tmp_path / "ex06.ipynb"
    save_notebook(path, [("c1", "code", placeholder(Cell("code", "", save="ex06")))], time.time() - 60)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    report = check(ip)
    text = repr(report)
    assert "not answered yet" in text and "run your answer cell first" not in text


def test_passing_public_checks_names_what_the_hidden_checks_also_try(ip):
    run(ip, f"%%sql --save ex06 --no-execute\n{RIGHT_EX06}", cell_id="answer")
    report = check(ip)
    text = repr(report)
    assert report.passed and "All public checks passed" not in text
    footer = text.splitlines()[-1]
    assert footer.startswith("Public checks passed; not yet the verdict")
    # from ex06's declared hidden checks, not a hand-written list
    assert all(c.name.replace("_", " ") in footer for c in exercises.get("ex06").hidden)
    assert "window edges" in footer and "retries deduplicated" in footer


def test_jupysql_refuses_begin_as_a_word_but_runs_begin_with_its_semicolon(ip, capsys):
    # jupysql 0.11.1 compares the cell's first whitespace-separated word with "begin": the lessons
    # say exactly this, so a student who wrote `BEGIN;` is not told it cannot run
    row = "(101, 201, TIMESTAMP '2025-12-03 23:59:59', 1, 1, 2, 0.5)"
    ok, _ = shown(capsys, ip, f"%%sql\nBEGIN;\nINSERT INTO feature_table VALUES {row};\nROLLBACK;")
    assert ok
    assert ip.run_cell("con.execute('SELECT count(*) FROM feature_table').fetchone()[0]").result == 0
    ok, out = shown(capsys, ip, "%%sql\nBEGIN\n;SELECT 1;")
    assert not ok and "START TRANSACTION" in out


def test_sqlglot_fallback_warnings_are_not_shown_on_duckdb_statements(ip, caplog):
    # saving a snippet when others exist, jupysql parses it with sqlglot to find the snippets it
    # uses; SET VARIABLE is a DuckDB statement sqlglot cannot parse: it logs a warning (in a
    # kernel, a red stderr box on a course-provided cell that is right)
    run(ip, "%%sql --save some_snippet --no-execute\nSELECT 1 AS x")
    r = run(ip, "%%sql --save job_demo --no-execute\nSET VARIABLE as_of_ts = TIMESTAMP '2025-12-02 23:59:59'")
    assert r.success
    assert not [rec for rec in caplog.records if "Falling back to parsing" in rec.getMessage()]


def test_schedules_before_the_answer_ran_or_with_the_placeholder_says_so_without_a_traceback(ip):
    from grader.course.exercises.ex12 import schedules

    r = run(ip, "from grader.course.exercises.ex12 import schedules\nschedules('ex12b')")
    assert r.success and "run your answer cell" in repr(r.result)
    run(ip, "%%sql --save ex12b --no-execute\n-- YOUR ANSWER HERE\nSELECT 'not answered yet' AS todo")
    shown_ = schedules("ex12b")
    assert "not answered yet" in repr(shown_) and "reference table" not in repr(shown_)


def test_schedules_say_a_write_errors_meaning_once():
    # a plain INSERT fails four schedules with the same explanation: said in full once
    from grader.course.exercises.ex12 import schedules

    days = "SELECT unnest(generate_series(getvariable('start_ts'), getvariable('end_ts'), INTERVAL 1 DAY)) AS as_of_ts"
    df = schedules(f"INSERT INTO feature_table SELECT e.user_id, e.item_id, d.as_of_ts, 0, 0, 1, 0.0 "
                   f"FROM events e, ({days}) d GROUP BY ALL;")
    text = " ".join(df["final table"])
    assert text.count("(what this means here: A plain INSERT") == 1
    assert text.count("(what this means here: as above)") >= 2


def test_a_sql_error_says_which_line_of_the_cell_duckdbs_line_is(ip, capsys):
    # DuckDB counts LINE within the failing statement; the cell's line numbers are what a student sees
    ok, out = shown(capsys, ip, "%%sql\nSELECT 1;\n-- a comment\nSELECT 2;\n\nSELECT user_id,\n  no_such_column\nFROM events")
    assert not ok and "LINE 2:" in out
    assert "it is line 7 of the cell" in out
