"""The SQL a notebook saved under a name (`%%sql --save ex08`), read from jupysql's store in this
kernel. The lesson tables (crash_table("ex08", ...)) name a learner's job this way; the first
cell hands them this lookup (grader.kernel.workbook), as only the kernel holds the store."""

from __future__ import annotations


def saved_sql(name: str) -> str | None:
    """The SQL saved under `name` in this kernel, or None (no such snippet, or no jupysql)."""
    try:
        from sql.store import store

        if name in store:
            return str(store[name])
    except Exception:  # outside a notebook
        pass
    return None


def snippet(name_or_sql: str) -> str:
    """A saved snippet's SQL, or the text itself when nothing is saved under it."""
    found = saved_sql(name_or_sql)
    return name_or_sql if found is None else found
