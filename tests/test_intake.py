"""The intake, as a specification: each way a class's work arrives (tests/intake_layouts.py)
becomes the same students, with the same notebooks graded and the same scores, as those
notebooks in clean folders; identities (Canvas user id, LATE, Gradescope login) carry through
to the results and the Canvas gradebook."""

from __future__ import annotations

import csv
import io
import json

import pytest

from grader import cli
from grader.delivery import intake
from grader.delivery.canvas_names import parse
from grader.delivery.copies import classify
from grader.engine.sandbox import Limits
from grader.grading.grade import grade_many
from grader.grading.platforms import canvas
from intake_layouts import BLANK, LAYOUTS, SOL, build, source

SCOPE = ["ex06", "ex09"]  # one SQL exercise, one structured: quick, and both kinds of answer
LIMITS = Limits(timeout_s=2.0)


def gather(tmp_path, name, only=SCOPE):
    files, _ = LAYOUTS[name]
    given = build(tmp_path / "given", files)
    work = tmp_path / "work"
    work.mkdir()
    return given, intake.gather([given], work, only=only)


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_each_layout_becomes_its_students_with_the_right_notebooks(tmp_path, name):
    _, st = gather(tmp_path, name)
    _, expected = LAYOUTS[name]

    def files(u):  # exercise -> the bytes graded for it; a lone notebook answers every exercise it lists
        return {ex: p.read_bytes() for ex, p in u.files.items()} if u.files else \
            {ex: u.path.read_bytes() for ex in expected.get(u.identity.student, (0, 0, {}))[2]}

    got = {u.identity.student: (u.identity.canvas_user_id, u.identity.late, files(u)) for u in st.units}
    want = {s: (cid, late, {ex: source(*src) for ex, src in files.items()}) for s, (cid, late, files) in expected.items()}
    assert sorted(got) == sorted(want)
    for student in want:
        assert got[student][:2] == want[student][:2], student
        assert got[student][2].keys() == want[student][2].keys(), student
        assert all(got[student][2][ex] == want[student][2][ex] for ex in want[student][2]), student


@pytest.fixture(scope="module")
def clean_scores(tmp_path_factory):
    """Per exercise, the score of the reference answer's and the blank notebook's in clean folders."""
    root = tmp_path_factory.mktemp("clean")
    for kind in (SOL, BLANK):
        for ex in SCOPE:
            (root / kind).mkdir(exist_ok=True)
            (root / kind / f"{ex}.ipynb").write_bytes(source(kind, ex))
    results = grade_many([root / SOL, root / BLANK], hidden=False, limits=LIMITS, workers=2, only=SCOPE)
    return {kind: {e.id: e.score for e in r.exercises} for kind, r in zip((SOL, BLANK), results)}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_each_layout_scores_as_the_same_notebooks_in_clean_folders(tmp_path, name, clean_scores):
    _, st = gather(tmp_path, name)
    results = grade_many(st.units, hidden=False, limits=LIMITS, workers=2)
    _, expected = LAYOUTS[name]
    got = {r.student: {e.id: e.score for e in r.exercises if e.id in expected[r.student][2]} for r in results}
    want = {s: {ex: clean_scores[src[0]][ex] for ex, src in files.items()} for s, (_, _, files) in expected.items()}
    assert got == want
    assert all(r.status == "graded" for r in results)


def test_scratch_copies_debris_and_groupings_are_listed_never_graded(tmp_path):
    _, st = gather(tmp_path, "jupyterlab_copies_and_checkpoints")
    kinds = {n.kind: [m.message for m in st.notes if m.kind == n.kind] for n in st.notes}
    assert any("ex06-Copy1.ipynb ignored" in m and "JupyterLab copy" in m for m in kinds["copy"])
    assert any("Untitled.ipynb ignored" in m for m in kinds["copy"])
    assert any(".ipynb_checkpoints" in m for m in kinds["debris"])
    bob = next(u for u in st.units if u.identity.student == "bob")
    assert any("ex09 (1).ipynb is graded" in n and "not handed in" in n for n in bob.notes)
    _, st = gather(tmp_path / "mac", "macos_finder_zip")
    assert any("__MACOSX/class/ada/._ex06.ipynb: macOS Finder" in n.message for n in st.notes if n.kind == "debris")
    assert any(".DS_Store" in n.message for n in st.notes if n.kind == "debris")


