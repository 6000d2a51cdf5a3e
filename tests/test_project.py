"""The project's own promises: pins in step, notebooks generated and fresh, no answers leaked."""

import re
import tomllib
from pathlib import Path

import nbformat
import pytest

from grader.course import exercises
from grader.authoring import release

ROOT = Path(__file__).resolve().parent.parent


def pyproject_pins() -> dict[str, str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {}
    for d in deps:
        name, _, version = d.partition("==")
        assert version, f"{d}: every dependency is pinned exactly"
        pins[name.strip().lower()] = version.strip()
    return pins


def test_environment_yml_pins_match_pyproject():
    text = (ROOT / "environment.yml").read_text()
    env = dict(re.findall(r"^\s*-\s*([A-Za-z0-9_.\-]+)==([^\s#]+)", text, re.M))
    env = {k.lower(): v for k, v in env.items()}
    assert env == pyproject_pins()
    py = re.search(r"^\s*-\s*python=(\S+)", text, re.M)
    assert py, "environment.yml names a python version"


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci/run").read_text()
    readme = (ROOT / "README.md").read_text()
    commands = [ln.strip() for ln in ci.splitlines() if ln.strip() and not ln.startswith(("#", "set ", "cd "))]
    # before it, only the set-up of what the browser test needs (Debian's chromium via apt-get)
    tests = [c for c in commands if "make" in c or "pytest" in c]
    assert tests == ["make test"] and commands[-1] == "make test", commands
    assert "make test" in readme and "make lab" in readme


@pytest.mark.parametrize("exercise_id", exercises.available())
def test_student_notebook_is_generated_from_the_lesson_and_fresh(exercise_id):
    committed = nbformat.read(ROOT / "notebooks" / f"{exercise_id}.ipynb", as_version=4)
    fresh = release.student_notebook(exercise_id)
    assert release.sources(committed) == release.sources(fresh), (
        f"notebooks/{exercise_id}.ipynb is stale: run `make notebooks`"
    )
    assert all(not c.get("outputs") for c in committed.cells if c.cell_type == "code")


@pytest.mark.parametrize("exercise_id", exercises.available())
def test_solution_notebook_is_fresh(exercise_id):
    committed = nbformat.read(ROOT / "solutions" / f"{exercise_id}.ipynb", as_version=4)
    fresh = release.solution_notebook(exercise_id)
    assert release.sources(committed) == release.sources(fresh), (
        f"solutions/{exercise_id}.ipynb is stale: run `make notebooks`"
    )


@pytest.mark.parametrize("exercise_id", exercises.available())
def test_student_notebook_contains_no_reference_answer(exercise_id):
    text = (ROOT / "notebooks" / f"{exercise_id}.ipynb").read_text()
    body = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
    leaked = [line for line in release.reference_lines(exercise_id) if line in body]
    assert not leaked, leaked


@pytest.mark.parametrize("exercise_id", exercises.available())
def test_every_notebook_starts_with_the_one_line_setup(exercise_id):
    for folder in ("solutions", "notebooks"):
        nb = nbformat.read(ROOT / folder / f"{exercise_id}.ipynb", as_version=4)
        first_code = next(c for c in nb.cells if c.cell_type == "code")
        assert first_code.source.startswith("from grader.workbook import check")


def test_every_exercise_has_its_lesson_and_public_checks():
    for ex in exercises.all_exercises():
        assert ex.lesson.exists(), ex.id
        assert ex.checks, f"{ex.id} has public checks"
        from grader.engine.checks import ManualCheck

        graded = [c for c in ex.all_checks() if not isinstance(c, ManualCheck)]
        assert all(c.fail for c in graded), f"{ex.id}: every auto-graded check teaches on failure"
        names = [c.name for c in ex.all_checks()]
        assert len(names) == len(set(names)), f"{ex.id}: check names are unique"


def test_readme_exercise_table_is_generated_and_fresh():
    from grader.authoring import docs

    text = (ROOT / "README.md").read_text()
    assert docs.render_readme(text) == text, "README's exercise table is stale: run `grader release docs`"
