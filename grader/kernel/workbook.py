"""The first cell of every notebook: `from grader.workbook import check, reset`.

Importing this opens an in-memory DuckDB holding the course's seeded tables, connects jupysql's
`%%sql` to it, makes SQL errors raise (so a broken cell stops the notebook, and nbval sees it)
and show as DuckDB's message in a few lines (with what a constraint error means for the
exercise), turns jupysql's telemetry off, and prints one line saying what was loaded.
`check("exNN")` grades the answers in this notebook against the public checks; hidden checks
run when your instructor grades. `reset()` puts the course's tables back as they were seeded.
"""

from __future__ import annotations

import os

os.environ.setdefault("PLOOMBER_STATS_ENABLED", "false")  # before jupysql is imported

import duckdb

from grader.domain.tables import TABLES, create_tables, load_seed

con = duckdb.connect(":memory:")
create_tables(con, load_seed())


def _table_counts() -> str:
    counts = [f"{t} {con.execute(f'SELECT count(*) FROM {t}').fetchone()[0]}" for t in TABLES]
    return ", ".join(counts)


def reset() -> None:
    """Put every course table back exactly as seeded (events, users, items, feature_table,
    feature_job_control, feature_rows), undoing whatever your SQL wrote to them. Tables and
    snippets of your own, and DuckDB variables, are kept. Then re-run the notebook's cells
    that set the scene, if it has any."""
    _rollback()
    for table in TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
    create_tables(con, load_seed())
    print(f"Tables reset to the course's seeded sample (rows): {_table_counts()}.")


def _rollback() -> bool:
    """End an open (or failed) transaction; True when there was one. DuckDB refuses every
    statement of a transaction after an error until it is rolled back."""
    try:
        con.execute("ROLLBACK")
        return True
    except duckdb.Error:
        return False


class _OneSession:
    """What jupysql gets instead of `con`. jupysql runs every statement on a fresh
    `cursor()`, and in DuckDB a cursor is a separate session, so `SET VARIABLE` (how parameters
    reach learner SQL, e.g. getvariable('as_of_ts')) would not carry from one statement to the
    next. Here every statement runs in the one session, as in grading; jupysql's own
    close()/commit() after each statement become no-ops (DuckDB autocommits)."""

    def __init__(self, session: duckdb.DuckDBPyConnection):
        self._session = session

    def cursor(self) -> "_OneSession":
        return self

    def close(self) -> None:
        pass

    def commit(self) -> None:
        pass

    def __getattr__(self, name: str):
        return getattr(self._session, name)


# ---------- SQL errors: DuckDB's message in a few lines, and the cell still fails ----------

MAX_ERROR_LINES = 12  # DuckDB's message with its LINE pointer fits; a 60-line traceback does not


def _failed_statement(tb) -> tuple[str, int, int]:
    """(statement, its number, statements in the cell) from jupysql's run_statements frame, or
    ("", 0, 0) when the error did not come from there (e.g. `con.execute` in Python)."""
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "run_statements" and "statement" in frame.f_locals:
            statement, sql = frame.f_locals.get("statement") or "", frame.f_locals.get("sql") or ""
            try:
                import sqlparse

                parts = [p for p in sqlparse.split(sql) if sqlparse.format(p, strip_comments=True).strip()]
                number = next((i for i, p in enumerate(parts, 1) if sqlparse.format(p, strip_comments=True) == statement), 0)
                return statement, number, len(parts)
            except Exception:
                return statement, 0, 0
        tb = tb.tb_next
    return "", 0, 0


def _statement_offset(cell: str, number: int) -> int | None:
    """How many cell lines come before the first line DuckDB counts of statement `number` (the
    `%%sql` line is the cell's line 1, as JupyterLab numbers it); None when unknown."""
    if not cell or not number:
        return None
    try:
        import sqlparse

        head, _, body = cell.partition("\n")
        if not head.lstrip().startswith("%%sql"):
            return None
        pos, parts = 0, [p for p in sqlparse.split(body) if sqlparse.format(p, strip_comments=True).strip()]
        for i, part in enumerate(parts, 1):
            start = body.find(part, pos)
            if start < 0:
                return None
            if i == number:
                # jupysql strips comments first: DuckDB's line 1 is the statement's first line of code
                first = sqlparse.format(part, strip_comments=True).strip().splitlines()[0].strip()
                lead = next((j for j, ln in enumerate(part.splitlines()) if first and first in ln), 0)
                return 1 + body[:start].count("\n") + lead
            pos = start + len(part)
    except Exception:
        return None
    return None


def _cell_line(line: str, offset: int | None) -> str:
    """DuckDB's "LINE n:" counts within the failing statement: which line of the cell that is."""
    import re

    m = re.match(r"^LINE (\d+):", line)
    if offset is None or not m:
        return ""
    return f"(DuckDB's LINE {m.group(1)} counts within the statement: it is line {int(m.group(1)) + offset} of the cell)"


def _exercise_of_cell(source: str) -> str | None:
    """The exercise a cell belongs to: its `--save exNN`, else the notebook's file name."""
    import re

    from grader.engine.notebook import sql_save_name

    name, _ = sql_save_name(source.partition("\n")[0]) if source else (None, False)
    if name and re.match(r"ex\d\d", name):
        return name[:4]
    from grader.kernel.check import notebook_path

    path = notebook_path()
    m = re.match(r"ex\d\d", path.name) if path else None
    return m.group(0) if m else None