def test_a_canvas_download_keeps_user_id_late_and_sources_in_the_results(tmp_path):
    _, st = gather(tmp_path, "canvas_download")
    results = {r.student: r for r in grade_many(st.units, hidden=False, limits=LIMITS, workers=2)}
    bob, ada = results["smithbob"], results["lovelaceada"]
    assert (bob.canvas_user_id, bob.late) == ("102", True)
    assert bob.path.endswith("submissions.zip!smithbob_102")
    assert bob.sources == ["smithbob_LATE_102_9014_ex06-1.ipynb"]  # within the download, no machine path
    assert any("smithbob_LATE_102_9010_ex06.ipynb ignored: an older upload" in n for n in bob.notes)
    assert any("2 Canvas uploads of user 101" in n for n in ada.notes)
    d = ada.to_dict()
    assert d["canvas_user_id"] == "101" and "late" not in d and len(d["sources"]) == 2
    hopper = results["hoppergrace"]
    assert hopper.sources == ["hoppergrace_103_9020_work.zip!work/ex06.ipynb", "hoppergrace_103_9020_work.zip!work/ex09.ipynb"]


ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section
Points Possible,,,,
"Lovelace, Ada",101,s101,ada@example.edu,A
"Smith, Bob",102,s102,bob@example.edu,A
"Hopper, Grace",103,s103,grace@example.edu,A
"Curie, Marie",104,s104,marie@example.edu,A
"""


def test_canvas_roster_rows_are_filled_by_the_canvas_user_id_and_only_the_scope_has_columns(tmp_path):
    _, st = gather(tmp_path, "canvas_download")
    results = grade_many(st.units, hidden=False, limits=LIMITS, workers=2)
    text, notes = canvas.render(results, canvas.read_roster(ROSTER))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == canvas.FIXED + ["Week 12 ex06", "Week 12 ex09", "Week 12 ex09 written"]
    by_id = {row[1]: row for row in rows[2:]}
    assert set(by_id) == {"101", "102", "103", "104"} and len(rows) == 6  # no unmatched rows
    assert by_id["101"][5] != "" and by_id["102"][5] != "" and by_id["103"][5] != ""
    assert by_id["104"][5:] == ["", "", ""]  # no submission: empty, never 0
    assert not [n for n in notes if "no roster student" in n]


def test_per_exercise_hand_ins_match_the_roster_by_login_and_the_rest_are_listed(tmp_path):
    _, st = gather(tmp_path, "per_exercise_hand_ins")
    results = grade_many(st.units, hidden=False, limits=LIMITS, workers=2)
    roster = canvas.read_roster(ROSTER)
    matched, unmatched = canvas.match(results, roster.students)
    names = {results[j].student: roster.students[i]["ID"] for j, i in matched.items()}
    assert names == {"ada": "101", "bob": "102"} and unmatched == []
    ada = next(r for r in results if r.student == "ada")
    assert [e.id for e in ada.exercises] == ["ex06", "ex09"]
    stranger = [r for r in results if r.student == "bob"]
    stranger[0].student = "zed"
    _, notes = canvas.render(results, roster)
    assert any("no roster student" in n and "'zed'" in n for n in notes)


def test_exercises_option_scopes_totals_gradebook_and_json(tmp_path):
    """`ada.ipynb` holding one exercise, graded with --exercises ex06: 1 column, not 12."""
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ada.ipynb").write_bytes(source(SOL, "ex06"))
    out, book = tmp_path / "r.json", tmp_path / "book.csv"
    code = cli.main(["check", str(tmp_path / "class"), "--exercises", "ex06", "--public-only", "-q",
                     "--json", str(out), "--gradebook", str(book), "--workers", "1"])
    assert code == 0
    (sub,) = json.loads(out.read_text())["submissions"]
    assert [e["id"] for e in sub["exercises"]] == ["ex06"] and sub["score"] == sub["max_score"] > 0
    header = book.read_text().splitlines()[0].split(",")
    assert [h for h in header if h.startswith("ex")] == ["ex06"]
    assert cli.main(["check", str(tmp_path / "class"), "--exercises", "ex66", "-q"]) == 2


def test_a_zip_given_to_grader_check_is_graded_and_its_notes_are_in_the_json(tmp_path):
    given = build(tmp_path / "given", LAYOUTS["macos_finder_zip"][0])
    out, book = tmp_path / "r.json", tmp_path / "book.csv"
    assert cli.main(["check", str(given), "--exercises", "ex06", "--public-only", "-q", "--json", str(out),
                     "--gradebook", str(book), "--workers", "2"]) == 0
    data = json.loads(out.read_text())
    assert sorted(s["student"] for s in data["submissions"]) == ["ada", "bob"]
    assert {n["kind"] for n in data["notes"]} >= {"debris"}
    paths = sorted(row["path"] for row in csv.DictReader(io.StringIO(book.read_text())))
    assert paths == ["class.zip!class/ada", "class.zip!class/bob"]  # relative to what was named


NAMES = {  # file name -> (student, user id, late, the notebook's own name)
    "lovelaceada_101_9001_ex06.ipynb": ("lovelaceada", "101", False, "ex06.ipynb"),
    "smithbob_LATE_102_9014_ex11.ipynb": ("smithbob", "102", True, "ex11.ipynb"),
    "smithbob_102_9015_ex06-2.ipynb": ("smithbob", "102", False, "ex06.ipynb"),
    "smithbob_102_9016_my_work.v2-1.zip": ("smithbob", "102", False, "my_work.v2-1.zip"),
    "doe_jane_12_3_x.ipynb": None,
    "ex06-ada.ipynb": None,
}


@pytest.mark.parametrize("filename", sorted(NAMES))
def test_canvas_download_names_are_read_as_canvas_writes_them(filename):
    cn = parse(filename)
    assert (cn and (cn.student, cn.user_id, cn.late, cn.original)) == NAMES[filename] or (cn is None is NAMES[filename])


COPIES = {  # stem -> (the notebook it copies, kind)
    "ex06": ("ex06", None), "ex06-Copy1": ("ex06", "copy"), "ex06-Copy2-Copy1": ("ex06", "copy"),
    "ex06 (1)": ("ex06", "copy"), "ada (2)": ("ada", "copy"), "Untitled": (None, "untitled"),
    "Untitled3": (None, "untitled"), "Untitled1-Copy1": (None, "untitled"), "ex06-ada": ("ex06-ada", None),
    "Copy of ex06": ("ex06", "copy"), "Copy of Copy of ex06": ("ex06", "copy"), "ex06 copy": ("ex06", "copy"),
    "ex06 copy 2": ("ex06", "copy"), "ex06 - Copy": ("ex06", "copy"), "ex06 - Copy (2)": ("ex06", "copy"),
    "copy_of_notes": ("copy_of_notes", None), "ex06-copyedit": ("ex06-copyedit", None),
}


@pytest.mark.parametrize("stem", sorted(COPIES))
def test_scratch_copy_names(stem):
    name = classify(stem)
    assert (name.base, name.kind) == COPIES[stem]


def test_the_feedback_page_says_which_copy_was_ignored_and_which_copy_was_graded(tmp_path):
    from grader.grading.feedback import page

    _, st = gather(tmp_path, "jupyterlab_copies_and_checkpoints")
    results = {r.student: r for r in grade_many(st.units, hidden=False, limits=LIMITS, workers=2)}
    assert "ex06-Copy1.ipynb ignored: a JupyterLab copy of ex06.ipynb; ex06.ipynb is graded" in page(results["ada"])
    assert "ex09 (1).ipynb is graded" in page(results["bob"]) and "Untitled.ipynb ignored" in page(results["bob"])


def test_identities_the_roster_does_not_know_are_in_the_json_notes(tmp_path):
    given = build(tmp_path / "given", {**LAYOUTS["per_exercise_hand_ins"][0], "class/ex06-zed.ipynb": (BLANK, "ex06")})
    (tmp_path / "roster.csv").write_text(ROSTER)
    out = tmp_path / "r.json"
    assert cli.main(["check", str(given / "class"), "--public-only", "-q", "--json", str(out), "--workers", "2",
                     "--gradebook", str(tmp_path / "canvas.csv"), "--gradebook-format", "canvas",
                     "--roster", str(tmp_path / "roster.csv")]) == 0
    notes = json.loads(out.read_text())["notes"]
    unmatched = [n["message"] for n in notes if n["kind"] == "unmatched"]
    assert len(unmatched) == 1 and "'zed'" in unmatched[0]
    assert any(n["kind"] == "split" for n in notes)
    rows = {r["Student"]: r for r in csv.DictReader(io.StringIO((tmp_path / "canvas.csv").read_text()))}
    assert rows["Lovelace, Ada"]["Week 12 ex06"] != "" and rows["Smith, Bob"]["Week 12 ex06"] != ""


def test_the_intake_is_a_declared_list_of_steps_a_test_can_swap(tmp_path):
    """Without infer_scope, a Canvas download's students are graded on every exercise."""
    given = build(tmp_path / "given", LAYOUTS["canvas_download"][0])
    (tmp_path / "work").mkdir()
    with_inference = intake.gather([given], tmp_path / "work")
    without = intake.gather([given], steps=[s for s in intake.STEPS if s is not intake.infer_scope])
    assert {tuple(u.exercises) for u in with_inference.units} == {("ex06", "ex09")}
    assert {u.exercises for u in without.units} == {None}


