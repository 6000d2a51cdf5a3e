"""Learning platforms' bulk downloads, as a specification (declared in tests/lms_downloads.py):
each platform's file names read as that platform writes them and as no other's; one class, laid
out as each platform's download (zipped or not, with macOS debris), becomes its three students,
each named as the platform names them, graded on the newest of each notebook with the others
listed as ignored; a class laid out by hand whose names merely hold underscores or dates stays a
class laid out by hand."""

from __future__ import annotations

import json

import pytest

from grader import cli
from grader.delivery import intake, lms_names
from intake_layouts import LAYOUTS, SOL, build, source
from lms_downloads import (CLASS, DOWNLOADS, EXAMPLES, GRADED, NEWER, NOT_A_PLATFORM, layout, newest_path,
                           older_paths)

NAMES = [(platform, path) for platform, names in EXAMPLES.items() for path in names]


@pytest.mark.parametrize("platform,path", NAMES)
def test_each_platforms_names_read_as_that_platform_writes_them(platform, path):
    found, name = lms_names.parse(path)
    assert found.name == platform
    assert (name.student, name.login or name.canvas_user_id, name.original) == EXAMPLES[platform][path]


@pytest.mark.parametrize("platform,path", NAMES)
def test_no_platforms_names_read_as_another_platforms(platform, path):
    readers = [p.name for p in lms_names.PLATFORMS if p.parse(path)]
    assert readers == [platform]


@pytest.mark.parametrize("case", sorted(NEWER))
def test_a_students_later_hand_in_is_the_newer(case):
    older, newer = (lms_names.parse(p)[1] for p in NEWER[case])
    assert older.key == newer.key and older.newness < newer.newness


@pytest.mark.parametrize("path", NOT_A_PLATFORM)
def test_names_that_merely_hold_underscores_or_dates_are_no_platforms(path):
    assert lms_names.parse(path) is None


def gather(tmp_path, files):
    given = build(tmp_path / "given", files)
    work = tmp_path / "work"
    work.mkdir()
    return intake.gather([given], work)


CASES = [(name, zipped) for name in sorted(DOWNLOADS) for zipped in (True, False)]


@pytest.mark.parametrize("name,zipped", CASES, ids=[f"{n}-{'zip' if z else 'folder'}" for n, z in CASES])
def test_a_class_downloaded_from_each_platform_is_its_students_graded_on_their_newest_notebooks(tmp_path, name, zipped):
    d = DOWNLOADS[name]
    st = gather(tmp_path, layout(d, zipped))
    units = {u.identity.student: u for u in st.units}
    named = {d.student(person)[0]: person for person in CLASS}
    assert sorted(units) == sorted(named)  # one unit per student: not per file, attempt or plugin folder
    for student, person in named.items():
        u = units[student]
        assert (u.identity.login or u.identity.canvas_user_id) == d.student(person)[1]
        assert {ex: p.read_bytes() for ex, p in u.files.items()} == {ex: source(*v) for ex, v in GRADED[person].items()}
        assert u.identity.sources == [newest_path(d, person, f"{ex}.ipynb") for ex in sorted(GRADED[person])]
        # an assignment is the class's exercises; a PrairieLearn question is one exercise, for who handed it in
        assert u.exercises == (sorted(GRADED[person]) if d.own_scope else ["ex06", "ex09"])
    copies = [n.message for n in st.notes if n.kind == "copy"]
    for older in older_paths(DOWNLOADS[name], "bob"):
        assert any(older in m and "ignored: an older upload" in m for m in copies), copies
    bob = units[d.student("bob")[0]]
    assert any(f"2 {d.platform} {d.attempt}s of" in n for n in bob.notes) == d.attempts
    assert any("ex06-Copy1.ipynb ignored: a JupyterLab copy" in m for m in copies) == d.copies
    debris = [n.message for n in st.notes if n.kind == "debris"]
    assert any("__MACOSX" in m for m in debris) == zipped and any(".DS_Store" in m for m in debris)
    assert any("._" in m and "AppleDouble" in m for m in debris) or zipped
    assert not [n for n in st.notes if n.kind in ("refused", "split")]


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_the_layouts_before_platforms_were_added_are_read_as_before(tmp_path, name):
    """Canvas's download is still Canvas; the others (Gradescope, hand-laid) are no platform of the table."""
    st = gather(tmp_path, LAYOUTS[name][0])
    assert [p for p, _ in st.deliveries if p != "Gradescope"] == (["Canvas"] if name.startswith("canvas_download") else [])
    assert sorted(u.identity.student for u in st.units) == sorted(LAYOUTS[name][1])


