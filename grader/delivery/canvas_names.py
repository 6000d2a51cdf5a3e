"""The file names of Canvas's "Download Submissions" zip.

Canvas renames every uploaded file `lastfirst_userid_id_original`: the student's name in
lower case without spaces or punctuation, the numeric Canvas user id (what a Canvas gradebook
export holds in its `ID` column), a number of the upload, then the student's own file name;
late work has `LATE` after the name (`smithbob_LATE_102_9014_ex11.ipynb`). A student's own zip
arrives as one such file (`smithbob_340934_208490284_BobsWork.zip`, as shown in the README of
mikewesthad/canvas-unzipper; `studenttest_3143_207797_zipsubmission.zip` in canvas-lms issue
#2406). When a student uploads a file whose name Canvas already holds, Canvas adds `-1`, `-2`
to the name before its first dot (`ex06-1.ipynb`; canvas-lms issues #606 and #2310), so the
suffix is taken off to find the notebook's own name."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"^(?P<name>[^_\s]+)_(?:(?P<late>LATE)_)?(?P<user>\d+)_(?P<upload>\d+)_(?P<original>.+)$")
_RENAMED = re.compile(r"^(?P<stem>.+?)-(?P<n>\d+)$")


@dataclass(frozen=True)
class CanvasName:
    student: str  # `lovelaceada`: Canvas's form of the student's name
    user_id: str  # the Canvas user id (the roster's ID column)
    upload_id: int
    late: bool
    original: str  # the student's file name, Canvas's `-N` taken off: `ex06.ipynb`
    renamed: int  # the N of Canvas's `-N` (0 when none)

    @property
    def key(self) -> str:
        """One student of the download: `lovelaceada_101`."""
        return f"{self.student}_{self.user_id}"


def parse(filename: str) -> CanvasName | None:
    """The parts of a Canvas download's file name, or None when it is not one."""
    m = _NAME.match(filename)
    if not m:
        return None
    original, renamed = m.group("original"), 0
    stem, dot, rest = original.partition(".")
    r = _RENAMED.match(stem)
    if r and dot:  # Canvas puts its counter before the first dot
        original, renamed = f"{r.group('stem')}.{rest}", int(r.group("n"))
    return CanvasName(m.group("name"), m.group("user"), int(m.group("upload")), bool(m.group("late")),
                      original, renamed)
