"""Canvas: the import CSV (Student, ID, SIS User ID, SIS Login ID, Section, parts, a Points
Possible row), mapped through a roster export; and gradebook paths relative to the graded folder."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from grader import cli
from grader.course import exercises
from grader.grading.platforms import canvas
from test_feedback_page import failing_notebook

ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,Week 12 ex06 (5501),Current Score
    Points Possible,,,,,11,(read only)
"Lovelace, Ada",101,S101,ada,Sec A,3,
"Hopper, Grace",102,S102,grace@uni.edu,Sec A,,
"Student, Test",999,,test,Sec A,,
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A class folder: ada (roster login), grace's file missing, and a stranger no roster knows
    whose file name is a spreadsheet formula."""
    folder = tmp_path_factory.mktemp("class") / "subs"
    failing_notebook(folder / "ada.ipynb")
    failing_notebook(folder / "=cmd|' calc'!A0.ipynb")
    roster = folder.parent / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = folder.parent / "canvas.csv"
    assert cli.main(["check", str(folder), "-q", "--workers", "1", "--gradebook", str(out),
                     "--gradebook-format", "canvas", "--roster", str(roster)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    return folder, rows


def by_student(rows) -> dict[str, dict]:
    header = rows[0]
    return {r[0]: dict(zip(header, r)) for r in rows[2:]}


def test_layout_is_canvas_import_format(graded):
    _, rows = graded
    header, points = rows[0], rows[1]
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert points[0] == "Points Possible" and points[1:5] == ["", "", "", ""]
    assert all(len(r) == len(header) for r in rows)  # quoting kept "Lovelace, Ada" in one cell
    # the parts add up to the exercises' declared points
    assert sum(float(p) for p in points[5:]) == sum(ex.max_points() for ex in exercises.all_exercises())


def test_column_names_are_stable_and_reuse_canvas_ids(graded):
    _, rows = graded
    header = rows[0]
    assert "Week 12 ex06 (5501)" in header  # the roster's assignment: the import updates it
    assert "Week 12 ex07" in header and "Week 12 ex10 written" in header
    assert not any(ex.title in h for ex in exercises.all_exercises() for h in header)  # titles may change; ids do not


def test_roster_student_without_submission_gets_empty_cells_not_zero(graded):
    _, rows = graded
    grace = by_student(rows)["Hopper, Grace"]
    assert grace["ID"] == "102" and all(grace[h] == "" for h in rows[0][5:])


def test_matched_student_gets_scores_and_written_parts_stay_empty_until_scored(graded):
    _, rows = graded
    ada = by_student(rows)["Lovelace, Ada"]
    assert ada["SIS Login ID"] == "ada" and ada["Week 12 ex06 (5501)"] not in ("", "0")
    assert ada["Week 12 ex10 written"] == ""  # written bullets not scored yet: empty, never 0
    assert ada["Week 12 ex02 written"] == "0"  # nothing written: 0, like any missing answer


def test_unmatched_submission_is_listed_not_dropped_and_cannot_run_as_a_formula(graded):
    _, rows = graded
    students = [r[0] for r in rows[2:]]
    assert "Student, Test" not in students  # Canvas's test student is not a student
    stranger = next(s for s in students if "cmd" in s)
    assert stranger.startswith("'=")  # shown as text by a spreadsheet, never evaluated
    assert by_student(rows)[stranger]["ID"] == ""


def test_match_by_login_sis_id_or_name_and_never_guess_between_namesakes():
    roster = [
        {"Student": "Lovelace, Ada", "ID": "1", "SIS User ID": "S1", "SIS Login ID": "ada@uni.edu", "Section": ""},
        {"Student": "Hopper, Grace", "ID": "2", "SIS User ID": "S2", "SIS Login ID": "gh", "Section": ""},
        {"Student": "Smith, Jo", "ID": "3", "SIS User ID": "S3", "SIS Login ID": "jo1", "Section": ""},
        {"Student": "Smith, Jo", "ID": "4", "SIS User ID": "S4", "SIS Login ID": "jo2", "Section": ""},
    ]
    from grader.engine.results import SubmissionResult

    names = ["ada", "S2", "Ada Lovelace", "jo_smith", "JO1", "nobody"]
    results = [SubmissionResult(f"{n}.ipynb", n, "graded", []) for n in names]
    matched, unmatched = canvas.match(results, roster)
    assert matched == {0: 0, 1: 1, 2: 0, 4: 2}
    assert unmatched == [3, 5]  # two Jo Smiths: reported, not guessed


def test_default_gradebook_paths_are_relative_to_the_graded_folder(graded, tmp_path):
    folder, _ = graded
    book = tmp_path / "gradebook.csv"
    assert cli.main(["check", str(folder), "-q", "--workers", "1", "--gradebook", str(book)]) == 0
    paths = [row["path"] for row in csv.DictReader(io.StringIO(book.read_text(encoding="utf-8")))]
    # (a path that reads as a formula keeps report.csv_cell's apostrophe)
    assert sorted(p.removeprefix("'") for p in paths) == sorted(["ada.ipynb", "=cmd|' calc'!A0.ipynb"])
    assert not any(Path(p).is_absolute() for p in paths)


def test_written_part_is_filled_once_every_written_answer_of_it_is_scored(tmp_path):
    from grader.grading import manual
    from grader.grading.grade import grade_path

    r = grade_path(failing_notebook(tmp_path / "ada.ipynb"), only=["ex01", "ex10"])
    manual.merge([r], {("ada", "ex10", "explains_the_rerun"): manual.Score(2, ""),
                       ("ada", "ex01", "backfill_definition"): manual.Score(1, "")})
    text, _ = canvas.render([r], prefix="W12")
    header, _, row = list(csv.reader(io.StringIO(text)))
    cells = dict(zip(header, row))
    assert cells["W12 ex10 written"] == "2"
    assert cells["W12 ex01 written"] == ""  # incremental_definition still to be scored: no partial sum
