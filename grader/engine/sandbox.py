"""A locked-down DuckDB for running SQL written by strangers.

Each run gets a fresh database holding only its fixture (a query that is one SELECT gets the
kept read-only fixture of readonly.py, which holds nothing else). External access is off (no files,
network or extensions), the configuration is locked (no SET / PRAGMA / RESET), memory and
threads are capped, and every statement runs under a deadline that interrupts it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import duckdb

from grader.domain.tables import Dataset, create_tables
from grader.engine import readonly, spent
from grader.engine.lockdown import TEMP_DIRECTORY, Limits, lock, set_variables  # noqa: F401 (re-exported)
from grader.engine.statements import SandboxError, _ends_with_query, _first_line, split_statements  # noqa: F401 (re-exported)


MAX_ROWS = 20_000  # a correct answer on any fixture is far smaller; more is a runaway grid
MAX_STATEMENTS = 200  # the longest job script has a handful; thousands only burn the time limit
# Called (from the timer thread) when a statement ignores the interrupt for STUCK_GRACE_S;
# None in a notebook kernel, set by grading (grade.py, workers.py) inside a child process it can kill.
ON_STUCK = None
STUCK_GRACE_S = 1.0


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple]


# Whether a DuckDB error's own text is shown. Grading turns it off while a hidden check runs:
# `error(<the events table as text>)` would otherwise carry the hidden fixture's rows out.
DB_DETAILS = True
WITHHELD = "details withheld on hidden checks; check() in the notebook shows errors on the public data"


def _db_error(exc: Exception) -> str:
    """A DuckDB error for the learner: its first line, or only its kind on a hidden check."""
    text = _first_line(exc)
    if DB_DETAILS:
        return text
    kind = text.split(":", 1)[0] if re.fullmatch(r"[A-Za-z ]{1,40} Error", text.split(":", 1)[0]) else "Error"
    return f"{kind} ({WITHHELD})"


# One locked DuckDB instance per process (per limits), reused: starting an instance costs far
# more than a check. Each check gets its own connection and its own freshly attached in-memory
# database; the previous check's database is detached before the next one starts, and an
# instance whose shared catalog a learner wrote into is thrown away, never reused.
_instances: dict[tuple, duckdb.DuckDBPyConnection] = {}
_serial = itertools.count(1)

_LEFTOVERS = """
SELECT (SELECT count(*) FROM duckdb_tables() WHERE database_name = 'memory')
     + (SELECT count(*) FROM duckdb_views() WHERE database_name = 'memory' AND NOT internal)
     + (SELECT count(*) FROM duckdb_functions() WHERE database_name = 'memory' AND NOT internal)
     + (SELECT count(*) FROM duckdb_sequences() WHERE database_name = 'memory')
     + (SELECT count(*) FROM duckdb_types() WHERE database_name = 'memory' AND NOT internal)
"""


# Reaching outside a check's own database takes one of these words; a statement holding one
# marks the instance for a full inspection (expensive, so not done after every check).
# (TEMP objects need no inspection: they die with the check's own session.)
_ESCAPE_WORDS = re.compile(r"memory|attach|detach|\buse\b", re.I)
_state: dict[str, Any] = {"suspect": False, "attached": [], "live": set()}


def _note_statement(statement: str) -> None:
    if _ESCAPE_WORDS.search(statement):
        _state["suspect"] = True


def _reusable(base: duckdb.DuckDBPyConnection) -> bool:
    try:
        live = _state["live"]
        if not _state["suspect"] or live:  # a full inspection waits until no shared database is open
            for name in [n for n in _state["attached"] if n not in live]:
                base.execute(f'DETACH DATABASE IF EXISTS "{name}"')
            _state["attached"] = [n for n in _state["attached"] if n in live]
            return True
        for (name,) in base.execute(
            "SELECT database_name FROM duckdb_databases() WHERE NOT internal AND database_name <> 'memory'"
        ).fetchall():
            base.execute(f'DETACH "{name}"')
        _state["attached"], _state["suspect"] = [], False
        return base.execute(_LEFTOVERS).fetchone()[0] == 0
    except duckdb.Error:
        return False


def _instance(limits: Limits) -> duckdb.DuckDBPyConnection:
    key = (limits.memory, limits.threads)
    base = _instances.get(key)
    if base is not None and not _reusable(base):
        base.close()
        base = None
    if base is None:
        base = duckdb.connect(":memory:")
        lock(base, limits)
        _instances[key] = base
    return base


def open_sandbox(
    dataset: Dataset,
    variables: dict[str, Any] | None = None,
    limits: Limits = Limits(),
    path: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """A connection to a fresh database holding only `dataset`: in memory (the default), or a
    file for crash tests. Close it when done."""
    started = spent.clock()
    try:
        if path is not None:
            con = duckdb.connect(path)
            create_tables(con, dataset)
            set_variables(con, variables or {})
            lock(con, limits)
            return con
        con = _instance(limits).cursor()
        name = f"fixture_{os.getpid()}_{next(_serial)}"
        con.execute(f"ATTACH ':memory:' AS {name}")
        _state["attached"].append(name)
        con.execute(f"USE {name}")
        create_tables(con, dataset)
        set_variables(con, variables or {})
        return con
    finally:
        spent.add(spent.BUILDING, started)


class SharedDatabase:
    """A fresh in-memory database holding `dataset` that several sessions can use at once, as
    jobs share a warehouse: `cursor()` opens another session on it (the fault harness runs
    concurrent jobs this way). It lives on the process's locked instance; close it when done."""

    def __init__(self, dataset: Dataset, variables: dict[str, Any] | None = None, limits: Limits = Limits()):
        self._main = open_sandbox(dataset, variables, limits)
        self.name = self._main.execute("SELECT current_database()").fetchone()[0]
        _state["live"].add(self.name)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self._main.cursor()
        cur.execute(f"USE {self.name}")
        return cur

    def execute(self, *args, **kwargs):
        return self._main.execute(*args, **kwargs)

    def close(self) -> None:
        _state["live"].discard(self.name)
        self._main.close()


