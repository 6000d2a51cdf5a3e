"""What a DuckDB error means for the exercise at hand, in a sentence or two.

Raw constraint errors teach nothing ("Duplicate key ... violates primary key constraint"). The
statement that failed says which mistake it was: a plain INSERT over a day already written is
a write that is not idempotent; a MERGE whose match condition leaves out `as_of_ts` moves
another day's row onto this key. Used by the notebook's short SQL errors (grader/workbook.py)
and, through `annotate`, by the grader's check messages (grader/engine/checks/, grader/course/harness/).
"""

from __future__ import annotations

import re

from grader.engine.statements import parse_statements, transaction_word

# What rerunning a write means in each exercise that writes feature_table.
_RERUN = {
    "ex07": "Exercise 7's script must leave the same table when it runs twice, and feature_table already "
            "holds a stale row for one of these keys",
    "ex08": "A job reruns a day it already wrote whenever it crashed after the write and before the control update",
    "ex10": "A job reruns a day it already wrote whenever it crashed after the write and before the control update",
    "ex12": "Two backfills that overlap both write the days they share",
}
IDEMPOTENT_FORMS = (
    "MERGE (or INSERT ... ON CONFLICT DO UPDATE, or INSERT OR REPLACE) on the whole key "
    "(user_id, item_id, as_of_ts), or DELETE the day(s) you write and INSERT them inside "
    "START TRANSACTION; ... COMMIT;"
)


# What grader/engine/sandbox.py puts in place of DuckDB's message on a hidden check.
WITHHELD_MARK = "details withheld on hidden checks"


def _first_keyword(statement: str) -> str:
    text = re.sub(r"--[^\n]*|/\*.*?\*/", " ", statement or "", flags=re.S).strip()
    m = re.match(r"(\w+)(?:\s+(\w+))?(?:\s+(\w+))?", text)
    if not m:
        return ""
    words = [w.upper() for w in m.groups() if w]
    if words[0] == "INSERT" and len(words) > 2 and words[1] == "OR":
        return f"INSERT OR {words[2]}"
    return words[0]


def _merge_on_clause(statement: str) -> str | None:
    """The match condition of a MERGE (between ON and the first WHEN), or None."""
    text = re.sub(r"--[^\n]*", " ", statement or "")
    m = re.search(r"\bON\b(.*?)\bWHEN\b", text, flags=re.I | re.S)
    return m.group(1) if m else None


def _keywords() -> frozenset[str]:
    """DuckDB's own list of the words it keeps for itself (every category but 'unreserved')."""
    import duckdb

    with duckdb.connect() as con:
        return frozenset(w for (w,) in con.execute(
            "SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category <> 'unreserved'").fetchall())


_KEYWORDS = _keywords()


def _keyword_as_name(message: str, statement: str) -> str | None:
    """The keyword a syntax error stopped at, when the statement uses it where a name goes
    (after FROM, JOIN, WITH, TABLE, INTO, UPDATE or AS, or as a CTE's name): `asof`, `window`, `pivot`."""
    m = re.search(r'syntax error at or near "([A-Za-z_]+)"', message or "")
    word = m.group(1).lower() if m else ""
    if word not in _KEYWORDS:
        return None
    named = rf'\b(?:FROM|JOIN|WITH|TABLE|INTO|UPDATE|AS)\s+{word}\b|\b{word}\s+AS\s*\('
    return word if re.search(named, statement or "", re.I) else None


def _deleted_before(script: str | None, statement: str) -> bool:
    """Whether `script` runs a DELETE on feature_table before `statement` (as DuckDB's parser
    splits it): the INSERT after it is then meant to replace what the DELETE removed."""
    parsed = parse_statements(script) if script else ()
    if isinstance(parsed, str):
        return False
    deleted = False
    for text, kind in parsed:
        if text.strip() == (statement or "").strip():
            return deleted
        deleted = deleted or (kind.name == "DELETE" and re.search(r"\bfeature_table\b", text, re.I) is not None)
    return False


