"""What the intake hands to grading: units, each one student's submission, and who it is."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Identity:
    student: str  # the name shown and matched: a folder's or file's name, as a platform names them
    # (Canvas's `lovelaceada`, PrairieLearn's uid, Moodle's and Brightspace's full name, Blackboard's username)
    canvas_user_id: str | None = None  # from a Canvas download's file name: the roster's ID column
    late: bool = False  # Canvas marked the upload LATE
    login: str | None = None  # what else names the student: a Gradescope e-mail or student id, a PrairieLearn
    # uid, Moodle's participant id, a Blackboard username
    sources: list[str] = field(default_factory=list)  # the files graded, as the instructor named them

    def __post_init__(self) -> None:
        # one spelling of a name: a folder copied from a Mac writes `é` as `e` and an accent (NFD)
        self.student = unicodedata.normalize("NFC", self.student)


@dataclass
class Unit:
    """One student's submission. `files` (exercise id -> notebook) when the student's work is
    several notebooks, else `path` is the one notebook to read."""

    path: Path  # on disk: the notebook, or the folder holding the student's notebooks
    key: str  # the result's path: absolute; `!` steps into a zip; a group of files is `folder/student`
    shown: str  # the same, as the instructor named it on the command line
    identity: Identity
    files: dict[str, Path] = field(default_factory=dict)
    exercises: list[str] | None = None  # graded on these; None: every exercise
    notes: list[str] = field(default_factory=list)  # for the student's result and feedback page

    def __str__(self) -> str:
        return self.key


NOTE_KINDS = ("debris", "copy", "grouped", "split", "refused", "link", "scope", "unmatched", "same_name")


@dataclass(frozen=True)
class Note:
    """Something the intake did that the instructor should know: `kind` is one of NOTE_KINDS."""

    kind: str
    message: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message}