def test_a_gradescope_export_whose_metadata_cannot_be_read_is_named_by_its_folders(tmp_path):
    files = dict(LAYOUTS["gradescope_export"][0]["export.zip"])
    files["assignment_77_export/submission_metadata.yml"] = "submission_1001: [unclosed\n"
    given = build(tmp_path / "given", {"export.zip": files})
    st = intake.gather([given])
    assert sorted(u.identity.student for u in st.units) == ["submission_1001", "submission_1002"]
    assert any("submission_metadata.yml cannot be read" in n.message for n in st.notes if n.kind == "refused")


def test_a_gradescope_group_submission_is_graded_once_and_names_every_member(tmp_path):
    files = dict(LAYOUTS["gradescope_export"][0]["export.zip"])
    files["assignment_77_export/submission_metadata.yml"] = (
        "submission_1001:\n  :submitters:\n  - :name: Ada Lovelace\n    :email: ada@example.edu\n"
        "  - :name: Grace Hopper\n    :email: grace@example.edu\n")
    given = build(tmp_path / "given", {"export.zip": files})
    st = intake.gather([given])
    ada = next(u for u in st.units if u.identity.student == "Ada Lovelace")
    assert ada.identity.login == "ada@example.edu"
    assert any("Grace Hopper" in n and "graded once" in n for n in ada.notes)


