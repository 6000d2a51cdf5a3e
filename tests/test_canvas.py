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
    # the parts add up to the exercises' declared points, but for ex06, whose Points Possible
    # the roster holds as 11: Canvas copies this row into the assignment, so it is kept
    assert points[header.index("Week 12 ex06 (5501)")] == "11"
    assert sum(float(p) for p in points[5:]) == sum(ex.max_points() for ex in exercises.all_exercises()) - 12 + 11


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


# ---------- Points Possible, one total column, assignment ids, Canvas user ids ----------

# ex07's column holds the grader's own maximum for it (nothing to report); ex06's differs
EX07_MAX = f"{exercises.get('ex07').max_points():g}"
ROSTER_10 = f"""Student,ID,SIS User ID,SIS Login ID,Section,Exercise 6 renamed in Canvas (5501),Week 12 ex07 (5502)
Points Possible,,,,,10,{EX07_MAX}
"Lovelace, Ada",101,S101,ada,Sec A,,
"Hopper, Grace",102,S102,grace,Sec A,,
"""


@pytest.fixture(scope="module")
def ada_result(tmp_path_factory):
    from grader.grading.grade import grade_path

    return grade_path(failing_notebook(tmp_path_factory.mktemp("c") / "ada.ipynb"), only=["ex06", "ex07"])


def rendered(results, roster=ROSTER_10, **options):
    text, notes = canvas.render(results, canvas.read_roster(roster), **options)
    rows = list(csv.reader(io.StringIO(text)))
    return dict(zip(rows[0], rows[1])), by_student(rows), rows[0], notes


def test_a_differing_points_possible_is_kept_and_reported(ada_result):
    points, _, _, notes = rendered([ada_result], assignments={"ex06": "5501"})
    assert points["Exercise 6 renamed in Canvas (5501)"] == "10"  # the roster's, not silently 12
    assert points["Week 12 ex07 (5502)"] == EX07_MAX  # the same value: nothing to say
    (note,) = notes
    assert "roster says 10" in note and "maximum for ex06 is 12" in note


def test_set_points_writes_the_graders_maximum_and_says_so(ada_result):
    points, _, _, notes = rendered([ada_result], assignments={"ex06": "5501"}, set_points=True)
    assert points["Exercise 6 renamed in Canvas (5501)"] == "12" and "changed from 10 to 12" in notes[0]


def test_a_part_maps_to_an_assignment_id_whatever_its_canvas_name(ada_result):
    _, students, header, _ = rendered([ada_result], assignments={"ex06": "5501"})
    assert header[5:] == ["Exercise 6 renamed in Canvas (5501)", "Week 12 ex07 (5502)"]  # scope: ex06, ex07
    ex06 = next(e for e in ada_result.exercises if e.id == "ex06")
    assert students["Lovelace, Ada"]["Exercise 6 renamed in Canvas (5501)"] == f"{ex06.score:g}"
    _, _, plain, _ = rendered([ada_result])  # without the id, a new "Week 12 ex06" column would be created
    assert "Week 12 ex06" in plain


def test_an_assignment_id_the_roster_lacks_is_refused_before_grading(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_10, encoding="utf-8")
    sub = failing_notebook(tmp_path / "subs" / "ada.ipynb")
    for bad in (["ex06=9999"], ["ex06=abc"], ["ex99=5501"]):
        args = ["check", str(sub), "-q", "--gradebook", str(tmp_path / "c.csv"), "--gradebook-format", "canvas",
                "--roster", str(roster)] + [a for pair in bad for a in ("--canvas-assignment", pair)]
        assert cli.main(args) == 2, bad
    assert not (tmp_path / "c.csv").exists()


def test_one_total_column_holds_the_total_over_the_graded_exercises(ada_result):
    points, students, header, _ = rendered([ada_result], total=True)
    assert header[5:] == ["Week 12"] and points["Week 12"] == f"{exercises.get('ex06').max_points() + exercises.get('ex07').max_points():g}"
    assert students["Lovelace, Ada"]["Week 12"] == f"{ada_result.score:g}"
    assert students["Hopper, Grace"]["Week 12"] == ""  # no submission: ungraded, not 0


def test_a_canvas_user_id_matches_its_roster_row_whatever_the_file_is_called(ada_result):
    from dataclasses import replace

    by_id = replace(ada_result, student="hopperg_102_9014_ex06")
    by_id.canvas_user_id = "102"
    _, students, _, notes = rendered([by_id])
    assert students["Hopper, Grace"]["Week 12 ex07 (5502)"] != "" and students["Lovelace, Ada"]["Week 12 ex07 (5502)"] == ""
    assert not any("no roster student" in n for n in notes)
    stranger = replace(ada_result, student="hopperg_102_9014_ex06")  # no id carried: the names rule, which fails here
    _, students, _, notes = rendered([stranger])
    assert students["Hopper, Grace"]["Week 12 ex07 (5502)"] == "" and any("no roster student" in n for n in notes)
    unknown = replace(ada_result)
    unknown.canvas_user_id = "555"  # an id the roster lacks: the names rule still finds ada
    _, students, _, _ = rendered([unknown])
    assert students["Lovelace, Ada"]["Week 12 ex07 (5502)"] != ""