def sql_error_lines(value: BaseException, tb=None, cell: str = "") -> list[str]:
    """What a failed %%sql cell shows: which statement failed, DuckDB's message (with the line it
    points at), what it means for this exercise, and whether a transaction was rolled back."""
    from grader.engine.sqlerrors import explain

    message = str(value).strip()
    statement, number, total = _failed_statement(tb)
    lines: list[str] = []
    if "does not support transactions" in message:
        return [
            "jupysql refuses a cell that starts with the word BEGIN. Write START TRANSACTION; ... COMMIT; instead",
            "(DuckDB treats the two the same, and so does the grader).",
        ]
    where = ""
    if statement:
        first = " ".join(statement.split())
        first = first if len(first) <= 60 else first[:59] + "…"
        where = f" in statement {number} of {total} (`{first}`)" if number and total > 1 else f" (`{first}`)"
    lines.append(f"SQL error{where}:")
    body = message.splitlines()
    if len(body) > MAX_ERROR_LINES:
        body = body[:MAX_ERROR_LINES] + ["..."]
    offset = _statement_offset(cell, number)
    for line in body:
        said = _cell_line(line, offset)
        if said:  # above DuckDB's own line, so its ^^^ pointer stays aligned
            lines.append("  " + said)
        lines.append("  " + line if line.strip() else "")
    hint = explain(message, statement or cell, _exercise_of_cell(cell), cell)
    if hint:
        lines.append("")
        lines.append("What this means here: " + hint)
    if _rollback():
        lines.append("")
        lines.append("The open transaction was rolled back: none of its writes were kept (DuckDB aborts a "
                     "transaction at its first error). Fix the cell and run it again.")
    return lines


def _show_sql_error(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler: a short error instead of jupysql's traceback. The
    cell still fails (the kernel replies `error`), so nbval and "Run All" stop at it."""
    from IPython.core.error import UsageError

    from grader.kernel.check import last_cell

    if isinstance(value, UsageError) and "does not support transactions" not in str(value):
        lines = [f"UsageError: {value}"]
    else:
        try:
            lines = sql_error_lines(value, tb, last_cell())
        except Exception:  # never hide the error itself
            lines = [f"{etype.__name__}: {value}"]
    # IPython 9 discards what a custom handler returns: show it here (in a kernel, an `error`
    # message, so the cell fails for JupyterLab, nbclient and nbval alike)
    shell._showtraceback(etype, value, lines)
    return None


def _raise_as_is(error, query=None, short_error=True):
    """Replaces jupysql's handle_exception: it prints a hint about `--with` and "Original error
    message from DB driver" around DuckDB's message; the message alone is what helps."""
    raise error


def _connect_jupysql() -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    ip = get_ipython()
    if ip is None:
        return
    from IPython.utils.capture import capture_output

    # jupysql greets with config-file tips naming local paths: noise for students, and it
    # would make stored outputs differ from machine to machine.
    from grader.course.harness import look_up_snippets_with
    from grader.kernel.check import track_cells
    from grader.kernel.saved import saved_sql

    track_cells(ip)
    _quiet_sqlglot()
    look_up_snippets_with(saved_sql)  # lessons' crash and schedule tables name the job's snippet
    with capture_output():
        ip.run_line_magic("load_ext", "sql")
    for setting in (
        "SqlMagic.short_errors = False",
        "SqlMagic.displaycon = False",
        "SqlMagic.feedback = 0",
        "SqlMagic.displaylimit = 50",
        "SqlMagic.autopandas = False",
    ):
        ip.run_line_magic("config", setting)
    ip.user_ns["_course_db"] = _OneSession(con)
    ip.run_line_magic("sql", "_course_db --alias course")
    _short_sql_errors(ip)
    # Crash and schedule tables carry whole sentences: pandas would cut them at 50 characters.
    import pandas as pd

    pd.set_option("display.max_colwidth", None)
    print(f"Course tables loaded (in-memory DuckDB, %%sql connected; rows): {_table_counts()}. "
          "reset() restores them.")


def _quiet_sqlglot() -> None:
    """jupysql parses each statement with sqlglot, which logs "... contains unsupported syntax.
    Falling back to parsing as a 'Command'" for DuckDB statements it does not know (SET VARIABLE,
    USE, MERGE ...): a red stderr box on cells that are right. DuckDB runs them; only errors count."""
    import logging

    logging.getLogger("sqlglot").setLevel(logging.ERROR)


def _short_sql_errors(ip) -> None:
    from IPython.core.error import UsageError

    try:
        import sql.magic

        if hasattr(sql.magic, "handle_exception"):
            sql.magic.handle_exception = _raise_as_is
    except ImportError:
        pass
    ip.set_custom_exc((duckdb.Error, UsageError), _show_sql_error)


_connect_jupysql()


def check(exercise_id: str):
    """Grade this notebook's answers to `exercise_id` on the public checks. Never raises."""
    from grader.kernel.check import check_in_kernel

    return check_in_kernel(exercise_id)


def timeline(as_of="2025-12-02 23:59:59", user_id=None, item_id=None):
    """The events (of `user_id` / `item_id`: one id or a list) on a time axis, one lane per
    (user, item) pair, the course's 7-day window `(as_of - 7 days, as_of]` shaded; `as_of` is
    one as-of time or a list. Filled marks are events the course counts, hollow ones it does not."""
    from grader.kernel.pictures import timeline as draw

    return draw(con, as_of, user_id, item_id)


def schedule_strips(backfill: str = "ex12b"):
    """Exercise 12's sequences of backfills run with `backfill` (a saved snippet or SQL), as a
    day strip: each backfill's range, then the days each sequence left (lost, duplicated)."""
    from grader.kernel.pictures import schedule_strips as draw

    return draw(backfill)


__all__ = ["check", "con", "reset", "schedule_strips", "timeline"]