@contextlib.contextmanager
def session(db, variables: dict[str, Any] | None = None):
    """A session of its own on `db` (a SharedDatabase, or a connection to a database file), with
    `variables` set, closed when done: a job's TEMP objects and an open transaction (rolled back)
    end with it, as with a process's."""
    cur = db.cursor()
    try:
        set_variables(cur, variables or {})
        yield cur
    finally:
        cur.close()


def reopen(path: str, variables: dict[str, Any] | None, limits: Limits) -> duckdb.DuckDBPyConnection:
    """Open an existing sandbox file again, as a rescheduled job would."""
    con = duckdb.connect(path)
    set_variables(con, variables or {})
    lock(con, limits)
    return con


class _Watchdog:
    """One thread per process that fires the callbacks of expired deadlines. Starting a timer
    thread per statement cost half as much again as a small statement itself."""

    def __init__(self) -> None:
        self._ids = itertools.count()
        self._reset()
        # A forked child inherits the condition with the parent's thread in its waiter list (a
        # notify would wake nobody) and maybe locked by it: it starts from a fresh one.
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._cond = threading.Condition()
        self._armed: dict[int, tuple[float, Callable[[], None]]] = {}
        self._thread: threading.Thread | None = None
        # When the thread wakes next (0: it is awake and will look again). A deadline later than
        # that needs no notify: waking the thread for every statement cost a GIL hand-over each.
        self._wakes = 0.0

    def arm(self, at: float, callback: Callable[[], None]) -> int:
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sandbox-watchdog", daemon=True)
                self._thread.start()
            token = next(self._ids)
            self._armed[token] = (at, callback)
            if at < self._wakes:
                self._cond.notify()
            return token

    def disarm(self, token: int) -> None:
        with self._cond:
            self._armed.pop(token, None)

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                due = [t for t, (at, _) in self._armed.items() if at <= now]
                callbacks = [self._armed.pop(t)[1] for t in due]
                if not callbacks:
                    nearest = min((at for at, _ in self._armed.values()), default=now + 60)
                    self._wakes = nearest
                    self._cond.wait(max(0.0, nearest - now))
                    self._wakes = 0.0
                    continue
            for callback in callbacks:  # outside the lock: a callback may wait for a stuck query
                callback()


_WATCHDOG = _Watchdog()


