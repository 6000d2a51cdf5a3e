"""End to end: the committed notebooks through `grader check`, as an instructor runs it."""

import json
from pathlib import Path

import pytest

from grader import cli
from grader.course import exercises
from grader.grading.grade import find_submissions, grade_path

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def solutions_result():
    return grade_path(ROOT / "solutions")


def test_solution_notebooks_get_full_marks_with_every_hidden_check(solutions_result):
    assert solutions_result.status == "graded"
    assert {e.id for e in solutions_result.exercises} == set(exercises.available())
    not_passed = [(e.id, c.name, c.status, c.message) for e in solutions_result.exercises
                  for c in e.checks if c.status not in ("pass", "manual")]
    assert not not_passed
    assert solutions_result.score == solutions_result.max_score > 0


def test_student_notebooks_score_zero_on_every_auto_graded_check():
    result = grade_path(ROOT / "notebooks")
    scored = [(e.id, c.name, c.status) for e in result.exercises for c in e.checks if c.points > 0]
    assert not scored
    assert all(c.status in ("missing", "fail") for e in result.exercises for c in e.checks), (
        [(e.id, c.name, c.status, c.message) for e in result.exercises for c in e.checks if c.status not in ("missing", "fail")]
    )


def test_a_folder_of_exercise_notebooks_is_one_student():
    assert [u.path for u in find_submissions([ROOT / "solutions"])] == [(ROOT / "solutions").resolve()]


def test_a_lone_exercise_notebook_is_graded_on_its_own_exercise():
    result = grade_path(ROOT / "solutions" / "ex06.ipynb")
    assert [e.id for e in result.exercises] == ["ex06"]
    assert result.score == result.max_score


def test_cli_writes_the_contract_json_and_exits_zero_whatever_the_scores(tmp_path):
    out = tmp_path / "r.json"
    code = cli.main(["check", str(ROOT / "notebooks" / "ex06.ipynb"), "--json", str(out), "-q", "--workers", "1"])
    assert code == 0
    sub = json.loads(out.read_text())["submissions"][0]
    assert set(sub) >= {"path", "student", "score", "max_score", "status", "exercises"}
    check = sub["exercises"][0]["checks"][0]
    assert set(check) >= {"name", "status", "points", "max_points", "message"}
    assert check["status"] in {"pass", "fail", "error", "missing", "manual", "timeout"}


def test_cli_bad_usage_exits_two(tmp_path):
    assert cli.main(["check", str(tmp_path / "nope")]) == 2
    assert cli.main(["check", str(tmp_path), "-q"]) == 2  # an empty folder: nothing to grade
    assert cli.main(["no-such-verb"]) == 2
    assert cli.main(["check", str(ROOT / "solutions"), "-q", "--budget", "0"]) == 2  # no time to grade in


def test_a_class_folder_holds_one_submission_per_student_folder(tmp_path):
    import shutil

    for student, source in (("ada", "solutions"), ("bob", "notebooks")):
        (tmp_path / "class" / student).mkdir(parents=True)
        for nb in ("ex06.ipynb", "ex11.ipynb"):
            shutil.copy(ROOT / source / nb, tmp_path / "class" / student / nb)
    found = find_submissions([tmp_path / "class"])
    assert [u.identity.student for u in found] == ["ada", "bob"]
    ada, bob = (grade_path(p, only=["ex06", "ex11"]) for p in found)
    assert ada.student == "ada" and ada.score == ada.max_score
    assert bob.student == "bob" and bob.score == 0


def test_each_exercise_is_graded_on_its_own_notebooks_copy_of_a_shared_answer(tmp_path):
    """ex10.ipynb holds its own copy of the ex08 job: a broken copy there costs ex10 only,
    and ex08 is graded on ex08.ipynb's job."""
    import nbformat

    folder = tmp_path / "ada"
    folder.mkdir()
    for nb in ("ex08.ipynb", "ex10.ipynb"):
        (folder / nb).write_text((ROOT / "solutions" / nb).read_text())
    ex10 = nbformat.read(folder / "ex10.ipynb", as_version=4)
    for cell in ex10.cells:
        if cell.cell_type == "code" and cell.source.startswith("%%sql --save ex08"):
            cell.source = "%%sql --save ex08\nSELECT 'a broken copy' AS oops"
    nbformat.write(ex10, folder / "ex10.ipynb")
    result = grade_path(folder, only=["ex08", "ex10"])
    by_id = {e.id: e for e in result.exercises}
    assert by_id["ex08"].score == by_id["ex08"].max_score
    assert by_id["ex10"].score < by_id["ex10"].max_score
