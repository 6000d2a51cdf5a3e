"""The `release` verb: solution notebooks from lessons, student notebooks from solutions, and
the student bundle. Students never get a reference answer or a hidden check."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat

from . import exercises, lesson
from .lesson import FIRST_CELL, Cell

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"
KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _cell(c: Cell):
    meta = {"tags": c.tags} if c.tags else {}
    if c.kind == "markdown":
        return nbformat.v4.new_markdown_cell(c.source, metadata=meta)
    return nbformat.v4.new_code_cell(c.source, metadata=meta)


def _notebook(cells: list[Cell], exercise_id: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNEL
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["exercise"] = exercise_id
    nb.cells = [nbformat.v4.new_code_cell(FIRST_CELL, metadata={"tags": ["setup"]})] + [_cell(c) for c in cells]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{exercise_id}-{i:02d}"  # stable ids keep diffs of regenerated notebooks small
    return nb


def solution_notebook(exercise_id: str) -> nbformat.NotebookNode:
    ex = exercises.get(exercise_id)
    return _notebook(lesson.read(ex.lesson).solution_cells(), exercise_id)


def student_notebook(solution: nbformat.NotebookNode, exercise_id: str) -> nbformat.NotebookNode:
    """The student notebook, derived from the solution: answers replaced, outputs cleared."""
    ex = exercises.get(exercise_id)
    nb = _notebook(lesson.read(ex.lesson).student_cells(), exercise_id)
    return nb


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 300) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
    client.execute()
    for cell in nb.cells:  # execution timestamps would make every rebuild a diff
        cell.get("metadata", {}).pop("execution", None)
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(nb) + "\n"
    path.write_text(text, encoding="utf-8")


def build_notebooks(ids: list[str] | None = None, run: bool = True, log=print) -> None:
    """solutions/exNN.ipynb (executed, outputs kept) and notebooks/exNN.ipynb (stripped)."""
    for exercise_id in ids or exercises.available():
        sol = solution_notebook(exercise_id)
        if run:
            log(f"executing solutions/{exercise_id}.ipynb ...")
            sol = execute(sol, SOLUTIONS)
        write(sol, SOLUTIONS / f"{exercise_id}.ipynb")
        write(student_notebook(sol, exercise_id), NOTEBOOKS / f"{exercise_id}.ipynb")
        log(f"wrote solutions/{exercise_id}.ipynb and notebooks/{exercise_id}.ipynb")


def sources(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in nb.cells]


def reference_lines(exercise_id: str) -> list[str]:
    """Distinctive lines of the reference answers: none may appear in what students get."""
    ex = exercises.get(exercise_id)
    out = []
    for c in lesson.read(ex.lesson).cells:
        if c.role != "solution":
            continue
        for line in c.source.splitlines():
            s = line.strip()
            if len(s) >= 12 and not s.startswith(("%%sql", "--", "#")) and not re.fullmatch(r"[\w\s,()]*", s):
                out.append(s)
    return out
