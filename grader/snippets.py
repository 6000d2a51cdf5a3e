"""Saved SQL snippets, expanded exactly as jupysql 0.11 expands them.

In the notebook, `%%sql --save ex07` on a query that reads `FROM ex06` stores the dependency
and renders `WITH ex06 AS (...) <query>`. The grader replays the same rules over the answer
cells in notebook order, so an answer behaves in grading as it did in the kernel:
- dependencies are the saved names that sqlglot finds as tables in the query;
- a query that itself starts with WITH gets no expansion (jupysql disables it);
- comments are stripped before storing (as jupysql does), the last save of a name wins.
"""

from __future__ import annotations

import sqlparse
from sqlglot import exp, parse_one
from sqlglot.errors import ParseError


def _tables(query: str) -> list[str]:
    try:
        return [t.name for t in parse_one(query).find_all(exp.Table) if hasattr(t, "name")]
    except (ParseError, Exception):  # jupysql treats any unparsable query as having no tables
        return []


def _strip_trailing_semicolon(query: str) -> str:
    q = query.rstrip()
    return q[:-1] if q.endswith(";") else query


class SnippetStore:
    def __init__(self) -> None:
        self._query: dict[str, str] = {}
        self._with: dict[str, list[str]] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._query

    def keys(self) -> list[str]:
        return list(self._query)

    def save(self, key: str, query: str) -> None:
        """Record `%%sql --save key` with cell body `query`."""
        if query.strip().lower().startswith("with "):
            with_: list[str] = []
        else:
            saved = [k for k in self._query if k != key]
            with_ = [t for t in _tables(query) if t in saved] if saved and query else []
        self._query[key] = sqlparse.format(query, strip_comments=True)
        self._with[key] = with_

    def _deps(self, keys: list[str]) -> list[str]:
        out: list[str] = []
        for key in keys:
            out.extend(self._deps(self._with.get(key, [])))
            out.extend(self._with.get(key, []))
        return list(dict.fromkeys(out + keys))

    def render(self, key: str) -> str:
        """What `str(sql.store.store[key])` gives in the kernel."""
        query = self._query[key]
        with_all = self._deps(self._with[key])
        if not with_all:
            return query.strip()
        ctes = ",".join(f" {name} AS ({_strip_trailing_semicolon(self._query[name])})" for name in with_all)
        return f"WITH{ctes}{query}"
