"""Learning platforms' bulk downloads, declared for tests/test_lms_downloads.py.

EXAMPLES: per platform, file names inside a download and what they say (who, the platform's id or
login, the student's own file name), taken from the sources grader/delivery/lms_names.py cites or
built exactly to the formats it quotes. NEWER: pairs of one student's names, older first.
NOT_A_PLATFORM: names a class laid out by hand has, that no platform writes.

DOWNLOADS: one class (CLASS: three students, one handing in twice, one with a scratch copy) laid
out as each platform's download writes it; `layout` adds macOS debris and makes it a zip or a folder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from intake_layouts import BLANK, SOL

# platform -> {path within the download: (student as the platform names them, their id or login, own file name)}
EXAMPLES = {
    "Canvas": {
        "smithbob_340934_208490284_BobsWork.zip": ("smithbob", "340934", "BobsWork.zip"),  # canvas-unzipper's README
        "studenttest_3143_207797_zipsubmission.zip": ("studenttest", "3143", "zipsubmission.zip"),  # canvas-lms #2406
        "smithbob_LATE_102_9014_ex06-1.ipynb": ("smithbob", "102", "ex06.ipynb"),  # late, Canvas's -1 taken off
    },
    "PrairieLearn": {  # uid_instance_qid_variant_submission_submissionid_file (all/final/best_files.zip)
        "ada@uni.edu_1_week12/ex06_1_2_51234_ex06.ipynb": ("ada@uni.edu", "ada@uni.edu", "ex06.ipynb"),
        "ada.love_2@uni.edu_1_ex06_3_1_51299_ex06.ipynb": ("ada.love_2@uni.edu", "ada.love_2@uni.edu", "ex06.ipynb"),
        "bob@uni.edu_2_hw/part_a/q-1_1_1_7_my_answer.ipynb": ("bob@uni.edu", "bob@uni.edu", "my_answer.ipynb"),
        "Team Rocket_1_week12/ex06_1_1_51240_ex06.ipynb": ("Team Rocket", None, "ex06.ipynb"),  # group work
        # files_for_manual_grading.zip: uid_uin_qid_submissionid_file, uin may be empty
        "ada@uni.edu_123456789_week12/ex06_51234_ex06.ipynb": ("ada@uni.edu", "ada@uni.edu", "ex06.ipynb"),
        "ada@uni.edu__week12/ex06_51234_ex06.ipynb": ("ada@uni.edu", "ada@uni.edu", "ex06.ipynb"),
    },
    "Moodle": {  # fullname_participantid_assignsubmission_plugin
        "Ada Lovelace_1234567_assignsubmission_file/ex06.ipynb": ("Ada Lovelace", "1234567", "ex06.ipynb"),  # downloader.php
        "Ada Lovelace_1234567_assignsubmission_file_/ex06.ipynb": ("Ada Lovelace", "1234567", "ex06.ipynb"),  # locallib.php
        "Ada Lovelace_1234567_assignsubmission_file/drafts/ex06.ipynb": ("Ada Lovelace", "1234567", "ex06.ipynb"),
        "Ada Lovelace_1234567_assignsubmission_file_ex06.ipynb": ("Ada Lovelace", "1234567", "ex06.ipynb"),  # flat
        "Mary-Ann O'Neil_88_assignsubmission_file_ex06 (1).ipynb": ("Mary-Ann O'Neil", "88", "ex06 (1).ipynb"),
        "Participant_1234567_assignsubmission_file_ex06.ipynb": ("Participant 1234567", "1234567", "ex06.ipynb"),
        "Team Rocket_42_assignsubmission_file/ex06.ipynb": ("Team Rocket", "42", "ex06.ipynb"),
        "Default group_assignsubmission_file/ex06.ipynb": ("Default group", None, "ex06.ipynb"),
    },
    "Blackboard": {  # Assignment_username_attempt_YYYY-MM-DD-HH-MM-SS_original
        "Chapter 13 Problems_jdoe3_attempt_2014-04-30-21-02-38_chapter (13).pdf": ("jdoe3", "jdoe3", "chapter (13).pdf"),
        "Week 12 Notebooks_jdoe3_attempt_2026-12-01-22-26-05_ex06.ipynb": ("jdoe3", "jdoe3", "ex06.ipynb"),
        "HW_12_ada_attempt_2026-12-01-09-00-00_ex06_final.ipynb": ("ada", "ada", "ex06_final.ipynb"),
    },
    "Brightspace": {  # N-N - First Last - Mon D, YYYY HMM AM, a folder or ` - original`
        "39786-640693 - Aiden Rodriguez - Oct 10, 2025 1022 AM/Main.java": ("Aiden Rodriguez", None, "Main.java"),
        "397063-2557369 - Mary-Ann Smith - Sep 24, 2024 926 PM/document.pdf": ("Mary-Ann Smith", None, "document.pdf"),
        "123-456 - Ada Lovelace - Sep 29, 2015 4:17 PM/ex06.ipynb": ("Ada Lovelace", None, "ex06.ipynb"),  # d2lmf's form
        "98-76 - Jean - Luc Picard - Dec 1, 2026 1022 PM/ex06.ipynb": ("Jean - Luc Picard", None, "ex06.ipynb"),
        "13394-80551 - Eric Gillotti - Mar 29, 2018 1205 PM - EGillotti - Homework 6.zip":
            ("Eric Gillotti", None, "EGillotti - Homework 6.zip"),
    },
}

NEWER = {  # platform -> (older, newer) names of one student: not the order of the text
    "Canvas": ("smithbob_102_9010_ex06.ipynb", "smithbob_102_9014_ex06-1.ipynb"),
    "PrairieLearn": ("ada@uni.edu_1_week12/ex06_1_9_9999_ex06.ipynb", "ada@uni.edu_1_week12/ex06_2_1_10001_ex06.ipynb"),
    "Blackboard": ("W_ada_attempt_2026-12-01-09-59-59_ex06.ipynb", "W_ada_attempt_2026-12-01-10-00-00_ex06.ipynb"),
    "Brightspace": ("1-2 - Ada - Dec 1, 2026 926 PM/ex06.ipynb", "1-3 - Ada - Dec 1, 2026 1022 PM/ex06.ipynb"),
    "Brightspace at noon": ("1-2 - Ada - Dec 1, 2026 1159 AM/ex06.ipynb", "1-3 - Ada - Dec 1, 2026 1201 PM/ex06.ipynb"),
    "Brightspace at midnight": ("1-2 - Ada - Dec 1, 2026 1159 PM/ex06.ipynb", "1-3 - Ada - Dec 2, 2026 1201 AM/ex06.ipynb"),
}

NOT_A_PLATFORM = [
    "ada_lovelace.ipynb", "ex06_2026-12-01.ipynb", "ex06-ada.ipynb", "ada.ipynb", "ex06 (1).ipynb",
    "lovelace_ada_ex06.ipynb", "ada_2_ex06.ipynb", "ex06_v2_2026-12-01-10-12-33.ipynb", "ada_1_ex06_2.ipynb",
    "team_1_final/ex06.ipynb", "Ada Lovelace - Dec 1, 2026 926 PM/ex06.ipynb", "ada - ex06.ipynb",
    "Week 12_jdoe3_attempt_2026-12-01-22-26-05.txt",  # Blackboard's receipt of an attempt: no student's file
]

# ---------- one class, as each platform's download writes it ----------

CLASS = {  # person -> their hand-ins, oldest first: {file name: content}
    "ada": [{"ex06.ipynb": (SOL, "ex06"), "ex09.ipynb": (SOL, "ex09")}],
    "bob": [{"ex06.ipynb": (BLANK, "ex06")}, {"ex06.ipynb": (SOL, "ex06")}],  # handed in again: the newer is graded
    "cy": [{"ex06.ipynb": (SOL, "ex06"), "ex06-Copy1.ipynb": (BLANK, "ex06")}],  # a scratch copy beside it: ignored
}
GRADED = {"ada": {"ex06": (SOL, "ex06"), "ex09": (SOL, "ex09")}, "bob": {"ex06": (SOL, "ex06")},
          "cy": {"ex06": (SOL, "ex06")}}

PEOPLE = {  # person -> how the platforms know them
    "ada": dict(i=0, full="Ada Lovelace", canvas="lovelaceada", uid="ada@uni.edu", user="alovelace"),
    "bob": dict(i=1, full="Bob Smith", canvas="smithbob", uid="bob_smith@uni.edu", user="bsmith2"),
    "cy": dict(i=2, full="Cy Young-Hopper", canvas="younghoppercy", uid="cy@uni.edu", user="cyh"),
}


def _p(person: str, key: str):
    return PEOPLE[person][key]


@dataclass(frozen=True)
class Download:
    platform: str
    path: Callable[[str, int, str], str]  # (person, hand-in number from 1, file name) -> path within the download
    student: Callable[[str], tuple[str, str | None]]  # person -> (student as named, their id or login)
    extras: Callable[[str, int], dict] = lambda person, n: {}  # what the platform writes beside the files
    attempts: bool = True  # the download holds older hand-ins (Moodle's holds the current submission only)
    copies: bool = True  # a student can hand in a scratch copy (PrairieLearn takes only the file names asked for)
    own_scope: bool = False  # each student graded on their own exercises (PrairieLearn: one question each)
    root: str = ""  # the folder the files are in, inside the download
    attempt: str = "submission"  # what the grouped note calls a hand-in


def _ex(fname: str) -> str:
    return fname[:4]


def _moodle(sep: str) -> "Download":
    """Moodle's download, in folders (`sep` "/") or flat ("_"), with each student's online text."""
    prefix = lambda p: f"{_p(p, 'full')}_{1234560 + _p(p, 'i')}_assignsubmission_"  # noqa: E731
    return Download(
        "Moodle",
        lambda p, n, f: f"{prefix(p)}file{sep}{f}",
        lambda p: (_p(p, "full"), str(1234560 + _p(p, "i"))),
        lambda p, n: {f"{prefix(p)}onlinetext{sep}onlinetext.html": "<p>My notebook is attached.</p>"},
        attempts=False)


DOWNLOADS = {
    "canvas": Download(
        "Canvas",
        lambda p, n, f: f"{_p(p, 'canvas')}_{101 + _p(p, 'i')}_{9000 + 10 * n + len(f)}_"
                        + (f.replace(".ipynb", f"-{n - 1}.ipynb") if n > 1 else f),
        lambda p: (_p(p, "canvas"), str(101 + _p(p, "i"))), attempt="upload"),
    "prairielearn_all_files": Download(
        "PrairieLearn",
        lambda p, n, f: f"{_p(p, 'uid')}_1_week12/{_ex(f)}_1_{n}_{51000 + 100 * n + _p(p, 'i')}_{f}",
        lambda p: (_p(p, "uid"), _p(p, "uid")), copies=False, own_scope=True, root="Homework12/"),
    "prairielearn_manual_grading": Download(
        "PrairieLearn",
        lambda p, n, f: f"{_p(p, 'uid')}_{900 + _p(p, 'i')}_week12/{_ex(f)}_{51000 + 100 * n + _p(p, 'i')}_{f}",
        lambda p: (_p(p, "uid"), _p(p, "uid")), attempts=False, copies=False, own_scope=True, root="Homework12/"),
    "moodle_folders": _moodle("/"),  # "Download submissions in folders": a folder per plugin
    "moodle_flat": _moodle("_"),
    "blackboard": Download(
        "Blackboard",
        lambda p, n, f: f"Week 12 Notebooks_{_p(p, 'user')}_attempt_2026-12-0{n}-09-3{_p(p, 'i')}-00_{f}",
        lambda p: (_p(p, "user"), _p(p, "user")),
        lambda p, n: {f"Week 12 Notebooks_{_p(p, 'user')}_attempt_2026-12-0{n}-09-3{_p(p, 'i')}-00.txt":
                      "Name: someone\nComments:\nThere are no student comments for this assignment.\n"},
        attempt="attempt"),
    "brightspace": Download(
        "Brightspace",
        lambda p, n, f: (f"{39786 + 10 * n + _p(p, 'i')}-{640693 + _p(p, 'i')} - {_p(p, 'full')} - "
                         f"Dec 1, 2026 {['926 PM', '1022 PM'][n - 1]}/{f}"),  # 1022 PM is the later, not the lesser text
        lambda p: (_p(p, "full"), None),
        lambda p, n: {"index.html": "<html><body>Week 12 Notebooks</body></html>"}, root="Week 12 Notebooks/"),
}


def handed_in(d: Download) -> list[tuple[str, int, str, tuple]]:
    """(person, hand-in number, file name, content) of what the download holds."""
    out = []
    for person, handins in CLASS.items():
        numbered = list(enumerate(handins, 1)) if d.attempts else [(len(handins), handins[-1])]
        for n, files in numbered:
            out += [(person, n, f, v) for f, v in files.items() if d.copies or "-Copy" not in f]
    return out


def layout(d: Download, zipped: bool) -> dict:
    """The download as intake_layouts.build lays it out: `download.zip` (made by macOS Finder:
    `__MACOSX/`) or the folder `download/` (with Finder's `.DS_Store` and an AppleDouble file)."""
    files: dict = {}
    for person, n, fname, content in handed_in(d):
        files[d.root + d.path(person, n, fname)] = content
        files.update({d.root + k: v for k, v in d.extras(person, n).items()})
    first = next(iter(files))
    folder, _, name = first.rpartition("/")
    apple_double = (folder + "/" if folder else "") + "._" + name
    files[".DS_Store"] = b"\x00\x00\x00\x01Bud1"
    if zipped:
        files["__MACOSX/" + apple_double] = b"\x00\x05\x16\x07"
        return {"download.zip": files}
    files[apple_double] = b"\x00\x05\x16\x07"
    return {f"download/{k}": v for k, v in files.items()}


def newest_path(d: Download, person: str, fname: str) -> str:
    """The path (within the download's folder) of the person's newest `fname`."""
    return d.path(person, max(n for p, n, f, _ in handed_in(d) if p == person and f == fname), fname)


def older_paths(d: Download, person: str) -> list[str]:
    newest = {f: newest_path(d, person, f) for p, _, f, _ in handed_in(d) if p == person}
    return [d.path(p, n, f) for p, n, f, _ in handed_in(d) if p == person and d.path(p, n, f) != newest[f]]
