"""The intake, on files as students' machines and browsers really name and pack them: each
student found once, under their own name, with the notebook they meant graded and what was set
aside told (tests/intake_layouts.py builds the layouts; no grading here, so it stays quick)."""

from __future__ import annotations

import pytest

from grader.delivery import intake
from intake_layouts import BLANK, SOL, FinderZip, Link, build, source

AD = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "  # an AppleDouble file's first bytes

# layout -> (files, {student: {exercise: notebook graded}}, what the notes must say)
CASES = {
    # Firefox saves a second download as `ex06-ada(1).ipynb` (no space); a checkpoint copied out
    # of .ipynb_checkpoints is `-checkpoint`: neither names a student `ada(1)` or `bob-checkpoint`
    "firefox_renames_and_a_checkpoint_in_per_exercise_hand_ins": ({
        "hand/ex06-ada.ipynb": (SOL, "ex06"),
        "hand/ex06-ada(1).ipynb": (BLANK, "ex06"),
        "hand/ex06-bob.ipynb": (BLANK, "ex06"),
        "hand/ex06-bob-checkpoint.ipynb": (SOL, "ex06"),
    }, {"ada": {"ex06": (SOL, "ex06")}, "bob": {"ex06": (BLANK, "ex06")}},
        ["ex06-ada(1).ipynb ignored: a browser's second download", "ex06-bob-checkpoint.ipynb ignored: a JupyterLab checkpoint"]),
    # Finder writes UTF-8 names without the zip's UTF-8 flag, accents decomposed: still José and Zoë
    "finder_zip_of_students_with_accented_names": ({"class.zip": FinderZip({
        "class/José/ex06.ipynb": (SOL, "ex06"),
        "class/Zoë/ex06.ipynb": (BLANK, "ex06"),
        "__MACOSX/class/José/._ex06.ipynb": AD,
    })}, {"José": {"ex06": (SOL, "ex06")}, "Zoë": {"ex06": (BLANK, "ex06")}}, ["__MACOSX/class/José/._ex06.ipynb"]),
    # a student's zip names them as they named it, spaces and punctuation kept
    "students_zips_named_with_spaces_and_punctuation": ({
        "class/Ada Lovelace.zip": {"ex06.ipynb": (SOL, "ex06")},
        "class/O'Neil, Mary.zip": {"O'Neil, Mary/ex06.ipynb": (BLANK, "ex06")},
        "class/bob/ex06.ipynb": (SOL, "ex06"),
    }, {"Ada Lovelace": {"ex06": (SOL, "ex06")}, "O'Neil, Mary": {"ex06": (BLANK, "ex06")},
        "bob": {"ex06": (SOL, "ex06")}}, []),
    # ada zipped the folder holding her zip: ada.zip is ada's, not a student called `work`
    "a_zip_in_a_students_zip_in_the_class_zip": ({"class.zip": {
        "class/ada.zip": {"ada/work.zip": {"ex06.ipynb": (SOL, "ex06")}},
        "class/bob.zip": {"ex06.ipynb": (BLANK, "ex06")},
    }}, {"ada": {"ex06": (SOL, "ex06")}, "bob": {"ex06": (BLANK, "ex06")}}, []),
    # a zip beside a student's notebooks is theirs too, never a student called `submission`
    "a_students_folder_holding_a_zip_and_notebooks": ({
        "class/ada/ex06.ipynb": (SOL, "ex06"),
        "class/ada/submission.zip": {"ex06.ipynb": (BLANK, "ex06"), "ex09.ipynb": (SOL, "ex09")},
        "class/bob/ex06.ipynb": (BLANK, "ex06"),
    }, {"ada": {"ex06": (SOL, "ex06"), "ex09": (SOL, "ex09")}, "bob": {"ex06": (BLANK, "ex06")}},
        ["ada/submission.zip!ex06.ipynb ignored: another notebook for the same exercise"]),
    # a link named as dan's notebook is dan's submission, unread: not one of the class folder's
    "a_link_named_as_a_students_notebook": ({
        "class/ada/ex06.ipynb": (SOL, "ex06"),
        "class/bob/ex06.ipynb": (BLANK, "ex06"),
        "class/dan.ipynb": Link("class/ada/ex06.ipynb"),
    }, {"ada": {"ex06": (SOL, "ex06")}, "bob": {"ex06": (BLANK, "ex06")}, "dan": {}}, ["class/dan.ipynb: a link"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_student_is_found_once_by_name_with_the_notebook_they_meant(tmp_path, name):
    files, expected, told = CASES[name]
    given = build(tmp_path / "given", files)
    (tmp_path / "work").mkdir()
    st = intake.gather([given], tmp_path / "work")
    got = {u.identity.student: {ex: p.read_bytes() for ex, p in u.files.items()} for u in st.units}
    assert sorted(u.identity.student for u in st.units) == sorted(expected)  # each once
    assert got == {s: {ex: source(*v) for ex, v in exs.items()} for s, exs in expected.items()}
    notes = [n.message for n in st.notes]
    for text in told:
        assert any(text in m for m in notes), (text, notes)
    for u in st.units:
        if not u.files:  # nothing readable: the student's result says why
            assert any("symbolic link" in n for n in u.notes)