def test_a_class_laid_out_by_hand_with_underscores_and_dates_in_its_names_is_no_platforms(tmp_path):
    st = gather(tmp_path, {
        "class/ada_lovelace.ipynb": (SOL, "ex06"),  # whole-workbook notebooks, one per student
        "class/bob_smith_2.ipynb": (SOL, "ex06"),
        "class/cy/ex06_2026-12-01.ipynb": (SOL, "ex06"),  # a student's folder of dated exercise notebooks
        "class/cy/ex09_final_v2.ipynb": (SOL, "ex09"),
        "class/team_1_final/ex06.ipynb": (SOL, "ex06"),  # a folder name PrairieLearn's could begin with
        "class/Dee Diaz - Dec 1, 2026 926 PM/ex06.ipynb": (SOL, "ex06"),  # a date, no Brightspace ids
    })
    students = {u.identity.student: u for u in st.units}
    assert sorted(students) == ["Dee Diaz - Dec 1, 2026 926 PM", "ada_lovelace", "bob_smith_2", "cy", "team_1_final"]
    assert sorted(students["cy"].files) == ["ex06", "ex09"]
    assert not st.deliveries and not [n for n in st.notes if n.kind in ("grouped", "scope", "refused")]


def test_a_notebook_in_a_platforms_student_folder_not_named_by_the_platform_is_listed_not_graded(tmp_path):
    st = gather(tmp_path, {
        "Homework12/ada@uni.edu_1_week12/ex06_1_1_51001_ex06.ipynb": (SOL, "ex06"),
        "Homework12/ada@uni.edu_1_week12/scratch.ipynb": (SOL, "ex09"),  # put there by hand after the download
    })
    (ada,) = st.units
    assert ada.identity.student == "ada@uni.edu" and list(ada.files) == ["ex06"]
    refused = [n.message for n in st.notes if n.kind == "refused"]
    assert any("scratch.ipynb: in a PrairieLearn student's folder" in m and "not graded" in m for m in refused)


def test_a_notebook_named_alone_is_named_as_its_platform_names_the_student(tmp_path):
    path = tmp_path / "Ada Lovelace_1234567_assignsubmission_file_ex06.ipynb"
    path.write_bytes(source(SOL, "ex06"))
    unit = intake.unit_of(path)
    assert (unit.identity.student, unit.identity.login, unit.exercises) == ("Ada Lovelace", "1234567", ["ex06"])


def test_a_prairielearn_download_graded_end_to_end_names_students_by_uid_and_lists_what_it_grouped(tmp_path):
    """`grader check final_files.zip --report class.html`, as an instructor runs it (ex06 only, to stay quick)."""
    given = build(tmp_path / "given", layout(DOWNLOADS["prairielearn_all_files"], zipped=True))
    out, report = tmp_path / "r.json", tmp_path / "class.html"
    assert cli.main(["check", str(given), "--exercises", "ex06", "--public-only", "-q", "--workers", "2",
                     "--json", str(out), "--report", str(report)]) == 0
    data = json.loads(out.read_text())
    subs = {s["student"]: s for s in data["submissions"]}
    assert sorted(subs) == ["ada@uni.edu", "bob_smith@uni.edu", "cy@uni.edu"]
    assert all(s["score"] == s["max_score"] > 0 and s["login"] == s["student"] for s in subs.values())
    assert subs["bob_smith@uni.edu"]["sources"] == ["bob_smith@uni.edu_1_week12/ex06_1_2_51201_ex06.ipynb"]
    kinds = {n["kind"] for n in data["notes"]}
    assert {"grouped", "copy", "scope", "debris"} <= kinds
    assert "bob_smith@uni.edu" in report.read_text()
