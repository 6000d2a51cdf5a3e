"""Read structured answers (`ex09 = {...}`) without running any learner Python.

Allowed: literals (numbers, strings, booleans, None), lists, tuples, dicts, sets, unary +/-,
and + - * / // % ** on numbers with small exponents. Anything else (names, calls, attribute
access, lambdas, comprehensions, f-strings) is refused with a message.
"""

from __future__ import annotations

import ast
import operator
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
    if sum(1 for _ in ast.walk(tree)) > _MAX_NODES:
        raise NotALiteral("the answer is too large to read")
    return _eval(tree.body)


def _number(value: Any, node: ast.AST) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NotALiteral(f"arithmetic is allowed on numbers only (line {node.lineno})")
    return value


def _eval(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant):
        if node.value is Ellipsis:
            return UNANSWERED  # the template's `...`: not answered yet
        if isinstance(node.value, (int, float, str, bool)) or node.value is None:
            if isinstance(node.value, str) and len(node.value) > _MAX_STRING:
                raise NotALiteral("a string in the answer is too long")
            return node.value
        raise NotALiteral(f"{type(node.value).__name__} literals are not accepted")
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_eval(e) for e in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise NotALiteral("`**` unpacking is not accepted in an answer")
        return {_eval(k): _eval(v) for k, v in zip(node.keys, node.values)}
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
        if isinstance(value, int) and abs(value) > 10**40:
            raise NotALiteral(f"number too large (line {node.lineno})")
        return value
    what = type(node).__name__
    hint = {
        "Name": "a variable name",
        "Call": "a function call",
        "Attribute": "attribute access",
        "Lambda": "a lambda",
        "ListComp": "a comprehension",
        "DictComp": "a comprehension",
        "SetComp": "a comprehension",
        "GeneratorExp": "a generator",
        "JoinedStr": "an f-string",
        "Subscript": "indexing",
    }.get(what, what)
    line = getattr(node, "lineno", "?")
    raise NotALiteral(
        f"{hint} at line {line}: answers must be plain values (numbers, strings, lists, dicts, "
        "and arithmetic on numbers); the grader never runs Python"
    )


def assignments(cell_source: str) -> dict[str, ast.expr]:
    """Top-level `name = expression` statements in a code cell (magics and shell lines ignored)."""
    lines = [
        "" if ln.lstrip().startswith(("%", "!")) else ln for ln in cell_source.splitlines()
    ]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return {}
    out: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            out[stmt.target.id] = stmt.value
    return out


def read_assignment(node: ast.expr) -> Any:
    return _eval(node)
