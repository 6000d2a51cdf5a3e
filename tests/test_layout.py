"""The package's layout, as a rule: each part of grader/ imports only its own part and the parts
below it, no two modules import each other (directly or round a longer circle), no module finds
others through sys.modules, and no module is longer than MAX_LINES. Imports are read with ast
(every import, also the ones inside functions, and importlib calls naming a grader module),
never executed. `python tests/test_layout.py` prints the facts: upward imports, circles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GRADER = Path(__file__).resolve().parents[1] / "grader"

# Parts, by the dotted prefix of their modules (the longest prefix wins), and their rank: a module
# may import from its own part or from a part of LOWER rank, never from one above it or beside it.
PARTS = {
    "grader": 0,  # the package's __init__: a docstring and the version
    # the course's data model: tables.py (schema, seed data), semantics.py (the oracle)
    "grader.domain": 1,
    "grader.engine": 2,  # reading, sandbox, compare, shrink, checks, exercise format
    # this course: exercises/ (one folder each) and harness/ (fault injection for the job
    # exercises, about this course's feature table and control row); declared from the engine
    "grader.course": 3,
    # Pictures of time and of a class, drawn from results (and the course's window), used by
    # grading's pages and reports, the kernel's check() and the lessons.
    "grader.pictures": 3.5,
    # How a class's work arrives (zips, LMS downloads, scratch copies) -> units grading reads:
    # before grading in the data flow, so grading imports it, never the reverse.
    "grader.delivery": 3.6,
    "grader.grading": 4,  # grade, workers, reports, feedback, manual marks, platforms/
    "grader.kernel": 5,  # the notebook's first cell and check()
    "grader.authoring": 5,  # lessons, release, docs, diagram
    "grader.scale": 6,  # data generator, pipelines, benchmarks
    "grader.workbook": 7,  # the public name of the first cell: a re-export of grader.kernel.workbook
    "grader.cli": 7,  # the thin layer on top
    "grader.malloc_cache": 6.5,  # how the command line starts a grading command (glibc's tunables)
}
MAX_LINES = 400  # the issue's "about 400": notebook.py, the longest module that was never split, has 398


def part_of(module: str) -> str:
    matches = [p for p in PARTS if module == p or module.startswith(p + ".")]
    return max(matches, key=len)


def allowed(importer: str, imported: str) -> bool:
    """Whether module `importer` may import module `imported` (both dotted, under grader)."""
    mine, theirs = part_of(importer), part_of(imported)
    return mine == theirs or PARTS[theirs] < PARTS[mine]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(GRADER.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def grader_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every grader module or package this file imports, relative imports
    resolved; `from pkg import name` counts as importing pkg.name when that is a module."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for a in node.names:
                sub = f"{target}.{a.name}"
                found.append((node.lineno, sub if _is_module(sub) else target))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("import_module", "find_spec"):
            arg = node.args[0] if node.args else None
            lead = arg.values[0] if isinstance(arg, ast.JoinedStr) and arg.values else arg
            if isinstance(lead, ast.Constant) and isinstance(lead.value, str):
                found.append((node.lineno, lead.value.rstrip(".")))
    return [(line, m) for line, m in found if m == "grader" or m.startswith("grader.")]


def _is_module(dotted: str) -> bool:
    path = GRADER.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


MODULES = sorted(GRADER.rglob("*.py"))


def import_graph() -> dict[str, set[str]]:
    """module -> the grader modules it imports (itself left out)."""
    graph = {}
    for path in MODULES:
        me = module_name(path)
        graph[me] = {m for _, m in grader_imports(path) if m != me}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import graph's strongly connected components of more than one module (Tarjan's
    algorithm, iterative): every module of one of them imports itself round a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            nxt = next((w for w in edges if w in graph), None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def upward_imports() -> list[str]:
    out = []
    for path in MODULES:
        me = module_name(path)
        out += [f"line {line}: {me} ({part_of(me)}) imports {m} ({part_of(m)})"
                for line, m in grader_imports(path) if not allowed(me, m)]
    return out


def module_scans(path: Path) -> list[int]:
    """Lines where a module reads sys.modules: finding modules that way hides an import."""
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Attribute) and node.attr == "modules"
            and isinstance(node.value, ast.Name) and node.value.id == "sys"]


def test_the_rule_refuses_upward_and_sideways_imports_and_allows_downward_ones():
    # The checker itself, on imports the package must never have: if these pass, so could anything.
    assert not allowed("grader.engine.sandbox", "grader.grading.grade")
    assert not allowed("grader.engine.checks.base", "grader.course.exercises.ex06")
    assert not allowed("grader.engine.checks.base", "grader.course.harness.crash")
    assert not allowed("grader.domain.semantics", "grader.engine.compare")
    assert not allowed("grader.domain.tables", "grader.engine.sandbox")
    assert not allowed("grader.kernel.check", "grader.authoring.lesson")  # same rank, other part
    assert not allowed("grader.grading.report", "grader.cli")
    assert allowed("grader.engine.sandbox", "grader.domain.tables")
    assert allowed("grader.course.exercises.ex08", "grader.course.harness")
    assert allowed("grader.cli", "grader.scale.bench")


def test_every_module_belongs_to_a_part():
    # A new top-level module must be given a place (and a rank) here, not fall into "grader".
    stray = [module_name(p) for p in MODULES if part_of(module_name(p)) == "grader" and p != GRADER / "__init__.py"]
    assert stray == []


def test_the_circle_finder_finds_circles_and_only_circles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e2"}, "e2": set(), "f": {"g"}, "g": {"f"}}
    assert circles(graph) == [["a", "b", "c"], ["f", "g"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_modules_import_each_other():
    # Two modules that import each other are one module in two files (or a missing lower one).
    assert circles(import_graph()) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GRADER.parent)))
def test_no_module_finds_modules_through_sys_modules(path):
    assert module_scans(path) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GRADER.parent)))
def test_no_import_goes_up(path):
    me = module_name(path)
    upward = [f"line {line}: {me} ({part_of(me)}) imports {m} ({part_of(m)})"
              for line, m in grader_imports(path) if not allowed(me, m)]
    assert upward == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GRADER.parent)))
def test_no_module_is_over_the_limit(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(GRADER.parent)} has {lines} lines: split it by what its parts do"


def test_exercise_ids_are_the_exercise_folders():
    # Adding an exercise is adding its folder: no list of ids to keep in step.
    from grader.course import exercises

    folders = sorted(p.parent.name for p in (GRADER / "course" / "exercises").glob("ex[0-9][0-9]/__init__.py"))
    assert exercises.IDS == folders and len(folders) >= 12


if __name__ == "__main__":
    print(f"modules: {len(MODULES)}, parts: {len(PARTS)}")
    print(f"upward imports: {len(upward_imports())}")
    for line in upward_imports():
        print("  " + line)
    found = circles(import_graph())
    print(f"circles: {len(found)}")
    for c in found:
        print("  " + " <-> ".join(c))
    print(f"sys.modules scans: {sum(len(module_scans(p)) for p in MODULES)}")
