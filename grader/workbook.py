"""The first cell of every notebook: `from grader.workbook import check`.

Importing this opens an in-memory DuckDB holding the course's seeded tables, connects jupysql's
`%%sql` to it, makes SQL errors raise (so a broken cell stops the notebook, and nbval sees it),
and turns jupysql's telemetry off. `check("exNN")` grades the answers in this kernel against the
public checks; hidden checks run when your instructor grades.
"""

from __future__ import annotations

import os

os.environ.setdefault("PLOOMBER_STATS_ENABLED", "false")  # before jupysql is imported

import duckdb

from .course import create_tables, load_seed

con = duckdb.connect(":memory:")
create_tables(con, load_seed())


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
    from .kernel import track_cells

    track_cells(ip)
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


_connect_jupysql()


def check(exercise_id: str):
    """Grade this notebook's answers to `exercise_id` on the public checks. Never raises."""
    from .kernel import check_in_kernel

    return check_in_kernel(exercise_id)


__all__ = ["check", "con"]