def explain(message: str, statement: str = "", exercise_id: str | None = None, script: str | None = None) -> str | None:
    """A plain-words explanation of a DuckDB error for this exercise, or None when there is
    nothing to add to DuckDB's own message. `script`, the whole answer the statement belongs to,
    says what ran before it."""
    msg = message or ""
    kind = _first_keyword(statement)
    ex = (exercise_id or "")[:4].lower()
    if "conflict target" in msg and "not referenced by a UNIQUE/PRIMARY KEY" in msg:
        return ("ON CONFLICT must name the table's whole primary key: ON CONFLICT (user_id, item_id, as_of_ts). "
                "A key without as_of_ts would let today's row overwrite another day's.")
    if "cannot start a transaction within a transaction" in msg:
        return ("A transaction is already open (a START TRANSACTION whose COMMIT never ran). "
                "Run `%sql ROLLBACK` (or reset()) and run the cell again.")
    keyword = _keyword_as_name(msg, statement)
    if keyword:
        return (f"`{keyword}` is one of DuckDB's keywords, so it cannot name a table, a CTE or an alias as "
                f"written: choose another name, or quote it (\"{keyword}\").")
    if "Constraint Error" not in msg and "constraint" not in msg.lower():
        return None
    if WITHHELD_MARK in msg and msg.startswith("Constraint Error"):
        # A hidden check withholds DuckDB's details (they could show fixture rows): the statement
        # still says what the mistake would be, but a NOT NULL key could fail the same way.
        hint = explain('Constraint Error: Duplicate key "..." violates primary key constraint.', statement, exercise_id,
                       script)
        return f"If it is a duplicate key: {hint}" if hint else None
    if not re.search(r"duplicate key|primary key|unique", msg, re.I):
        return None
    if kind == "MERGE":
        on = _merge_on_clause(statement)
        if on is not None and not re.search(r"\bas_of_ts\b", on, re.I):
            return ("The MERGE matches on a partial key: its ON clause leaves out as_of_ts, so a row of "
                    "feature_rows finds the same pair's row on ANOTHER day and the update moves it onto a key "
                    "that already exists. The key lacks as_of_ts: match on (user_id, item_id, as_of_ts).")
        return ("The MERGE's source holds the same key twice, so two source rows want the same target row. "
                "Deduplicate the source first (one row per (user_id, item_id, as_of_ts)), e.g. with GROUP BY "
                "on the key.")
    if kind == "INSERT" and re.search(r"\bON\s+CONFLICT\b", statement or "", re.I):
        return ("The INSERT ... ON CONFLICT's source holds the same key twice. Deduplicate it first "
                "(one row per (user_id, item_id, as_of_ts)).")
    if kind == "INSERT" and _deleted_before(script, statement):
        return ("The INSERT adds a row for a key (user_id, item_id, as_of_ts) that feature_table still holds: the "
                "DELETE before it left that key in place. Its WHERE must name exactly the keys or days this INSERT "
                "writes: a day compared with a DATE ('2025-12-03', CAST(... AS DATE)) is that day's midnight, not "
                "the as-of time 23:59:59 the rows carry, and such a DELETE removes nothing.")
    if kind == "INSERT":
        why = _RERUN.get(ex, "The same key is written again whenever a job reruns or two jobs overlap")
        return ("A plain INSERT adds a row for a key (user_id, item_id, as_of_ts) that feature_table "
                f"already holds: the write is not idempotent. {why}. Here the primary key refuses it; on a "
                "table without an enforced key it would silently double the rows. Use " + IDEMPOTENT_FORMS)
    if kind == "UPDATE":
        return ("The UPDATE sets a row's key to one that already exists. Update the feature columns only, "
                "never user_id, item_id or as_of_ts.")
    return None


# What ends a transaction a script opened, and what a rollback loses: a TEMP object dies with
# the session anyway, a query changes nothing.
_WRITES = {"INSERT", "UPDATE", "DELETE", "MERGE_INTO", "COPY", "CREATE", "DROP", "ALTER"}
_TEMP = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TEMP(?:ORARY)?\b", re.I)


def open_transaction(sql: str | None) -> int | None:
    """The statement (1-based) whose BEGIN / START TRANSACTION opens a transaction the script
    never ends (no COMMIT, END, ROLLBACK or ABORT after it) and that writes something, as DuckDB's
    parser reads the script; None otherwise (or when it does not parse)."""
    statements = parse_statements(sql) if sql else ()
    if isinstance(statements, str):
        return None
    opened, writes = None, False
    for i, (text, kind) in enumerate(statements, 1):
        if kind.name == "TRANSACTION":
            word = transaction_word(text)
            if word == "BEGIN":
                opened, writes = i, False
            elif word == "COMMIT":
                opened = None
        elif opened is not None and kind.name in _WRITES and not (kind.name == "CREATE" and _TEMP.match(text)):
            writes = True
    return opened if opened is not None and writes else None


def open_transaction_note(sql: str | None) -> str | None:
    """Why a script whose transaction is left open wrote nothing (see open_transaction), or None.
    In the notebook the same connection goes on inside that transaction and sees its rows; a job
    (and every check) runs in a session of its own, and DuckDB rolls back what a session leaves
    uncommitted when it ends."""
    at = open_transaction(sql)
    if at is None:
        return None
    return (f"Your script leaves the transaction it opens at statement {at} open: no COMMIT follows it, so "
            "everything after that statement was rolled back when the script's session ended. (In your notebook "
            "the same connection stays inside that transaction and still sees those rows, uncommitted; a job "
            "runs in a session of its own.) End the transaction with COMMIT.")


def annotate(message: str, statement: str = "", exercise_id: str | None = None, script: str | None = None) -> str:
    """`message` followed by what it means for the exercise, when `explain` has something to say:
    how the grader's check messages carry the notebook's explanation."""
    hint = None if ANNOTATED in message else explain(message, statement, exercise_id, script)
    return f"{message.rstrip().rstrip('.')}. {ANNOTATED}: {hint}" if hint else message


ANNOTATED = "What this means here"  # said once, however many layers pass the message on
