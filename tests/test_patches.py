"""A patch must hit the name the code reads. `monkeypatch.setattr(module, "NAME", value)` changes
`module.NAME` only: a module that did `from elsewhere import NAME` keeps reading its own copy, so
a patch on a package's re-export changes nothing (a crash-medium test once ran both of its halves
in memory that way). This test reads every test file with ast and, for each patch whose target is
a grader module, demands that the module itself reads NAME (a global it uses, not one it only
imports or re-exports); for `module.os` targets, that the module reads `os.NAME`."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
GRADER = TESTS.parent / "grader"


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> dotted grader module or object, from every import in the file (also the
    ones inside test functions)."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    found[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    found[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                found[a.asname or a.name] = f"{node.module}.{a.name}"
    return found


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, aliases)
        return f"{base}.{node.attr}" if base else None
    return None


def patches(source: str) -> list[tuple[int, str, str]]:
    """(line, dotted target, name) of every `monkeypatch.setattr(target, "name", ...)` and
    `monkeypatch.setattr("dotted.target.name", ...)` in a test file's source."""
    tree = ast.parse(source)
    aliases = _aliases(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "setattr" and _dotted(node.func.value, {"monkeypatch": "monkeypatch"})):
            continue
        args = node.args
        if len(args) >= 2 and isinstance(args[1], ast.Constant) and isinstance(args[1].value, str):
            target = _dotted(args[0], aliases)
            if target:
                found.append((node.lineno, target, args[1].value))
        elif args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            target, _, name = args[0].value.rpartition(".")
            found.append((node.lineno, target, name))
    return found


def _reads(source: str, name: str, via: str | None = None) -> bool:
    """Whether the module's code reads `name` (or `via.name`), not counting its imports."""
    for node in ast.walk(ast.parse(source)):
        if via is None and isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            return True
        if (via is not None and isinstance(node, ast.Attribute) and node.attr == name
                and isinstance(node.value, ast.Name) and node.value.id == via):
            return True
    return False


def miss(target: str, name: str) -> str | None:
    """Why a patch of `target.name` cannot reach the code that reads it, or None when it can."""
    if not target.startswith("grader"):
        return None  # a library's own attribute (tempfile.tempdir): the library reads it
    head, _, last = target.rpartition(".")
    try:
        module = importlib.import_module(target)
    except ImportError:
        # `grader.x.mod.os`, or a class: patching an attribute of an object the module holds
        module = importlib.import_module(head)
        obj = getattr(module, last)
        if inspect.ismodule(obj):
            if _reads(inspect.getsource(module), name, via=last):
                return None
            return f"{head} never reads {last}.{name}"
        if hasattr(obj, name):
            return None
        return f"{target} has no attribute {name}"
    if not hasattr(module, name):
        return f"{target} has no {name}"
    if _reads(inspect.getsource(module), name):
        return None
    owner = getattr(getattr(module, name), "__module__", None)
    return f"{target} only re-exports {name}{f' (read in {owner})' if owner else ''}: patch the module that reads it"


TEST_FILES = sorted(TESTS.glob("test_*.py"))


def test_the_rule_catches_a_patch_on_a_re_export():
    # The checker on the mistake it exists for: harness/__init__ re-exports workspace's names.
    source = "from grader.course import harness\ndef test(monkeypatch):\n    monkeypatch.setattr(harness, 'MAX_RERUNS', 1)\n"
    [(line, target, name)] = patches(source)
    assert (line, target, name) == (3, "grader.course.harness", "MAX_RERUNS")
    assert "only re-exports MAX_RERUNS" in miss(target, name)
    assert miss("grader.course.harness.crash", "MAX_RERUNS") is None  # the module whose code reads it
    assert miss("grader.grading.report.os", "fdopen") is None
    assert miss("grader.grading.report.os", "chmod") == "grader.grading.report never reads os.chmod"
    assert patches("import grader.engine.sandbox as sb\nmonkeypatch.setattr(sb, 'DB_DETAILS', 0)") == [
        (2, "grader.engine.sandbox", "DB_DETAILS")]


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_every_patch_hits_a_name_its_module_reads(path):
    misses = [f"line {line}: monkeypatch.setattr({target}, {name!r}): {why}"
              for line, target, name in patches(path.read_text(encoding="utf-8"))
              if (why := miss(target, name))]
    assert misses == []
