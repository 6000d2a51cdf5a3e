"""Read structured answers (`ex09 = {...}`) without running any learner Python.

Allowed: literals (numbers, strings, booleans, None), lists, tuples, dicts, sets, unary +/-,
and + - * / // % ** on numbers with small exponents. Anything else (names, calls, attribute
access, lambdas, comprehensions, f-strings) is refused with a message.

Reading is bounded: a cell Python itself cannot parse (too deep, too long) and an expression
deeper than _MAX_DEPTH or larger than _MAX_NODES become a message, never an exception, so one
odd cell costs its answer, not the notebook. A cell that is not valid Python is reported with
its line and what to write instead (`12.5%` -> 0.125).
"""

from __future__ import annotations

import ast
import math
import operator
import re
from typing import Any

_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_MAX_EXPONENT = 64
_MAX_NUMBER = 1e40
_MAX_NODES = 2000
_MAX_DEPTH = 100  # _eval recurses once per level: far below Python's recursion limit
_MAX_STRING = 20_000


class _Unanswered:
    def __repr__(self) -> str:
        return "..."


UNANSWERED = _Unanswered()


def is_unanswered(value: Any) -> bool:
    return value is UNANSWERED or (isinstance(value, str) and not value.strip())


class NotALiteral(ValueError):
    pass


