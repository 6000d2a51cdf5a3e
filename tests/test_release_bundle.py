"""The student release leaks nothing, and check() works from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.course import exercises
from grader.authoring import release

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return release.bundle(tmp_path_factory.mktemp("release") / "bundle")


def text_files(root: Path):
    for p in root.rglob("*"):
        if p.is_file():
            try:
                yield p, p.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def test_bundle_layout(bundle):
    for name in ("README.md", "Makefile", "pyproject.toml", "grader/__init__.py", "grader/workbook.py"):
        assert (bundle / name).is_file(), name
    assert "include mk/lab.mk" in (bundle / "Makefile").read_text()
    assert "lab:" in (bundle / "mk" / "lab.mk").read_text()
    assert sorted(p.name for p in (bundle / "data").iterdir()) == sorted(f"{t}.csv" for t in ("events", "users", "items", "feature_job_control"))
    assert {p.name for p in (bundle / "notebooks").glob("*.ipynb")} == {p.name for p in (REPO / "notebooks").glob("*.ipynb")}
    assert not (bundle / "solutions").exists() and not (bundle / "tests").exists()
    assert "pytest" not in (bundle / "pyproject.toml").read_text()


def test_bundle_has_no_hidden_checks_or_lessons(bundle):
    assert list(bundle.rglob("hidden.py")) == []
    # an exercise's matrix: its wrong answers name the hidden checks (the format, engine/matrix.py, ships)
    assert [p for p in bundle.rglob("matrix.py") if p.parent.parent.name == "exercises"] == []
    assert list(bundle.rglob("lesson.md")) == []
    assert list(bundle.rglob("__pycache__")) == []


def test_bundle_has_no_reference_answer_text(bundle):
    public = release._public_text()
    for exercise_id in exercises.available():
        if not exercises.get(exercise_id).lesson.exists():
            continue  # an exercise still being written has no reference yet
        lines = [line for line in release.reference_lines(exercise_id) if line not in public]
        own = bundle / "notebooks" / f"{exercise_id}.ipynb"
        if own.exists():  # not one distinctive line of the answer in its own notebook
            text = own.read_text(encoding="utf-8")
            assert not [line for line in lines if line in text], exercise_id
        for path, text in text_files(bundle):  # nowhere most of the answer
            found = [line for line in lines if line in text]
            assert 2 * len(found) <= len(lines) or not found, f"{path.relative_to(bundle)} holds {exercise_id}'s reference: {found}"
    assert release.bundle_leaks(bundle) == []


def test_no_hidden_fixture_or_check_source_in_the_bundle(bundle):
    """No distinctive line of any hidden.py (fixture rows, check declarations) ships."""
    lines = set()
    for hidden in (REPO / "grader" / "course" / "exercises").glob("*/hidden.py"):
        for line in hidden.read_text(encoding="utf-8").splitlines():
            s = line.strip()
            if len(s) >= 30 and not s.startswith(("#", '"', "'", "from ", "import ")):
                lines.add(s)
    # a line some released module also has (a `def judge(...)`) is not specific to hidden checks
    released = "\n".join(
        q.read_text(encoding="utf-8") for q in (REPO / "grader").rglob("*.py") if q.name != "hidden.py"
    )
    lines = {line for line in lines if line not in released}
    assert lines
    for path, text in text_files(bundle):
        found = [line for line in lines if line in text]
        assert not found, f"{path.relative_to(bundle)}: {found[:3]}"


def test_a_leak_is_refused(tmp_path, monkeypatch):
    """The bundle's own scan catches a reference answer that slipped in, and removes the bundle."""
    ref = release.reference_lines("ex06")[0]
    real = release._released
    monkeypatch.setattr(release, "_released", lambda p: True if p.name == "lesson.md" else real(p))
    with pytest.raises(RuntimeError, match="leak"):
        release.bundle(tmp_path / "b")
    assert not (tmp_path / "b").exists()
    assert ref


def test_bundle_refuses_to_overwrite_a_foreign_folder(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("x")
    with pytest.raises(FileExistsError):
        release.bundle(tmp_path / "mine")
    assert (tmp_path / "mine" / "thesis.tex").exists()


CHILD = r"""
import json, sys
import grader
from grader.course import exercises
from grader.grading.grade import grade_exercise
from grader.engine.notebook import extract_answers
assert grader.__file__.startswith(sys.argv[1]), grader.__file__
out = {}
for i in exercises.available():
    ex = exercises.get(i)
    out[i] = {"hidden": len(ex.hidden), "public": len(ex.checks)}
answers, _ = extract_answers([{"cell_type": "code", "source": "%%sql --save ex06\n" + sys.stdin.read()}])
r = grade_exercise(exercises.get("ex06"), answers, hidden=True)
out["ex06_result"] = [[c.name, c.status] for c in r.checks]
print(json.dumps(out))
"""


def test_check_works_from_the_bundle_with_public_checks_only(bundle):
    from test_hostile import reference_sql

    env = {**os.environ, "PYTHONPATH": str(bundle), "PLOOMBER_STATS_ENABLED": "false"}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(bundle)], input=reference_sql(), capture_output=True,
        text=True, env=env, cwd=bundle, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    for exercise_id in exercises.available():
        assert out[exercise_id]["hidden"] == 0, exercise_id  # every exercise loads, without hidden checks
    assert out["ex06_result"] and all(status == "pass" for _, status in out["ex06_result"]), out["ex06_result"]
    assert [name for name, _ in out["ex06_result"]] == [c.name for c in exercises.get("ex06").checks]


def test_cli_writes_the_bundle(tmp_path):
    from grader import cli

    assert cli.main(["release", "bundle", str(tmp_path / "rel")]) == 0
    assert (tmp_path / "rel" / "grader" / "course" / "exercises" / "ex06" / "__init__.py").exists()


def test_bundle_names_each_exercises_hidden_checks_for_check(bundle):
    # names only (README's exercise table publishes them): check() says what grading also tries
    names = json.loads((bundle / "grader/course/exercises/hidden_checks.json").read_text())
    for ex in exercises.all_exercises():
        assert names[ex.id] == [c.name for c in ex.hidden], ex.id
