"""Which of one student's notebooks are graded.

Per exercise, the notebook itself wins over its scratch copies, and a platform's newer upload
(Canvas upload, PrairieLearn submission, Blackboard attempt, Brightspace submission) over an
older one; the others are listed as ignored. Where only a copy of an exercise's notebook was
handed in, the copy is graded and the note says so. A student with no exercise notebook is
graded on one whole-workbook notebook (`ada.ipynb`), chosen the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from grader.course.exercises import IDS
from grader.delivery.copies import NotebookName, classify, notebook_name
from grader.engine.notebook import exercise_id_of, without_exercise


@dataclass
class Candidate:
    path: Path  # on disk
    shown: str  # as the instructor named it
    name: NotebookName  # what its own name says (Canvas's prefix and `-N` already off)
    newness: tuple = ()  # larger is newer, as lms_names reads it: (Canvas upload id, -N), (PrairieLearn id,), a date

    @property
    def exercise(self) -> str | None:
        """The exercise its name says it holds (`ex06`), or None (`ada.ipynb`, `ex13.ipynb`)."""
        found = exercise_id_of(Path(self.name.base + ".ipynb")) if self.name.base else None
        return found if found in IDS else None

    @property
    def label(self) -> str:
        return self.shown.rsplit("/", 1)[-1].rsplit("!", 1)[-1]


def renamed(file_name: str) -> str | None:
    """What to tell a student whose notebook's name was given another extension, else None."""
    own = notebook_name(file_name)
    if not own or own == file_name:
        return None
    return (f"{file_name} is read as {own}: a browser or an editor added {file_name[len(own):]} to its name "
            "(name it .ipynb next time)")


def candidate(path: Path, shown: str, own_name: str | None = None, newness: tuple = ()) -> Candidate:
    name = own_name or path.name
    return Candidate(path, shown, classify(Path(notebook_name(name) or name).stem), newness)


@dataclass
class Choice:
    files: dict[str, Candidate] = field(default_factory=dict)  # exercise id -> its notebook
    lone: Candidate | None = None  # the whole-workbook notebook, when there is no exercise notebook
    notes: list[str] = field(default_factory=list)  # for the student
    ignored: list[str] = field(default_factory=list)  # for the instructor: the files not graded, and why

    @property
    def chosen(self) -> list[Candidate]:
        return [self.lone] if self.lone else list(self.files.values())


def _best(cands: list[Candidate]) -> Candidate:
    def rank(c: Candidate):  # the notebook itself, the newest, named as the exercise, the least deep, the first by name
        return (c.name.kind == "untitled", c.name.is_copy, tuple(-n for n in c.newness),
                bool(c.exercise and without_exercise(c.name.base)), c.shown.count("/") + c.shown.count("!"), c.shown)

    return min(cands, key=rank)


def choose(cands: list[Candidate], label: Callable[[Candidate], str] = lambda c: c.label) -> Choice:
    """`label`: how the student's notes name a notebook (within their submission: `ex06.ipynb`,
    `submission.zip!ex06.ipynb`); the instructor's name it as they named it."""
    out = Choice()
    by_exercise: dict[str, list[Candidate]] = {}
    for c in cands:
        if c.exercise:
            by_exercise.setdefault(c.exercise, []).append(c)
    if by_exercise:
        for ex_id in sorted(by_exercise):
            out.files[ex_id] = _best(by_exercise[ex_id])
        rest = [c for c in cands if not c.exercise]
    else:
        out.lone = _best(cands) if cands else None
        rest = [c for c in cands if c is not out.lone]
    for graded in out.chosen:
        if told := renamed(graded.label):
            out.notes.append(told)
        if graded.name.is_copy:
            out.notes.append(f"{label(graded)} is graded: it is {graded.name.what}, and the notebook itself "
                             "was not handed in")
    for c in rest + [c for fs in by_exercise.values() for c in fs if c is not out.files[c.exercise]]:
        instead = out.files.get(c.exercise) if c.exercise else out.lone
        why = (c.name.what if c.name.is_copy else "an older upload" if c.newness and instead and instead.newness
               else "another notebook for the same exercise")
        if not c.exercise and by_exercise:
            why = c.name.what if c.name.is_copy else "not an exercise notebook (exNN.ipynb)"
        out.notes.append(f"{label(c)} ignored: {why}" + (f"; {label(instead)} is graded" if instead else ""))
        out.ignored.append(f"{c.shown} ignored: {why}" + (f"; {label(instead)} is graded" if instead else ""))
    return out
