"""Saved SQL snippets, expanded exactly as jupysql 0.11 expands them.

In the notebook, `%%sql --save ex07` on a query that reads `FROM ex06` stores the dependency
and renders `WITH ex06 AS (...) <query>`. The grader replays the same rules over the answer
cells in notebook order, so an answer behaves in grading as it did in the kernel:
- dependencies are the saved names that sqlglot finds as tables in the query;
- a query that itself starts with WITH gets no expansion (jupysql disables it);
- comments are stripped before storing (as jupysql does), the last save of a name wins.
"""

from __future__ import annotations

import functools
import re
import time

import sqlparse
import sqlparse.engine
import sqlparse.filters
from sqlglot import exp, parse_one
from sqlglot.errors import ParseError


MAX_RENDERED_CHARS = 200_000  # an answer with every snippet it uses; the solutions need under 10,000



@functools.lru_cache(maxsize=2048)
def _without_comments(query: str) -> str:
    """jupysql stores a snippet with its comments stripped. Memoised: a class hands in the same
    cells again and again (the template, the reference), and sqlparse is the slow part of reading."""
    fast = _without_heading(query)
    return sqlparse.format(query, strip_comments=True) if fast is None else fast


# A heading of whole `--` comment lines, each from the start of its line (hints, `--+`, aside),
# with the empty lines among and after them: sqlparse groups those line ends into the comment.
_HEADING = re.compile(r"(?:--(?!\+)[^\n]*\n\n*)*")
_COMMENT_MARKS = ("--", "#", "/*", "\r")  # anything sqlparse might read as a comment, or a line end it rewrites


def _without_heading(query: str) -> str | None:
    """sqlparse.format(query, strip_comments=True) for the commonest cell, a heading of comment
    lines over SQL holding no comment: the heading is the first statement's first token, which
    sqlparse drops whole, and with no other comment its grouping pass (over half the time of
    reading a submission) changes nothing, so the statements are only split and serialised,
    by sqlparse itself. None for any other cell (then sqlparse runs in full).
    tests/test_snippets.py holds the two equal over the course's cells and their variants."""
    rest = query[_HEADING.match(query).end():]
    if not rest.strip() or "\r" in query or any(mark in rest for mark in _COMMENT_MARKS):
        return None  # (a cell of comments alone keeps a line end in sqlparse's grouping)
    stack = sqlparse.engine.FilterStack()
    stack.postprocess.append(sqlparse.filters.SerializerUnicode())  # as sqlparse.format ends
    return "".join(stack.run(rest))


class SnippetError(ValueError):
    """The snippets cannot be expanded (a loop, or far too much SQL); the message is for the learner."""


def _tables(query: str) -> list[str]:
    try:
        return [t.name for t in parse_one(query).find_all(exp.Table) if hasattr(t, "name")]
    except (ParseError, Exception):  # jupysql treats any unparsable query as having no tables
        return []


# sqlglot's parser is exponential on some inputs (a chain of JOINs without ON: 15 joins take
# 0.2 s, each more doubles it). Parsing gets PARSE_BUDGET_S per notebook in all; past it, or
# when a parse is cut short, the saved names a query uses are read from its tokens instead.
PARSE_BUDGET_S = 3.0


class _ParseTimeout(BaseException):
    pass


def _tables_within(query: str, seconds: float) -> list[str] | None:
    """_tables(query), or None when it would take longer than `seconds` (main thread only:
    elsewhere there is no way to cut it short, and it is not bounded)."""
    import signal
    import threading

    if seconds <= 0:
        return None
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return _tables(query)

    def stop(signum, frame):
        raise _ParseTimeout()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return _tables(query)
    except _ParseTimeout:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _token_tables(query: str, names: set[str]) -> list[str]:
    """Saved names used as a table, read from the query's tokens (linear): an identifier equal
    to a name, not part of a dotted name and not a function call."""
    from sqlglot.tokens import Tokenizer, TokenType

    try:
        tokens = Tokenizer().tokenize(query)
    except Exception:
        return []
    found = []
    for i, t in enumerate(tokens):
        if t.text not in names or t.token_type not in (TokenType.VAR, TokenType.IDENTIFIER):
            continue
        before = tokens[i - 1].token_type if i else None
        after = tokens[i + 1].token_type if i + 1 < len(tokens) else None
        if before == TokenType.DOT or after in (TokenType.DOT, TokenType.L_PAREN):
            continue
        found.append(t.text)
    return found