LONE = {  # a notebook named on the command line -> (student, exercises it is graded on; None: all)
    "ex06.ipynb": ("ex06", ["ex06"]), "ex06-ada.ipynb": ("ex06-ada", ["ex06"]), "ex06-Copy1.ipynb": ("ex06-Copy1", ["ex06"]),
    "ada.ipynb": ("ada", None), "ex13.ipynb": ("ex13", None),
    "lovelaceada_LATE_101_9001_ex06-1.ipynb": ("lovelaceada", ["ex06"]),
}


@pytest.mark.parametrize("filename", sorted(LONE))
def test_a_notebook_named_on_the_command_line_is_graded_as_given(tmp_path, filename):
    (tmp_path / filename).write_bytes(source(SOL, "ex06"))
    unit = intake.unit_of(tmp_path / filename)
    assert (unit.identity.student, unit.exercises) == LONE[filename]
    assert unit.path == tmp_path / filename and not unit.files


def test_the_terminal_shows_a_long_note_whole_or_with_an_ellipsis():
    from grader.delivery.units import Note
    from grader.grading.report import notes_summary

    long = "bb/" + "Week 12 Notebooks_jdoe3_attempt_2026-12-01-09-30-00_ex06.ipynb ignored: an older upload; " * 3
    short = "ada/ex06-Copy1.ipynb ignored: a JupyterLab copy"
    [line] = notes_summary([Note("copy", long), Note("copy", short)])
    first = line.split(": ", 1)[1].split("; ada/")[0]
    assert first.endswith("…") and len(first) <= 200 and long.startswith(first[:-1])
    assert line.endswith(short)


def test_submissions_that_share_a_name_are_graded_apart_and_listed(tmp_path):
    # hand-ins wrapped two folders deep come out named by the wrapper: never merged, always said
    given = build(tmp_path / "given", {
        "class/ada/Downloads/week12/ex06.ipynb": (SOL, "ex06"),
        "class/bob/Downloads/week12/ex06.ipynb": (BLANK, "ex06"),
        "class/carol/ex06.ipynb": (SOL, "ex06"),
    })
    st = intake.gather([given], tmp_path / "work", only=SCOPE)
    assert sorted(u.identity.student for u in st.units) == ["carol", "week12", "week12"]
    same = [n.message for n in st.notes if n.kind == "same_name"]
    assert len(same) == 1 and "2 submissions are named 'week12'" in same[0]
    assert "class/ada/Downloads/week12" in same[0] and "class/bob/Downloads/week12" in same[0]


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_a_layout_whose_students_all_differ_lists_no_shared_name(tmp_path, name):
    _, st = gather(tmp_path, name)
    assert not [n for n in st.notes if n.kind == "same_name"]


