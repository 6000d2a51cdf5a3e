"""From the paths an instructor names to units: one per student, with who they are.

`gather` runs STEPS, a declared list of small steps over one Intake (a test swaps a step):

1. open_paths: each path named (a folder, a notebook, a .zip); a zip is extracted into the
   run's work folder (zips.py, under its limits); links are never followed.
2. find_units: every folder is read once (walk.py), debris skipped (debris.py); what a
   folder holds decides what it is (layouts.py):
   - `submission_metadata.yml`: a Gradescope export, one unit per submission folder, named
     by its submitters (gradescope_export.py);
   - files or folders named as a learning platform's download names them (lms_names.PLATFORMS:
     Canvas, PrairieLearn, Moodle, Blackboard, Brightspace): one unit per student as the
     platform names them, all their files grouped (uploads, attempts, Moodle's plugin folders,
     PrairieLearn's question sub-folders, a student's own zip); of several notebooks for one
     exercise the newest is graded and the others are listed;
   - exercise notebooks of distinct exercises (scratch copies aside): one student's folder;
   - two notebooks of one exercise naming different students (`ex06-ada`, `ex06-bob`): a
     class folder; the notebooks are grouped by the student each names (`ada`), each group
     graded on its exercises;
   - other notebooks (`ada.ipynb`): one unit each, named by the file;
   - several hand-ins side by side (`class/ada/`, `class/bob.zip`): each folder or zip whose
     exercise notebooks are plainly one student's (no exercise twice, copies aside) is that student,
     named by the folder or zip whatever it wraps them in (`ada/week12/ex06.ipynb`); a folder
     holding only a zip (`class/ada/submission.zip`, or a zip inside a zip's one folder) is named
     by the folder or the outer zip, a zip by its own name as the student wrote it (`Ada
     Lovelace.zip`); a zip beside a student's notebooks is theirs too. Anything else (a
     section's folder or zip of students' folders) is read as a folder of its own. Several
     folders or zips named on the command line are side by side too. One of them holding
     files but no notebook (`ex06.pdf`) is listed as its student's submission, not dropped.
   A link named as a student's whole-workbook notebook (`dan.ipynb`) is dan's submission, unread.
   A notebook a browser or an editor renamed (`ex06.ipynb.json`, `ex06.ipynb.txt`) is read
   as the notebook it is, and the student told (copies.notebook_name).
   Zips inside are opened (to ZipLimits.max_depth) where they lie.
3. infer_scope: a per-exercise hand-in (units made of exercise notebooks named for a student,
   a lone exercise notebook, a PrairieLearn download's questions) is graded on its exercises
   (set where the unit is made); a Canvas, Moodle, Blackboard or Brightspace download or a
   Gradescope export whose every student handed in exercise notebooks is graded on the
   exercises the class handed in (an assignment is the same exercises for everyone).
4. apply_scope: `--exercises` narrows every unit to those exercises (a unit left with none is
   dropped and listed).
5. order: units sorted by path, each once.
6. name_clashes: units that came out under one name are listed (`same_name`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

from grader.delivery import zips
from grader.delivery.layouts import scan, students_folder
from grader.delivery.students import candidate
from grader.delivery.units import Identity, Unit
from grader.delivery.walk import Intake, Where, entries, lone_file, open_zip, student_unit


# ---------- 1. the paths named ----------

def open_paths(st: Intake) -> None:
    for given in st.paths:
        p = Path(given)
        if not p.exists() and not p.is_symlink():
            raise FileNotFoundError(f"no such file or folder: {p}")
        where = Where(Path(os.path.abspath(p)), os.path.abspath(p), str(given).rstrip("/") or str(given))
        if p.is_symlink():  # `grader check submissions/*` would otherwise follow a student's link
            st.note("link", f"{where.shown} is a link: not followed (name the file or folder it points to)", tell=True)
            continue
        if p.is_file() and p.name.lower().endswith(".zip"):
            inside = open_zip(st, where, 1)
            if inside:
                st.sources.append((inside, 1))
            continue
        st.sources.append((where, 0))


# ---------- 2. folders -> units ----------

def find_units(st: Intake) -> None:
    several = len(st.sources) > 1  # hand-ins named side by side (`grader check class/*.zip`)
    for where, depth in st.sources:
        if where.real.is_dir():
            if not (several and students_folder(st, where, depth, 0)):
                scan(st, where, depth, 0)
        else:
            lone_file(st, where)


# ---------- 3-5. scope and order ----------

def infer_scope(st: Intake) -> None:
    for platform, units in st.deliveries:
        covered = [set(u.files) for u in units if u.files]
        if units and len(covered) == len(units):
            scope = sorted(set().union(*covered))
            for u in units:
                u.exercises = scope
            st.note("scope", f"{platform} delivery of {len(units)} students: graded on the exercises they handed in "
                             f"({', '.join(scope)}); name others with --exercises")


def apply_scope(st: Intake) -> None:
    if not st.only:
        return
    kept = []
    for u in st.units:
        wanted = [i for i in (u.exercises or st.only) if i in st.only]
        if wanted:
            u.exercises = wanted
            kept.append(u)
        else:
            st.note("scope", f"{u.shown}: holds only {', '.join(u.exercises or [])}, outside --exercises: not graded")
    st.units = kept


def order(st: Intake) -> None:
    st.units = list({u.key: u for u in sorted(st.units, key=lambda u: u.key)}.values())


def name_clashes(st: Intake) -> None:
    """Submissions that came out under one name are graded as different students, and said so:
    two Alices in two sections, or a layout whose names are not the students' (every hand-in
    wrapped the same way below a folder the intake could not tell was the student's)."""
    by_name: dict[str, list[Unit]] = {}
    for u in st.units:
        by_name.setdefault(u.identity.student, []).append(u)
    for name, units in by_name.items():
        if len(units) > 1:
            shown = ", ".join(u.shown for u in units[:4]) + (", …" if len(units) > 4 else "")
            st.note("same_name", f"{len(units)} submissions are named {name!r} ({shown}): graded apart; "
                                 "if that is not a student's name, rename their folders")


STEPS: list[Callable[[Intake], None]] = [open_paths, find_units, infer_scope, apply_scope, order, name_clashes]


def gather(paths: Iterable[str | Path], workdir: Path | None = None, only: list[str] | None = None,
           log: Callable[[str], None] | None = None, steps=None, limits: zips.ZipLimits | None = None) -> Intake:
    """Run the steps on `paths`; zips are extracted below `workdir` (the caller removes it;
    without one, a temp folder removed when the process ends)."""
    st = Intake([str(p) for p in paths], Path(workdir) if workdir else None, list(only) if only else None, limits or zips.ZipLimits(), log)
    for step in steps or STEPS:
        step(st)
    return st


def unit_of(path: Path) -> Unit:
    """One submission at a path, as callers that name one submission mean it: a notebook, or a
    student's folder (the notebooks directly in it; copies set aside). Opens no zip."""
    where = Where(Path(os.path.abspath(path)), os.path.abspath(path), str(path))
    st = Intake([], None)
    if not where.real.is_dir() or where.real.is_symlink():
        lone_file(st, where)
        return st.units[0]
    notebooks = entries(st, where)[0]
    unit = student_unit(st, where, Identity(where.real.name), [candidate(w.real, w.shown) for w in notebooks])
    told = st.unreadable.get(where.key, [])
    if unit is None:
        return Unit(where.real, where.key, where.shown, Identity(where.real.name), notes=told)
    unit.notes[:0] = told
    return unit