class Deadline:
    """Interrupts whatever `con` is running once `seconds` have passed since creation."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds
        self.seconds = seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def execute(self, con: duckdb.DuckDBPyConnection, statement: str, index: int | None = None):
        left = self.remaining()
        if left <= 0:
            raise SandboxError(f"time limit of {self.seconds:g} s reached", "timeout", index)
        fired = threading.Event()
        done = threading.Event()

        def stop() -> None:
            fired.set()
            con.interrupt()
            # One huge value (repeat('x', 1e9), range(1e9) as a list) ignores the interrupt;
            # where the caller can kill the process (grade.py isolates checks), it does so.
            if ON_STUCK is not None and not done.wait(STUCK_GRACE_S):
                ON_STUCK(self.seconds)

        _note_statement(statement)
        started = spent.clock()
        token = _WATCHDOG.arm(self.end, stop)
        try:
            return con.execute(statement)
        except duckdb.InterruptException:
            raise SandboxError(
                f"stopped after {self.seconds:g} s: the query never finished (a runaway join or loop?)",
                "timeout",
                index,
            ) from None
        except duckdb.OutOfMemoryException:
            raise SandboxError(
                "ran out of memory: the query builds far more rows than the answer needs",
                "error",
                index,
            ) from None
        except duckdb.Error as exc:
            if fired.is_set():
                raise SandboxError(f"stopped after {self.seconds:g} s", "timeout", index) from None
            raise SandboxError(_db_error(exc), "error", index) from None
        finally:
            done.set()
            _WATCHDOG.disarm(token)
            spent.add(spent.LEARNER, started)


def fetch(cursor, max_rows: int = MAX_ROWS) -> Result | None:
    if cursor is None or cursor.description is None:
        return None
    cols = [d[0] for d in cursor.description]
    rows = cursor.fetchmany(max_rows + 1)
    if len(rows) > max_rows:
        raise SandboxError(f"returned more than {max_rows:,} rows: the grid is far too wide")
    return Result(cols, [tuple(r) for r in rows])


def run_sql(
    con: duckdb.DuckDBPyConnection, sql: str, deadline: Deadline, want_result: bool = True
) -> Result | None:
    """Run every statement of `sql` in order; return the last statement's result, if any."""
    statements = split_statements(sql)
    if not statements:
        raise SandboxError("the answer holds no SQL statement")
    if len(statements) > MAX_STATEMENTS:
        raise SandboxError(f"the answer holds {len(statements):,} statements; an answer needs far fewer (at most {MAX_STATEMENTS})")
    result = None
    for i, stmt in enumerate(statements, 1):
        cur = deadline.execute(con, stmt, i)
        if want_result and i == len(statements):
            try:
                result = fetch(cur)
            except duckdb.Error as exc:
                raise SandboxError(_db_error(exc), "error", i) from None
    return result


# Query results per process: several checks of one answer run the same query on the same
# fixture (columns, keys, values are judged apart; two checks' fixtures, or two shrinking steps,
# may hold the same rows). Keyed on the fixture's rows, the exact SQL, its variables, the limits
# and whether DuckDB's error text is shown; an error is kept as its message, a time limit never
# (it says how busy the machine was, not the answer).
_results: dict[tuple, Result | SandboxError] = {}
CACHE_RESULTS = True  # False: every query runs afresh (the benchmark's reference path)
_CACHE_MAX_ROWS = 2_000


def query(dataset: Dataset, sql: str, variables: dict | None = None, limits: Limits = Limits()) -> Result:
    """Run a learner query on a fresh sandbox holding `dataset`; the result of its last statement."""
    key = hit = None
    if CACHE_RESULTS:
        key = (content_key(dataset), sql, variables_key(variables), limits.run_key, DB_DETAILS)
        try:
            hit = _results.get(key)  # (hashing the key once: it holds every row of the fixture)
        except TypeError:  # a variable that cannot be a key: run it
            key = None
    if hit is not None:
        if isinstance(hit, SandboxError):
            raise SandboxError(str(hit), hit.kind, hit.statement)
        return Result(list(hit.columns), list(hit.rows))
    try:
        result = _query(dataset, sql, variables, limits)
    except SandboxError as exc:
        if key is not None and exc.kind != "timeout" and "out of memory" not in str(exc):
            _remember(key, SandboxError(str(exc), exc.kind, exc.statement))
        raise
    if key is not None and len(result.rows) <= _CACHE_MAX_ROWS:
        _remember(key, Result(list(result.columns), list(result.rows)))
    return result


def content_key(dataset: Dataset) -> tuple:
    """A fixture as a cache key: every table's rows (a table not named is empty), and which are
    unkeyed. Equal datasets built apart (two checks' declarations, one subset tried by two
    checks' shrinking) are one key."""
    return (tuple((t, tuple(rows)) for t, rows in sorted(dataset.tables.items()) if rows), dataset.unkeyed)


def variables_key(variables: dict | None) -> tuple:
    """A run's variables as a cache key (their order never matters to a run)."""
    return tuple(sorted((variables or {}).items()))


def _remember(key: tuple, value) -> None:
    if len(_results) >= 256:
        _results.clear()
    _results[key] = value


def _query(dataset: Dataset, sql: str, variables: dict | None, limits: Limits) -> Result:
    _ends_with_query(sql)
    if readonly.ENABLED and readonly.is_read_only(sql):  # one SELECT: on the kept fixture
        with readonly.session(dataset, variables, limits) as con:
            result = run_sql(con, sql, Deadline(limits.timeout_s))
    else:
        con = open_sandbox(dataset, variables, limits)
        try:
            result = run_sql(con, sql, Deadline(limits.timeout_s))
        finally:
            con.close()
    if result is None:
        raise SandboxError("the answer's last statement returns no rows (is it a query?)")
    return result
