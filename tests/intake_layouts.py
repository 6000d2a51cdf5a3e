"""How a class's work arrives, built at test time from the reference answers: each layout is a
map of file paths to what they hold, `("solutions", "ex06")` (the reference answer's notebook),
`("notebooks", "ex06")` (the blank student notebook), a Gradescope metadata text, or a map of
its own (a zip inside: a student's own zip). A path ending `.zip/` at the top makes the whole
layout that zip. Used by tests/test_intake.py."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOL, BLANK = "solutions", "notebooks"


def source(kind: str, ex: str) -> bytes:
    return (ROOT / kind / f"{ex}.ipynb").read_bytes()


class FinderZip(dict):
    """A zip as macOS Finder's Compress writes it: names in UTF-8, accents decomposed (NFD), and
    the zip's UTF-8 flag (bit 11) unset, so a reader that trusts the flag reads them as cp437."""


class Link(str):
    """A symbolic link to this path (relative to the layout's root)."""


class _FinderName(zipfile.ZipInfo):
    def _encodeFilenameFlags(self):  # the name's UTF-8 bytes, the flag left unset (zipfile would set it)
        return unicodedata.normalize("NFD", self.filename).encode("utf-8"), self.flag_bits


def _bytes(value) -> bytes:
    if isinstance(value, tuple):
        return source(*value)
    if isinstance(value, dict):
        return zip_bytes(value)
    return value.encode("utf-8") if isinstance(value, str) else value


