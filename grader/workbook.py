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
    ip.user_ns["_course_db"] = con
    ip.run_line_magic("sql", "_course_db --alias course")


_connect_jupysql()


def check(exercise_id: str):
    """Grade this notebook's answers to `exercise_id` on the public checks. Never raises."""
    from .kernel import check_in_kernel

    return check_in_kernel(exercise_id)


__all__ = ["check", "con"]