def _strip_trailing_semicolon(query: str) -> str:
    q = query.rstrip()
    return q[:-1] if q.endswith(";") else query


class SnippetStore:
    def __init__(self) -> None:
        self._query: dict[str, str] = {}
        self._with: dict[str, list[str]] = {}
        self._parse_left = PARSE_BUDGET_S
        self._memo: dict[str, list[str]] = {}  # key -> its dependencies in order; reset by save()

    def __contains__(self, key: str) -> bool:
        return key in self._query

    def keys(self) -> list[str]:
        return list(self._query)

    def save(self, key: str, query: str) -> None:
        """Record `%%sql --save key` with cell body `query`."""
        if query.strip().lower().startswith("with "):
            with_: list[str] = []
        else:
            # only a query naming a saved snippet is parsed: parsing is the slow part of reading
            saved = {k for k in self._query if k != key and k in query}
            with_ = [t for t in dict.fromkeys(self._tables(query, saved)) if t in saved] if saved and query else []
        self._query[key] = _without_comments(query)
        self._with[key] = with_
        self._memo = {}

    def _tables(self, query: str, saved: set[str]) -> list[str]:
        started = time.monotonic()
        found = _tables_within(query, self._parse_left)
        self._parse_left -= time.monotonic() - started
        return _token_tables(query, saved) if found is None else found

    def _deps(self, keys: list[str]) -> list[str]:
        """jupysql's recursive order (each key's dependencies, depth first, before the key,
        first occurrence kept), computed once per key: linear in the snippets, not exponential,
        and a chain of any length needs no recursion."""
        memo = self._memo
        for root in keys:
            stack = [(root, False)]
            on_path: set[str] = set()
            while stack:
                key, expanded = stack.pop()
                if key in memo:
                    continue
                with_ = self._with.get(key, [])
                if not expanded:
                    if key in on_path:
                        raise SnippetError("saved snippets refer to each other in a loop")
                    on_path.add(key)
                    stack.append((key, True))
                    for dep in reversed(with_):
                        if dep not in memo:
                            if dep in on_path:
                                raise SnippetError(f"saved snippets refer to each other in a loop (through {dep})")
                            stack.append((dep, False))
                    continue
                on_path.discard(key)
                out: list[str] = []
                for dep in with_:
                    out.extend(memo[dep])
                memo[key] = list(dict.fromkeys(out + with_))  # dependencies of key, key excluded
        out = []
        for key in keys:
            out.extend(memo[key])
        return list(dict.fromkeys(out + keys))

    def render(self, key: str) -> str:
        """What `str(sql.store.store[key])` gives in the kernel. Raises SnippetError for a loop
        or an expansion longer than MAX_RENDERED_CHARS."""
        query = self._query[key]
        with_all = self._deps(self._with[key])
        if not with_all:
            return query.strip()
        size = len(query) + sum(len(self._query[name]) + len(name) + 8 for name in with_all)
        if size > MAX_RENDERED_CHARS:
            raise SnippetError(
                f"with the {len(with_all):,} saved snippets it builds on, this answer expands to about {size:,} "
                f"characters of SQL (at most {MAX_RENDERED_CHARS:,})"
            )
        ctes = ",".join(f" {name} AS ({_strip_trailing_semicolon(self._query[name])})" for name in with_all)
        return f"WITH{ctes}{query}"