def zip_bytes(files: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, value in files.items():
            zf.writestr(_FinderName(name) if isinstance(files, FinderZip) else name, _bytes(value))
    return buf.getvalue()


def build(root: Path, files: dict) -> Path:
    """Write a layout under root: files, or one zip (a single key ending `.zip` holding a map)."""
    for name, value in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(value, Link):
            path.symlink_to(root / value)
            continue
        path.write_bytes(_bytes(value))
    return root / next(iter(files)) if len(files) == 1 and next(iter(files)).endswith(".zip") else root


GRADESCOPE_METADATA = """\
submission_1001:
  :submitters:
  - :name: Ada Lovelace
    :sid: '101'
    :email: ada@example.edu
  :created_at: 2026-12-01 10:00:00.000000000 -08:00
  :score: 0.0
submission_1002:
  :submitters:
  - :name: Bob Smith
    :sid: '102'
    :email: bob@example.edu
  :created_at: 2026-12-01 11:00:00.000000000 -08:00
"""

# layout -> (files, {student: (canvas user id, late, {exercise: (kind, ex)})}); a student whose
# submission is one whole-workbook notebook lists the exercises it answers, each the same file
LAYOUTS = {
    "jupyterlab_copies_and_checkpoints": ({
        "class/ada/ex06.ipynb": (SOL, "ex06"),
        "class/ada/ex06-Copy1.ipynb": (BLANK, "ex06"),  # a scratch copy: ignored
        "class/ada/ex09.ipynb": (SOL, "ex09"),
        "class/ada/.ipynb_checkpoints/ex09-checkpoint.ipynb": (BLANK, "ex09"),
        "class/bob/ex06.ipynb": (BLANK, "ex06"),
        "class/bob/Untitled.ipynb": (SOL, "ex06"),  # names nobody: ignored
        "class/bob/ex09 (1).ipynb": (SOL, "ex09"),  # only a copy of ex09: graded
    }, {"ada": (None, False, {"ex06": (SOL, "ex06"), "ex09": (SOL, "ex09")}),
        "bob": (None, False, {"ex06": (BLANK, "ex06"), "ex09": (SOL, "ex09")})}),
    "macos_finder_zip": ({"class.zip": {
        "class/ada/ex06.ipynb": (SOL, "ex06"),
        "class/ada/ex09.ipynb": (BLANK, "ex09"),
        "__MACOSX/class/ada/._ex06.ipynb": b"\x00\x05\x16\x07AppleDouble",
        "class/.DS_Store": b"\x00\x00\x00\x01Bud1",
        "class/bob/ex06.ipynb": (BLANK, "ex06"),
    }}, {"ada": (None, False, {"ex06": (SOL, "ex06"), "ex09": (BLANK, "ex09")}),
         "bob": (None, False, {"ex06": (BLANK, "ex06")})}),
    "canvas_download": ({"submissions.zip": {
        "lovelaceada_101_9001_ex06.ipynb": (SOL, "ex06"),  # one student's per-file uploads: grouped
        "lovelaceada_101_9002_ex09.ipynb": (SOL, "ex09"),
        "smithbob_LATE_102_9010_ex06.ipynb": (BLANK, "ex06"),  # older upload
        "smithbob_LATE_102_9014_ex06-1.ipynb": (SOL, "ex06"),  # Canvas's -1: the newer one
        "hoppergrace_103_9020_work.zip": {  # a student's own zip, made on a Mac
            "work/ex06.ipynb": (BLANK, "ex06"),
            "work/ex09.ipynb": (SOL, "ex09"),
            "__MACOSX/work/._ex06.ipynb": b"\x00\x05\x16\x07",
        },
    }}, {"lovelaceada": ("101", False, {"ex06": (SOL, "ex06"), "ex09": (SOL, "ex09")}),
         "smithbob": ("102", True, {"ex06": (SOL, "ex06")}),
         "hoppergrace": ("103", False, {"ex06": (BLANK, "ex06"), "ex09": (SOL, "ex09")})}),
    "gradescope_export": ({"export.zip": {
        "assignment_77_export/submission_metadata.yml": GRADESCOPE_METADATA,
        "assignment_77_export/submission_1001/ex06.ipynb": (SOL, "ex06"),
        "assignment_77_export/submission_1001/ex09.ipynb": (SOL, "ex09"),
        "assignment_77_export/submission_1002/deep/down/ex06.ipynb": (BLANK, "ex06"),
    }}, {"Ada Lovelace": (None, False, {"ex06": (SOL, "ex06"), "ex09": (SOL, "ex09")}),
         "Bob Smith": (None, False, {"ex06": (BLANK, "ex06")})}),
    "per_exercise_hand_ins": ({
        "class/ex06-ada.ipynb": (SOL, "ex06"),
        "class/ex06-bob.ipynb": (BLANK, "ex06"),  # two students' ex06: a class folder
        "class/ex09-ada.ipynb": (SOL, "ex09"),
        "class/ex09-ada-Copy1.ipynb": (BLANK, "ex09"),
    }, {"ada": (None, False, {"ex06": (SOL, "ex06"), "ex09": (SOL, "ex09")}),
        "bob": (None, False, {"ex06": (BLANK, "ex06")})}),
}

LAYOUTS["students_own_zips_in_a_class_folder"] = ({
    "class/ada.zip": {"ex06.ipynb": (SOL, "ex06"), "ex06 (1).ipynb": (BLANK, "ex06"), "ex09.ipynb": (SOL, "ex09")},
    "class/bob.zip": {"bob/ex06.ipynb": (BLANK, "ex06"), "bob/.DS_Store": b"\0"},
    "class/carol.ipynb": (SOL, "ex06"),  # a whole-workbook notebook beside them
}, {"ada": (None, False, {"ex06": (SOL, "ex06"), "ex09": (SOL, "ex09")}),
    "bob": (None, False, {"ex06": (BLANK, "ex06")}),
    "carol": (None, False, {"ex06": (SOL, "ex06")})})  # her one notebook answers ex06

# Each student's folder holds only their zip, whatever they called it (`submission.zip` for all):
# the folder names the student. A zip holding several students' folders (a section's) is not one
# student's hand-in: its folders name them.
LAYOUTS["students_folders_each_holding_their_zip"] = ({
    "class/ada/submission.zip": {"ex06.ipynb": (SOL, "ex06"), "ex09.ipynb": (SOL, "ex09")},
    "class/bob/submission.zip": {"week12/ex06.ipynb": (BLANK, "ex06"), "__MACOSX/week12/._ex06.ipynb": b"\x00\x05"},
    "class/bob/.DS_Store": b"\0",
    "class/carol/ex06.ipynb": (SOL, "ex06"),  # a student who handed in the notebook itself, beside them
    "class/dan/submission.zip": {"ex06.ipynb": (SOL, "ex06"), "ex06-Copy1.ipynb": (BLANK, "ex06")},
}, {"ada": (None, False, {"ex06": (SOL, "ex06"), "ex09": (SOL, "ex09")}),
    "bob": (None, False, {"ex06": (BLANK, "ex06")}),
    "carol": (None, False, {"ex06": (SOL, "ex06")}),
    "dan": (None, False, {"ex06": (SOL, "ex06")})})
LAYOUTS["sections_each_a_zip_of_students_folders"] = ({
    "class/section1/section1.zip": {"ada/ex06.ipynb": (SOL, "ex06"), "bob/ex06.ipynb": (BLANK, "ex06")},
    "class/section2/section2.zip": {"carol/ex06.ipynb": (SOL, "ex06"), "dan/ex06.ipynb": (BLANK, "ex06")},
}, {"ada": (None, False, {"ex06": (SOL, "ex06")}), "bob": (None, False, {"ex06": (BLANK, "ex06")}),
    "carol": (None, False, {"ex06": (SOL, "ex06")}), "dan": (None, False, {"ex06": (BLANK, "ex06")})})
# Each student's work wrapped in the course's folder (unzipped into a folder named for them, or
# zipped with the folder, by Finder or by Windows' PowerShell 5 with `\` in the names): the
# folder or zip beside the others names the student, never the wrapper they all share.
LAYOUTS["students_work_wrapped_in_the_course_folder"] = ({
    "class/ada/week12/ex06.ipynb": (SOL, "ex06"),
    "class/ada/week12/ex09.ipynb": (SOL, "ex09"),
    "class/bob/week12/ex06.ipynb": (BLANK, "ex06"),
    "class/bob/week12/ex06-Copy1.ipynb": (SOL, "ex06"),  # a scratch copy: ignored
    "class/carol.zip": {"week12/ex06.ipynb": (SOL, "ex06"), "__MACOSX/week12/._ex06.ipynb": b"\x00\x05"},
    "class/dan.zip": {"week12\\ex06.ipynb": (BLANK, "ex06"), "week12\\ex09.ipynb": (SOL, "ex09")},
}, {"ada": (None, False, {"ex06": (SOL, "ex06"), "ex09": (SOL, "ex09")}),
    "bob": (None, False, {"ex06": (BLANK, "ex06")}),
    "carol": (None, False, {"ex06": (SOL, "ex06")}),
    "dan": (None, False, {"ex06": (BLANK, "ex06"), "ex09": (SOL, "ex09")})})
# Notebooks whose names a browser or an editor lengthened (Safari's `ex06.ipynb.json`, Notepad's
# `.txt`): read as the notebooks they are, in folders, in zips and in a Canvas download.
LAYOUTS["notebooks_a_browser_renamed"] = ({
    "class/ada/ex06.ipynb.json": (SOL, "ex06"),
    "class/ada/ex09.ipynb": (SOL, "ex09"),
    "class/bob/ex06.IPYNB.txt": (BLANK, "ex06"),
    "class/cat.zip": {"week12/ex06.ipynb.json": (SOL, "ex06")},
}, {"ada": (None, False, {"ex06": (SOL, "ex06"), "ex09": (SOL, "ex09")}),
    "bob": (None, False, {"ex06": (BLANK, "ex06")}),
    "cat": (None, False, {"ex06": (SOL, "ex06")})})
LAYOUTS["canvas_download_of_renamed_notebooks"] = ({"submissions.zip": {
    "lovelaceada_101_9001_ex06.ipynb.json": (SOL, "ex06"),
    "smithbob_102_9010_ex06-1.ipynb.txt": (BLANK, "ex06"),
}}, {"lovelaceada": ("101", False, {"ex06": (SOL, "ex06")}),
     "smithbob": ("102", False, {"ex06": (BLANK, "ex06")})})
# Exercise notebooks students renamed (`ex6`, `Exercise 9`, their name first): still exercise
# notebooks, so a student's folder stays one student and a class folder splits by name.
LAYOUTS["exercise_notebooks_students_renamed"] = ({
    "class/ada/ex6.ipynb": (SOL, "ex06"),
    "class/ada/Exercise 9.ipynb": (SOL, "ex09"),
    "class/bob/Ex06-final.ipynb": (BLANK, "ex06"),
    "class/hand-ins/cy_ex06.ipynb": (SOL, "ex06"),  # per-exercise hand-ins, the student's name first
    "class/hand-ins/dee_ex06.ipynb": (BLANK, "ex06"),
    "class/hand-ins/cy_exercise_09.ipynb": (SOL, "ex09"),
}, {"ada": (None, False, {"ex06": (SOL, "ex06"), "ex09": (SOL, "ex09")}),
    "bob": (None, False, {"ex06": (BLANK, "ex06")}),
    "cy": (None, False, {"ex06": (SOL, "ex06"), "ex09": (SOL, "ex09")}),
    "dee": (None, False, {"ex06": (BLANK, "ex06")})})
LAYOUTS["copies_made_by_colab_finder_and_explorer"] = ({
    "class/ada/ex06.ipynb": (SOL, "ex06"),
    "class/ada/Copy of ex06.ipynb": (BLANK, "ex06"),  # Colab's "Save a copy in Drive"
    "class/ada/ex09 copy.ipynb": (SOL, "ex09"),  # Finder's Duplicate: only a copy of ex09, graded
    "class/bob/ex06.ipynb": (BLANK, "ex06"),
    "class/bob/ex06 - Copy.ipynb": (SOL, "ex06"),  # Windows Explorer's copy
}, {"ada": (None, False, {"ex06": (SOL, "ex06"), "ex09": (SOL, "ex09")}),
    "bob": (None, False, {"ex06": (BLANK, "ex06")})})
# A student's two tries at one exercise (the workbook's name and one of their own) stay one
# student: the notebook named as the exercise is graded, the other listed.
LAYOUTS["a_students_two_tries_at_an_exercise"] = ({
    "class/ada/my_ex06_attempt.ipynb": (BLANK, "ex06"),
    "class/ada/ex06.ipynb": (SOL, "ex06"),
    "class/ada/ex09.ipynb": (SOL, "ex09"),
    "class/bob/ex06.ipynb": (BLANK, "ex06"),
}, {"ada": (None, False, {"ex06": (SOL, "ex06"), "ex09": (SOL, "ex09")}),
    "bob": (None, False, {"ex06": (BLANK, "ex06")})})
