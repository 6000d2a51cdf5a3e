"""The `release` verb: solution notebooks from lessons, student notebooks from solutions, and
the student bundle. Students never get a reference answer or a hidden check."""

from __future__ import annotations

import re
import json
import shutil
from pathlib import Path

import nbformat

from grader.course import exercises
from grader.authoring import lesson
from grader.authoring.lesson import FIRST_CELL, Cell

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"
KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def language_info() -> dict:
    """What the kernel reports as language_info (ipykernel, this Python): JupyterLab writes it into
    a notebook's metadata when the kernel starts, and marks a notebook holding less as changed
    (closing an untouched notebook then asks to save; tests/test_browser_untouched.py)."""
    from ipykernel.ipkernel import IPythonKernel

    return dict(IPythonKernel.language_info)


def _cell(c: Cell):
    meta = {"tags": c.tags} if c.tags else {}
    if c.kind == "markdown":
        return nbformat.v4.new_markdown_cell(c.source, metadata=meta)
    return nbformat.v4.new_code_cell(c.source, metadata=meta)


def _notebook(cells: list[Cell], exercise_id: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNEL
    nb.metadata["language_info"] = language_info()
    nb.metadata["exercise"] = exercise_id
    nb.cells = [nbformat.v4.new_code_cell(FIRST_CELL, metadata={"tags": ["setup"]})] + [_cell(c) for c in cells]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{exercise_id}-{i:02d}"  # stable ids keep diffs of regenerated notebooks small
    return nb


def solution_notebook(exercise_id: str) -> nbformat.NotebookNode:
    ex = exercises.get(exercise_id)
    return _notebook(lesson.read(ex.lesson).solution_cells(), exercise_id)


def student_notebook(exercise_id: str) -> nbformat.NotebookNode:
    """The student notebook: the solution notebook's cells from the same lesson, each reference
    answer replaced by its template or a placeholder, explanations of the answer left out, no
    outputs."""
    ex = exercises.get(exercise_id)
    return _notebook(lesson.read(ex.lesson).student_cells(), exercise_id)


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
        write(student_notebook(exercise_id), NOTEBOOKS / f"{exercise_id}.ipynb")
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
            if len(s) >= 12 and not s.startswith(("%%sql", "--", "#")) and not re.fullmatch(r"[\w\s,();]*", s):  # bare keywords and names (START TRANSACTION;) are not distinctive
                out.append(s)
    return out


# ---------- platforms ----------

def gradescope(out: Path, **options) -> Path:
    """OUT/autograder.zip for Gradescope (grader/grading/platforms/gradescope.py): the instructor's
    grader with hidden checks; never given to students."""
    from grader.grading.platforms import gradescope as gs

    return gs.build_zip(Path(out), **options)


# ---------- the student bundle ----------

BUNDLE_MARKER = ".week12-student-bundle"  # lets `bundle` safely replace a bundle it wrote before
# Development-only pins a student never needs (tests, notebook validation, the real-browser
# test's driver, the platform results' schema validation). tests/test_release_pins.py fails when
# a pin only the tests import is missing here.
DEV_ONLY = ("pytest", "pytest-xdist", "nbval", "playwright", "jsonschema")

BUNDLE_README = """# Week 12 workbook (student edition)

Notebooks, one per exercise, on point-in-time, idempotent feature pipelines, with seeded DuckDB tables.

    make lab     # builds .venv from pyproject.toml once, then opens notebooks/ in JupyterLab

Work through `notebooks/exNN.ipynb` in order. Answer in the cells marked `YOUR ANSWER HERE`,
keeping their first line (`%%sql --save exNN` for SQL; `exNN = {{...}}` literals otherwise),
then run `check("exNN")`. It runs the *public* checks; your instructor's grading also runs
hidden checks on other data, so passing here is necessary, not sufficient.

Submit your notebooks (`.ipynb`, nbformat 4) as your instructor asks. The grader reads your
saved SQL and your literals; it never runs your Python.

Contents: notebooks/ (the exercises), data/ (the sample tables), {diagrams}grader/ (the
workbook's checker, public checks only), pyproject.toml and Makefile.
"""

BUNDLE_MAKEFILE = """# `make lab`: build .venv from pyproject.toml (once), then open the workbook.
include mk/lab.mk
"""


def _bundle_pyproject() -> str:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = [d for d in project.get("dependencies", []) if re.split(r"[=<>!~\[ ]", d, 1)[0] not in DEV_ONLY]
    lines = ",\n".join(f'    "{d}"' for d in deps)
    return (
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "week12-workbook-student"\nversion = "{project.get("version", "0.1.0")}"\n'
        f'requires-python = "{project.get("requires-python", ">=3.11")}"\n'
        f"dependencies = [\n{lines},\n]\n\n"
        '[project.scripts]\ngrader = "grader.cli:main"\n\n'
        '[tool.setuptools.packages.find]\ninclude = ["grader*"]\n\n'
        '[tool.setuptools.package-data]\n"*" = ["*.sql", "*.jar"]\n'
    )


def _released(path: Path) -> bool:
    """Whether a file of the grader package goes to students."""
    parts = path.relative_to(ROOT / "grader").parts
    if "__pycache__" in parts or path.suffix in (".pyc", ".pyo"):
        return False
    if path.name == "lesson.md":  # the solution notebook's text and reference answers
        return False
    if parts[:2] == ("course", "exercises") and path.name in ("hidden.py", "lesson_map.py", "matrix.py"):
        # hidden fixtures and checks; where lesson.md (not shipped) teaches each check; wrong
        # answers that name the hidden checks
        return False
    return True


def _public_text() -> str:
    """Everything students see by design: the student cells of every lesson, the diagrams."""
    parts = []
    for exercise_id in exercises.available():
        try:
            parts.extend(c.source for c in lesson.read(exercises.get(exercise_id).lesson).student_cells())
        except FileNotFoundError:
            continue
    parts.extend(p.read_text(encoding="utf-8") for p in sorted((ROOT / "diagrams").glob("*.puml")))
    return "\n".join(parts)


def bundle_leaks(out: Path) -> list[str]:
    """Reference answers or hidden checks found in a bundle (an empty list is a clean one).

    An exercise's own student notebook may hold none of its distinctive reference lines; any
    other file may not hold most of them (one shared line, such as a `count(*) FILTER ...` in
    another exercise's deliberately flawed job, is common SQL, not the answer)."""
    refs, public = {}, _public_text()
    for exercise_id in exercises.available():
        try:
            lines = reference_lines(exercise_id)
        except FileNotFoundError:  # an exercise without a lesson has no reference to leak
            continue
        # A line students are shown anyway (an explore cell, a template, the course's diagram) is
        # common SQL, not an answer: `HAVING count(*) > 1` explores ex06 and answers ex02.
        refs[exercise_id] = [line for line in dict.fromkeys(lines) if line not in public]
    leaks = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        if path.name in ("hidden.py", "lesson.md", "lesson_map.py") or rel.startswith("solutions/"):
            leaks.append(f"{rel}: must not be released")
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary (a jar, an image): holds no answer text
        for exercise_id, lines in refs.items():
            found = [line for line in lines if line in text]
            own_notebook = rel == f"notebooks/{exercise_id}.ipynb"
            if found and (own_notebook or 2 * len(found) > len(lines)):
                leaks.extend(f"{rel}: reference line of {exercise_id}: {line}" for line in found)
    return leaks


def bundle(out: Path) -> Path:
    """Write what students get into `out` and return it.

    Layout (decided here, one place):
      notebooks/        the student notebooks (notebooks/*.ipynb, generated, answers stripped)
      data/             the seeded sample tables (the course tables' CSVs only; no generated data)
      diagrams/         *.puml and *.svg, when the repo has any
      grader/           the package with PUBLIC checks only: every course/exercises/*/hidden.py and
                        every lesson.md are left out, so hidden fixtures and reference answers
                        never ship; exercise packages load without hidden checks
      pyproject.toml    the runtime pins (test-only pins dropped), installing `grader`
      Makefile          `make lab`: build .venv once, open notebooks/ in JupyterLab
      README.md         how to work and submit
    No solutions/, tests/ or lessons. `out` is replaced when it holds a bundle written before;
    any other non-empty folder is refused. Before returning, the bundle is scanned for every
    reference-answer line and hidden file; a leak raises RuntimeError (and the bundle is removed).
    """
    out = Path(out)
    if out.exists():
        if (out / BUNDLE_MARKER).exists():
            shutil.rmtree(out)
        elif any(out.iterdir()):
            raise FileExistsError(f"{out} exists and is not a student bundle; choose an empty or new folder")
    out.mkdir(parents=True, exist_ok=True)
    (out / BUNDLE_MARKER).write_text("written by `grader release bundle`; safe to replace\n", encoding="utf-8")

    for nb in sorted(NOTEBOOKS.glob("*.ipynb")):
        (out / "notebooks").mkdir(exist_ok=True)
        shutil.copy2(nb, out / "notebooks" / nb.name)
    from grader.domain.tables import DATA_DIR, SEEDED

    (out / "data").mkdir()
    for table in SEEDED:
        shutil.copy2(DATA_DIR / f"{table}.csv", out / "data" / f"{table}.csv")
    diagrams = sorted(p for p in (ROOT / "diagrams").glob("*") if p.suffix in (".puml", ".svg"))
    for d in diagrams:
        (out / "diagrams").mkdir(exist_ok=True)
        shutil.copy2(d, out / "diagrams" / d.name)
    for src in sorted((ROOT / "grader").rglob("*")):
        if src.is_file() and _released(src):
            dest = out / "grader" / src.relative_to(ROOT / "grader")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
    # hidden checks' names only (README publishes them): check() says what grading also tries
    names = {e.id: exercises.hidden_check_names(e) for e in exercises.all_exercises()}
    hidden_names = out / "grader" / exercises.HIDDEN_NAMES.relative_to(ROOT / "grader")
    hidden_names.write_text(json.dumps(names, indent=1) + "\n", encoding="utf-8")
    (out / "pyproject.toml").write_text(_bundle_pyproject(), encoding="utf-8")
    (out / "Makefile").write_text(BUNDLE_MAKEFILE, encoding="utf-8")
    (out / "mk").mkdir(exist_ok=True)
    shutil.copy2(ROOT / "mk" / "lab.mk", out / "mk" / "lab.mk")
    (out / "README.md").write_text(
        BUNDLE_README.format(diagrams="diagrams/ (the backfill diagram), " if diagrams else ""), encoding="utf-8"
    )
    leaks = bundle_leaks(out)
    if leaks:
        shutil.rmtree(out)
        raise RuntimeError("the student bundle would leak:\n  " + "\n  ".join(leaks))
    return out