def literal_value(source: str) -> Any:
    """The value of one expression made only of whitelisted parts."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise NotALiteral(f"not valid Python: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise NotALiteral(_TOO_BIG) from None
    return read_assignment(tree.body)


_TOO_BIG = (
    "the answer is too large or too deeply nested to read; write the value itself "
    "(a number, or a short arithmetic expression such as 3 * 4e6 / 1e9)"
)


def _bounded(root: ast.AST) -> None:
    """Refuse a tree with more than _MAX_NODES nodes or deeper than _MAX_DEPTH (iteratively:
    this runs before anything recursive touches the tree)."""
    stack = [(root, 1)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > _MAX_NODES:
            raise NotALiteral(_TOO_BIG)
        if depth > _MAX_DEPTH:
            line = getattr(node, "lineno", None)
            where = f" (line {line})" if line else ""
            raise NotALiteral(
                f"the expression{where} nests more than {_MAX_DEPTH} levels deep (a chain of over "
                f"{_MAX_DEPTH} operations, or lists inside lists); write the value it stands for"
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _number(value: Any, node: ast.AST) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NotALiteral(f"arithmetic is allowed on numbers only (line {node.lineno})")
    return value


def _finite(value: Any, node: ast.AST) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise NotALiteral(f"number too large (line {node.lineno})")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**40:
        raise NotALiteral(f"number too large (line {node.lineno})")
    return value


def _eval(node: ast.AST) -> Any:
    if isinstance(node, _Unreadable):
        raise NotALiteral(node.message)
    if isinstance(node, ast.Constant):
        if node.value is Ellipsis:
            return UNANSWERED  # the template's `...`: not answered yet
        if isinstance(node.value, (int, float, str, bool)) or node.value is None:
            if isinstance(node.value, str) and len(node.value) > _MAX_STRING:
                raise NotALiteral("a string in the answer is too long")
            return _finite(node.value, node)
        raise NotALiteral(f"{type(node.value).__name__} literals are not accepted (line {node.lineno})")
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_eval(e) for e in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise NotALiteral("`**` unpacking is not accepted in an answer")
        out = {}
        for k, v in zip(node.keys, node.values):
            key = _eval(k)
            try:
                out[key] = _eval(v)
            except TypeError:  # a list as a key
                raise NotALiteral(f"a dict key must be a string or a number (line {k.lineno})") from None
        return out
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        v = _number(_eval(node.operand), node)
        return v if isinstance(node.op, ast.UAdd) else -v
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left = _number(_eval(node.left), node)
        right = _number(_eval(node.right), node)
        if isinstance(node.op, ast.Pow) and abs(right) > _MAX_EXPONENT:
            raise NotALiteral(f"exponent {right} is too large (at most {_MAX_EXPONENT})")
        if isinstance(node.op, ast.Pow) and abs(left) > _MAX_NUMBER:
            raise NotALiteral("number too large")
        try:
            value = _BINOPS[type(node.op)](left, right)
        except ZeroDivisionError:
            raise NotALiteral(f"division by zero (line {node.lineno})") from None
        except OverflowError:
            raise NotALiteral(f"number too large (line {node.lineno})") from None
        if isinstance(value, complex):  # (-8) ** 0.5
            raise NotALiteral(f"not a real number (line {node.lineno})")
        return _finite(value, node)
    raise NotALiteral(_refusal(node))


def _refusal(node: ast.AST) -> str:
    line = getattr(node, "lineno", "?")
    what = type(node).__name__
    if isinstance(node, ast.Name):
        return (f"the name `{node.id}` at line {line}: text goes in quotes ('{node.id}'), and the grader "
                "cannot see your variables; write the value itself")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitXor):
        return f"`^` at line {line} is not a power in Python: write 10**9 (or 1e9)"
    if isinstance(node, ast.Call):
        func = node.func.id if isinstance(node.func, ast.Name) else ""
        called = f" (`{func}(...)`)" if func else ""
        return (f"a function call{called} at line {line}: the grader never runs Python, so write the value "
                "itself: a number or arithmetic (3 * 4e6 / 1e9), 'text', [a, list] or {\"key\": value}")
    hint = {
        "Attribute": "attribute access",
        "Lambda": "a lambda",
        "ListComp": "a comprehension",
        "DictComp": "a comprehension",
        "SetComp": "a comprehension",
        "GeneratorExp": "a generator",
        "JoinedStr": "an f-string",
        "Subscript": "indexing",
    }.get(what, what)
    return (
        f"{hint} at line {line}: answers must be plain values (numbers, strings, lists, dicts, "
        "and arithmetic on numbers); the grader never runs Python"
    )


class _Unreadable(ast.expr):
    """Stands for an answer whose cell could not be parsed: reading it gives `message`."""

    _fields = ()

    def __init__(self, message: str):
        super().__init__()
        self.message = message


# `ex09 = ...` or `ex09: dict = ...` at the start of a line (matched one line at a time: linear)
_ASSIGNED = re.compile(r"[ \t]*(ex\d\d[a-z]?)[ \t]*(?::[^=\n]*)?=(?!=)")


def assignments(cell_source: str) -> dict[str, ast.expr]:
    """Top-level `name = expression` statements in a code cell (magics and shell lines ignored).

    Never raises. When the cell is not valid Python, every `exNN =` line in it maps to a node
    whose reading raises NotALiteral saying which line is wrong and what to write instead."""
    lines = [
        "" if ln.lstrip().startswith(("%", "!")) else ln for ln in cell_source.splitlines()
    ]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError as exc:
        return _unreadable(lines, _syntax_message(exc, lines))
    except (RecursionError, MemoryError, ValueError):  # too deep or too long for Python's parser
        return _unreadable(lines, "the cell holding this answer is too large or too deeply nested for Python "
                                  "to read; " + _TOO_BIG.split("; ", 1)[1])
    out: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            out[stmt.target.id] = stmt.value
    return out


def _unreadable(lines: list[str], message: str) -> dict[str, ast.expr]:
    out: dict[str, ast.expr] = {}
    for ln in lines:
        m = _ASSIGNED.match(ln)
        if m:
            out[m.group(1)] = _Unreadable(message)
    return out


def _syntax_message(exc: SyntaxError, lines: list[str]) -> str:
    lineno = exc.lineno if isinstance(exc.lineno, int) and 0 < exc.lineno <= len(lines) else None
    text = lines[lineno - 1] if lineno else (exc.text or "")
    shown = text.strip()
    if len(shown) > 80:
        shown = shown[:77] + "..."
    where = f"line {lineno} of its cell" if lineno else "its cell"
    quoted = f": `{shown}`" if shown else ""
    return f"{where} is not valid Python ({exc.msg}){quoted}. {syntax_hint(text, exc.msg or '')}"


_PERCENT = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*%\s*(?=[,}\])#]|$)")
_SUFFIX = re.compile(r"\d\s*(?:[kKmMbBtT]|GB|GiB|MB|MiB|TB|TiB|PB|KB|bytes?|rows?)\b")
_THOUSANDS = re.compile(r"\d,\d{3}(?!\d)")
_DECIMAL_COMMA = re.compile(r"\d,\d+e\d")
_TIMES = re.compile(r"\d\s+[xX]\s+\d")


def syntax_hint(line: str, msg: str) -> str:
    """What to write instead, for the slips a line of a structured answer usually holds."""
    m = _PERCENT.search(line)
    if m:
        try:
            as_fraction = f"{float(m.group(1)) / 100:.4g}"
        except ValueError:  # pragma: no cover (the pattern only matches numbers)
            as_fraction = "the number / 100"
        return (f"A percent sign is not part of a number: write the fraction, {m.group(1)}% is "
                f"{as_fraction} (or {m.group(1)} / 100).")
    if any(q in line for q in "“”‘’"):
        return "Use straight quotes, \" or ' (curly quotes from a word processor are not Python)."
    if any(q in line for q in "×·÷"):
        return "Multiply with * and divide with /."
    if _TIMES.search(line):
        return "Multiply with *, e.g. 10e6 * 1e6."
    if _SUFFIX.search(line):
        return ("Write plain numbers without units or suffixes: 10M is 10e6 (or 10_000_000), and the key's "
                "name already says the unit (a_gb is in GB).")
    if _DECIMAL_COMMA.search(line):
        return "Use a decimal point, not a comma: 2.19e8."
    if _THOUSANDS.search(line):
        return "Write numbers without thousands separators: 10_000_000 or 10e6 (a comma separates values)."
    if "never closed" in msg or "unterminated" in msg or "unmatched" in msg or "does not match" in msg:
        return "Close every bracket and quote you open."
    if "forgot a comma" in msg:
        return "Separate a list's items and a dict's entries with commas, and put text in quotes."
    return ("Write the answer as a Python literal: numbers, 'text in quotes', [lists], {\"key\": value} "
            "dicts, and arithmetic such as 3 * 4e6 / 1e9.")


def read_assignment(node: ast.expr) -> Any:
    """The value of an assignment's right-hand side; NotALiteral (never another exception)
    when it is not a plain value or is too large to read."""
    _bounded(node)
    try:
        return _eval(node)
    except RecursionError:  # cannot happen under _MAX_DEPTH; kept so nothing else escapes
        raise NotALiteral(_TOO_BIG) from None
