"""Learner SQL as DuckDB's own parser reads it: statements, a syntax error, whether an answer ends
with a query; and SandboxError, how learner SQL failing is reported (re-exported by sandbox.py)."""

from __future__ import annotations

import functools
import re
from typing import Any

import duckdb


class SandboxError(Exception):
    """Learner SQL failed. `kind` is 'error' or 'timeout'; the message is for the learner."""

    def __init__(self, message: str, kind: str = "error", statement: int | None = None, run: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.statement = statement
        self.run = run  # which run of a script run several times failed (1-based); None: run once


@functools.lru_cache(maxsize=256)
def parse_statements(sql: str) -> tuple[tuple[str, Any], ...] | str:
    """(statement text, duckdb.StatementType) pairs, or the parser's error as one line. Cached:
    one answer is run by many checks (and many times while shrinking)."""
    try:
        return tuple((s.query.strip(), s.type) for s in duckdb.extract_statements(sql))
    except duckdb.Error as exc:
        return _first_line(exc)


_OPENS, _ENDS = ("BEGIN", "START"), ("COMMIT", "END", "ROLLBACK", "ABORT")
_FIRST_WORD = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*([A-Za-z]*)", re.S)  # after any comments


def transaction_word(statement: str) -> str | None:
    """"BEGIN" for a statement that opens a transaction, "COMMIT" for one that ends it (COMMIT,
    END, ROLLBACK, ABORT: the transaction is over either way), None for any other statement (read
    by DuckDB's parser; the keyword past any comments: "-- the job\nBEGIN;")."""
    parsed = parse_statements(statement)
    if isinstance(parsed, str) or len(parsed) != 1 or parsed[0][1] != duckdb.StatementType.TRANSACTION:
        return None
    word = _FIRST_WORD.match(statement).group(1).upper()
    return "BEGIN" if word in _OPENS else "COMMIT" if word in _ENDS else None


def split_statements(sql: str) -> list[str]:
    """Statements as DuckDB's own parser splits them; raises SandboxError on a syntax error."""
    parsed = parse_statements(sql)
    if isinstance(parsed, str):
        raise SandboxError(f"SQL does not parse: {parsed}")
    return [text for text, _ in parsed]


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# Statements that change things and return a status row, not an answer: a query answer ending
# with one is an error ("is it a query?"), not a comparison against a one-column status table.
_NOT_QUERIES = {
    getattr(duckdb.StatementType, n) for n in (
        "CREATE", "CREATE_FUNC", "DROP", "ALTER", "INSERT", "UPDATE", "DELETE", "MERGE_INTO", "COPY",
        "COPY_DATABASE", "ATTACH", "DETACH", "EXPORT", "LOAD", "SET", "VARIABLE_SET", "TRANSACTION",
        "VACUUM", "ANALYZE", "PREPARE", "EXECUTE", "UPDATE_EXTENSIONS", "RELATION", "LOGICAL_PLAN",
    ) if hasattr(duckdb.StatementType, n)
}


def _ends_with_query(sql: str) -> None:
    statements = parse_statements(sql)
    if isinstance(statements, str):
        return  # run_sql reports the syntax error
    if statements and statements[-1][1] in _NOT_QUERIES:
        kind = statements[-1][1].name.replace("_", " ")
        raise SandboxError(
            f"the answer's last statement is {kind}, not a query: end with the SELECT that returns the answer",
            "error", len(statements),
        )
