"""The file names of learning platforms' bulk downloads, one declaration per platform (PLATFORMS).

A declaration reads a path inside the download (relative to the folder that holds the students'
files, `/` between folders) into who handed it in (the student as the platform names them, the
platform's id or login where the name carries one), which of their hand-ins it is (larger is
newer) and the student's own file name. layouts.py groups a folder's files by it; walk.lone_file
reads a notebook named alone. What each platform writes, and where that was read:

- Canvas "Download Submissions": see canvas_names.py.

- PrairieLearn, an assessment's Downloads page (PrairieLearn/PrairieLearn,
  apps/prairielearn/src/pages/instructorAssessmentDownloads/, read at the snapshot of 2026-08-21:
  instructorAssessmentDownloads.tsx `extractFilesForSubmissions`, `extractFilesForManualGrading`
  and `pipeCursorToArchive`; before 2026-04 the same names were built in the .sql file's blocks
  `assessment_instance_files` and `files_for_manual_grading`). `<prefix>all_files.zip`,
  `final_files.zip` and `best_files.zip` hold one folder, the assessment set's name and the
  assessment's number with spaces removed (`Homework12/`), and in it each uploaded file named
  `uid_instance_qid_variant_submission_submissionid_filename` (a group's name instead of the uid
  for group work; uid is the login, usually an e-mail: `ada@uni.edu_1_week12/ex06_1_2_51234_ex06.ipynb`).
  A qid with `/` (questions in sub-folders, as `grader release prairielearn` makes: `week12/exNN`)
  is not escaped, so the file sits in sub-folders of the download (PrairieLearn's own comment
  points to its issue #7715). `submission` counts a variant's submissions by date and
  `submissionid` is the database's id, so the highest id of a (student, question) is their last
  upload: it is graded, the others listed. `<prefix>files_for_manual_grading.zip` names its files
  `uid_uin_qid_submissionid_filename` (uin may be empty), read where the uid is an e-mail (else a
  uid and a uin cannot be told apart from a Canvas name); its group-work form (the group's name and
  no uin) is not read. Each question is one exercise: a student is graded on the questions
  they handed in.

- Moodle, an assignment's "Download all submissions" (moodle/moodle,
  mod/assign/classes/downloader.php, written in 2022; mod/assign/locallib.php
  `download_submissions` before it): the prefix is the student's full name with `_` made a space, `_`
  and the participant id Moodle shows for the assignment (`get_uniqueid_for_user`; "Participant"
  under blind marking; a team's name and group id for team submissions). With "Download
  submissions in folders" (the default since 3.1) each submission plugin's files are in a folder
  `prefix_assignsubmission_file/` (`..._onlinetext/` for online text; locallib.php ended the
  folder in `_`), the student's own sub-folders kept; without it, files are flat,
  `prefix_assignsubmission_file_original`. A student's plugin folders are one submission (grouped
  by name and participant id). Moodle downloads the current submission only.

- Blackboard Learn, Grade Centre "Assignment File Download": each file
  `Assignment_username_attempt_YYYY-MM-DD-HH-MM-SS_original`, and per attempt a receipt
  `Assignment_username_attempt_YYYY-MM-DD-HH-MM-SS.txt` (never read: not a notebook). No
  Blackboard source is public; the names are as tests of kwurst/bb-file-cleanup hold them
  (`Chapter 13 Problems_jdoe3_attempt_2014-04-30-21-02-38_chapter (13).pdf`) and as
  vangef/BBGradebookOrganiser (utils/organiser.py) reads them: the username is the last `_` part
  before `_attempt_`. The newest attempt of each exercise is graded.

- Brightspace (D2L), a dropbox folder's "Download": one folder per submission, `N-N - First Last -
  Mon D, YYYY HMM AM` (cgmb/d2lmf `parse_submission_dirname`: "<id_number> - <student_name> -
  <timestamp>", extra ` - ` belonging to the name; its 2015 timestamps have a colon, `Sep 29, 2015
  4:17 PM`, later downloads none, `Oct 10, 2025 1022 AM`), or the same prefix and ` - original`
  on flat files; an `index.html` beside them (not a notebook, never read). What the two numbers
  are is not documented in any source found (readers call the pair a submission id, or a student
  id and a dropbox id), so none is taken as the student's id: a student is grouped by name, as
  d2lmf merges a submitter's folders, and the newest date of each exercise is graded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from grader.delivery import canvas_names
from grader.delivery.units import Identity


@dataclass(frozen=True)
class LmsName:
    platform: str
    student: str  # as the platform names them: `lovelaceada`, `ada@uni.edu`, `Ada Lovelace`, `jdoe3`
    key: str  # one student of the download (files with one key are one submission)
    original: str  # the student's own file name, the platform's prefix off: `ex06.ipynb`
    newness: tuple = ()  # larger is newer, among one student's files
    login: str | None = None  # the platform's id or login for them, where the name carries one
    canvas_user_id: str | None = None
    late: bool = False

    @property
    def who(self) -> str:
        """How a note names them: `user 101 (lovelaceada)`, `Ada Lovelace (1234567)`, `ada@uni.edu`."""
        if self.canvas_user_id:
            return f"user {self.canvas_user_id} ({self.student})"
        return f"{self.student} ({self.login})" if self.login and self.login != self.student else self.student

    def identity(self, sources: list[str] | None = None) -> Identity:
        return Identity(self.student, self.canvas_user_id, self.late, self.login, list(sources or []))


@dataclass(frozen=True)
class Platform:
    name: str
    parse: Callable[[str], LmsName | None]  # a path inside the download: `a/b.ipynb`
    attempt: str  # what one of a student's hand-ins is called: upload, submission, attempt
    folder: re.Pattern | None = None  # a sub-folder that may hold (part of) one student's files
    per_student_scope: bool = False  # each student graded on the exercises they handed in, not the class's


# ---------- Canvas ----------

def _canvas(path: str) -> LmsName | None:
    cn = canvas_names.parse(path) if "/" not in path else None
    if cn is None:
        return None
    return LmsName("Canvas", cn.student, cn.key, cn.original, (cn.upload_id, cn.renamed),
                   canvas_user_id=cn.user_id, late=cn.late)


# ---------- PrairieLearn ----------

_UID = r"(?P<who>[^/@]+@[^/_]+)"  # an e-mail (`_` only before the @)
_PL_ALL = re.compile(rf"(?:{_UID}|(?P<name>[^/]+?))_(?P<instance>\d+)_(?P<qid>.+)_(?P<variant>\d+)_(?P<number>\d+)_"
                     r"(?P<sid>\d+)_(?P<file>[^/]+)")  # an e-mail uid, else a group's name (or a uid that is no e-mail)
_PL_MANUAL = re.compile(_UID + r"_(?P<uin>[^/_]*)_(?P<qid>.+)_(?P<sid>\d+)_(?P<file>[^/]+)")  # uid_uin_: e-mail uids only


def _prairielearn(path: str) -> LmsName | None:
    m = _PL_ALL.fullmatch(path) or _PL_MANUAL.fullmatch(path)
    if m is None:
        return None
    who = m.group("who") or m.group("name")
    return LmsName("PrairieLearn", who, who, m.group("file"), (int(m.group("sid")),), login=m.group("who"))


# ---------- Moodle ----------

_MOODLE_PREFIX = r"(?P<name>[^_/]+?)(?:_(?P<id>\d+))?_assignsubmission_(?P<plugin>[a-z]+)"
_MOODLE_FILE = re.compile(_MOODLE_PREFIX + r"_(?P<file>[^/]+)")
_MOODLE_FOLDER = re.compile(_MOODLE_PREFIX + r"_?")
_MOODLE_BLIND = "Participant"  # get_string('participant', 'assign') under blind marking


def _moodle(path: str) -> LmsName | None:
    head, _, rest = path.partition("/")
    m = _MOODLE_FOLDER.fullmatch(head) if rest else _MOODLE_FILE.fullmatch(path)
    if m is None:
        return None
    name, pid = m.group("name"), m.group("id")
    student = f"{name} {pid}" if name == _MOODLE_BLIND and pid else name  # as Moodle shows a hidden user
    original = rest.rsplit("/", 1)[-1] if rest else m.group("file")
    return LmsName("Moodle", student, f"{name}_{pid}" if pid else name, original, login=pid)


# ---------- Blackboard ----------

_BLACKBOARD = re.compile(r"(?P<assignment>[^/]+)_(?P<user>[^_/]+)_attempt_"
                         r"(?P<date>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)_(?P<file>[^/]+)")


def _blackboard(path: str) -> LmsName | None:
    m = _BLACKBOARD.fullmatch(path)
    if m is None:
        return None
    user = m.group("user")
    return LmsName("Blackboard", user, user, m.group("file"), tuple(int(n) for n in m.group("date").split("-")),
                   login=user)


# ---------- Brightspace ----------

_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_D2L_PREFIX = (r"(?P<ids>\d+-\d+) - (?P<name>.+?) - "
               r"(?P<month>[A-Z][a-z]{2}) (?P<day>\d{1,2}), (?P<year>\d{4}) (?P<hour>\d{1,2}):?(?P<minute>\d\d) (?P<ampm>[AP]M)")
_D2L_FOLDER = re.compile(_D2L_PREFIX)
_D2L_FILE = re.compile(_D2L_PREFIX + r" - (?P<file>[^/]+)")


def _brightspace(path: str) -> LmsName | None:
    head, _, rest = path.partition("/")
    m = _D2L_FOLDER.fullmatch(head) if rest else _D2L_FILE.fullmatch(path)
    if m is None or m.group("month") not in _MONTHS or not 1 <= int(m.group("hour")) <= 12:
        return None
    hour = int(m.group("hour")) % 12 + (12 if m.group("ampm") == "PM" else 0)
    when = (int(m.group("year")), _MONTHS[m.group("month")], int(m.group("day")), hour, int(m.group("minute")))
    original = rest.rsplit("/", 1)[-1] if rest else m.group("file")
    return LmsName("Brightspace", m.group("name"), m.group("name"), original, when)


# In this order: the first platform whose names a path has is the one (no name of one platform
# reads as another's: tests/test_lms_downloads.py holds each platform's examples against every parser).
PLATFORMS: list[Platform] = [
    Platform("Canvas", _canvas, "upload"),
    Platform("PrairieLearn", _prairielearn, "submission", folder=re.compile(r"[^/]+_\d+_[^/]+"),
             per_student_scope=True),
    Platform("Moodle", _moodle, "submission", folder=_MOODLE_FOLDER),
    Platform("Blackboard", _blackboard, "attempt"),
    Platform("Brightspace", _brightspace, "submission", folder=_D2L_FOLDER),
]


def parse(path: str) -> tuple[Platform, LmsName] | None:
    """The platform whose download names this path (relative to the download's folder), and what
    the name says; None for a name no platform writes (`ada.ipynb`, `ex06_2026-12-01.ipynb`)."""
    for platform in PLATFORMS:
        name = platform.parse(path)
        if name is not None:
            return platform, name
    return None


def folder_platforms(name: str) -> list[Platform]:
    """The platforms that may keep (part of) one student's files in a folder of this name; which
    one does is decided by the paths below it (layouts.py)."""
    return [p for p in PLATFORMS if p.folder is not None and p.folder.fullmatch(name)]
