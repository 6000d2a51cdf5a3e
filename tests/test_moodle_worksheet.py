"""Moodle's offline grading worksheet (grader/grading/platforms/moodle.py): the worksheet as
downloaded, with Grade (and an empty Feedback comments cell) filled for each graded student,
everything else as it was, so that "Upload grading worksheet" sets exactly those grades."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from grader import cli
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult
from grader.grading.platforms import moodle

ROOT = Path(__file__).parents[1]
# The columns of mod/assign/gradingtable.php in download mode, an assignment with online text and
# file submissions, feedback comments and the offline worksheet on, graded out of 100 points.
HEADER = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum grade", "Grade can be changed",
          "Last modified (submission)", "File submissions", "Last modified (grade)", "Feedback comments"]
ROWS = [
    ["Participant 1234561", "Ada Lovelace", "ada@uni.edu", "Submitted for grading", "", "100.00", "Yes",
     "Monday, 1 December 2026, 9:30 AM", "ex06.ipynb", "-", ""],
    ["Participant 1234562", "Bob Byron", "bob@uni.edu", "Submitted for grading", "", "100.00", "Yes",
     "Monday, 1 December 2026, 10:00 AM", "ex06.ipynb", "-", "Seen in the lab: well argued."],
    ["Participant 1234563", "=HYPERLINK(\"x\")", "cy@uni.edu", "No submission", "", "100.00", "Yes", "-", "", "-", ""],
]


def worksheet(header=HEADER, rows=ROWS) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


def result(student: str, login: str | None, score: float, max_score: float = 12, status: str = "graded",
           pending: float = 0.0) -> SubmissionResult:
    checks = [CheckResult("matches_reference_on_sample", "pass" if score else "fail", score, max_score, "")]
    if pending:
        checks.append(CheckResult("why", "manual", 0.0, pending, "to be scored"))
    return SubmissionResult(f"dl/{student}", student, status, [ExerciseResult("ex06", "Features", checks)],
                            login=login, reason=None if status == "graded" else "not JSON")


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_grades_fill_the_rows_of_the_students_a_download_names_and_nothing_else():
    text, notes = moodle.render([result("Ada Lovelace", "1234561", 12), result("Bob Byron", "1234562", 3)], worksheet())
    got = rows_of(text)
    assert list(got[0]) == HEADER
    assert [r["Grade"] for r in got] == ["100.00", "25.00", ""]  # the one without a submission stays ungraded
    assert got[0]["Feedback comments"].startswith("Week 12 workbook") and "ex06 12/12" in got[0]["Feedback comments"]
    assert got[1]["Feedback comments"] == "Seen in the lab: well argued."  # a comment typed in Moodle is kept
    for before, after in zip(ROWS, got):
        for h, cell in zip(HEADER, before):
            if h not in ("Grade", "Feedback comments", "Full name"):
                assert after[h] == cell, h  # the identifier and Moodle's dates exactly as downloaded
    assert notes == []


def test_a_student_who_answered_nothing_gets_zero_and_an_ungraded_one_no_grade():
    text, notes = moodle.render([result("Ada Lovelace", "1234561", 0), result("Bob Byron", "1234562", 0,
                                                                            status="invalid")], worksheet())
    assert [r["Grade"] for r in rows_of(text)] == ["0.00", "", ""]
    assert any("could not be graded" in n for n in notes)


def test_written_answers_not_yet_scored_count_as_zero_never_inflating_the_grade():
    text, notes = moodle.render([result("Ada Lovelace", "1234561", 12, max_score=12, pending=4)], worksheet())
    assert rows_of(text)[0]["Grade"] == "75.00"  # 12 of 16, not 12 of 12
    assert any("written answers still to be scored" in n for n in notes)


def test_a_folder_per_student_matches_by_full_name_or_email_and_the_rest_is_listed():
    results = [result("ada_lovelace", None, 6), result("bob", None, 12), result("someone else", None, 12)]
    text, notes = moodle.render(results, worksheet(), base="dl")
    assert [r["Grade"] for r in rows_of(text)] == ["50.00", "100.00", ""]
    assert len(notes) == 1 and "no worksheet row for submission" in notes[0] and "someone else" in notes[0]


def test_student_text_is_neutralised_where_moodle_never_reads_it():
    row = rows_of(moodle.render([], worksheet())[0])[2]
    assert row["Full name"].startswith("'=") and row["Identifier"] == "Participant 1234563"


def test_a_locked_grade_is_reported_and_a_second_match_is_listed():
    locked = [list(ROWS[0])]
    locked[0][6] = "No"
    text, notes = moodle.render([result("Ada Lovelace", "1234561", 12), result("ada", None, 6)], worksheet(rows=locked))
    assert rows_of(text)[0]["Grade"] == "100.00"
    assert any("cannot be changed" in n for n in notes) and any("matches" in n and "holds the first" in n for n in notes)


@pytest.mark.parametrize("header, says", [
    (["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Week 12"], "not a Moodle grading worksheet"),
    ([h if h != "Maximum grade" else "Scale" for h in HEADER], "graded on a scale"),
])
def test_what_is_not_a_points_worksheet_is_refused_before_grading(tmp_path, capsys, header, says):
    ws = tmp_path / "worksheet.csv"
    ws.write_text(worksheet(header, []), encoding="utf-8")
    notebook = tmp_path / "class" / "ada.ipynb"
    notebook.parent.mkdir()
    shutil.copy(ROOT / "notebooks" / "ex06.ipynb", notebook)
    code = cli.main(["check", str(notebook.parent), "--gradebook-format", "moodle", "--roster", str(ws),
                     "--gradebook", str(tmp_path / "out.csv"), "-q"])
    assert code == 2 and says in capsys.readouterr().err.replace("\n", " ") and not (tmp_path / "out.csv").exists()


def test_a_moodle_download_graded_end_to_end_fills_its_worksheet(tmp_path):
    download = tmp_path / "download"
    for name, pid, source in (("Ada Lovelace", 1234561, "solutions"), ("Bob Byron", 1234562, "notebooks")):
        folder = download / f"{name}_{pid}_assignsubmission_file"
        folder.mkdir(parents=True)
        shutil.copy(ROOT / source / "ex06.ipynb", folder / "ex06.ipynb")
    ws = tmp_path / "worksheet.csv"
    ws.write_text("\ufeff" + worksheet(), encoding="utf-8")  # as a spreadsheet may save it
    out = tmp_path / "upload.csv"
    assert cli.main(["check", str(download), "--gradebook-format", "moodle", "--roster", str(ws),
                     "--gradebook", str(out), "-q"]) == 0
    assert not out.read_text(encoding="utf-8").startswith("\ufeff")  # Moodle finds `Identifier` by name
    assert [r["Grade"] for r in rows_of(out.read_text(encoding="utf-8"))] == ["100.00", "0.00", ""]


def moodle_upload(text: str, maximum: float = 100.0) -> dict[str, float]:
    """What Moodle's "Upload grading worksheet" sets, by participant id, following
    assignfeedback_offline_grade_importer (columns found by their English names, the id taken
    after get_string('hiddenuser') = 'Participant ') and process_import_grades' rules (an empty,
    negative or out-of-range grade is skipped; nothing was graded in Moodle before)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    columns = next(reader)
    grade, ident, modified = columns.index("Grade"), columns.index("Identifier"), columns.index("Last modified (grade)")
    assert modified >= 0
    out = {}
    for record in reader:
        value = record[grade]
        if value == "" or not 0 <= float(value) <= maximum:
            continue
        out[record[ident][len("Participant "):]] = float(value)
    return out


def test_moodles_upload_reads_the_grades_meant_for_each_participant():
    text, _ = moodle.render([result("Ada Lovelace", "1234561", 9), result("Bob Byron", "1234562", 12)], worksheet())
    assert moodle_upload(text) == {"1234561": 75.0, "1234562": 100.0}
    assert moodle_upload(worksheet()) == {}  # the worksheet as downloaded sets nothing