def test_folders_and_zips_named_together_are_each_a_students_hand_in(tmp_path):
    # `grader check class/*`: the names given are the students, whatever each wraps its work in
    given = build(tmp_path / "given", {
        "class/ada/submission.zip": {"ex06.ipynb": (SOL, "ex06")},
        "class/bob/submission.zip": {"week12/ex06.ipynb": (BLANK, "ex06")},
        "class/carol/week12/ex06.ipynb": (SOL, "ex06"),
        "class/dan.zip": {"week12/ex06.ipynb": (BLANK, "ex06")},
        "class/eve.zip": {"week12/ex06.ipynb": (SOL, "ex06")},
    })
    paths = sorted((given / "class").iterdir())
    (tmp_path / "work").mkdir()
    st = intake.gather(paths, tmp_path / "work", only=SCOPE)
    assert sorted(u.identity.student for u in st.units) == ["ada", "bob", "carol", "dan", "eve"]
    graded = {u.identity.student: u.files["ex06"].read_bytes() for u in st.units}
    assert graded["ada"] == graded["carol"] == graded["eve"] == source(SOL, "ex06")
    assert graded["bob"] == graded["dan"] == source(BLANK, "ex06")
    assert not [n for n in st.notes if n.kind == "same_name"]


def test_a_renamed_notebook_is_graded_and_the_student_told_why(tmp_path):
    _, st = gather(tmp_path, "notebooks_a_browser_renamed")
    ada = next(u for u in st.units if u.identity.student == "ada")
    results = {r.student: r for r in grade_many([ada], hidden=False, limits=LIMITS, workers=1)}
    assert any("ex06.ipynb.json is read as ex06.ipynb: a browser or an editor added .json" in n
               for n in results["ada"].notes)


def test_a_hand_in_without_a_notebook_is_listed_as_its_students_never_dropped(tmp_path):
    given = build(tmp_path / "given", {
        "class/ada/ex06.ipynb": (SOL, "ex06"),
        "class/bob/ex06.pdf": b"%PDF-1.4",  # exported instead of handed in
        "class/bob/ex06.html": b"<html>",
        "class/cat.zip": {"week12/ex06.pdf": b"%PDF-1.4"},
        "class/empty/.DS_Store": b"\0",  # nothing at all: no submission
    })
    (tmp_path / "work").mkdir()
    st = intake.gather([given / "class"], tmp_path / "work", only=SCOPE)
    assert sorted(u.identity.student for u in st.units) == ["ada", "bob", "cat"]
    results = {r.student: r for r in grade_many(st.units, hidden=False, limits=LIMITS, workers=1)}
    assert results["ada"].status == "graded"
    for who, held in (("bob", "ex06.html, ex06.pdf"), ("cat", "week12/ex06.pdf")):
        assert results[who].status == "invalid" and results[who].score == 0
        assert f"{held}: not a notebook (.ipynb); hand in the notebook itself" in results[who].reason
    refused = [n.message for n in st.notes if n.kind == "refused"]
    assert any("class/bob: no notebook, only ex06.html, ex06.pdf" in m for m in refused), refused


EXERCISE_NAMES = {  # a notebook's stem -> the exercise it holds (None: none, or a whole workbook)
    "ex06": "ex06", "ex6": "ex06", "Ex06-final": "ex06", "Exercise 6": "ex06", "exercise_06": "ex06",
    "ada_ex6": "ex06", "ex06-ada": "ex06", "ex06-1": "ex06", "ex06_2026-12-01": "ex06", "EX12": "ex12",
    "ex13": "ex13",  # no such exercise in the course: candidates ignore it
    "next6": None, "rex01": None, "exercises": None, "week12_exercises": None, "index06": None,
    "Ex 1-12": None, "ex06-07": None, "ada": None, "ex100": None,
}


@pytest.mark.parametrize("stem", sorted(EXERCISE_NAMES))
def test_exercise_numbers_in_notebook_names(stem):
    from pathlib import Path

    from grader.engine.notebook import exercise_id_of

    assert exercise_id_of(Path(stem + ".ipynb")) == EXERCISE_NAMES[stem]
