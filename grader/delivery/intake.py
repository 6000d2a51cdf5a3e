"""From the paths an instructor names to units: one per student, with who they are.

`gather` runs STEPS, a declared list of small steps over one Intake (a test swaps a step):

1. open_paths: each path named (a folder, a notebook, a .zip); a zip is extracted into the
   run's work folder (zips.py, under its limits); links are never followed.
2. find_units: every folder is read once, debris skipped (debris.py); what a folder holds
   decides what it is:
   - `submission_metadata.yml`: a Gradescope export, one unit per submission folder, named
     by its submitters (gradescope_export.py);
   - Canvas-named files (canvas_names.py): one unit per Canvas user id, all their uploads
     (a student's own zip included) grouped;
   - exercise notebooks of distinct exercises (scratch copies aside): one student's folder;
   - two notebooks of one exercise naming different students (`ex06-ada`, `ex06-bob`): a
     class folder; the notebooks are grouped by the student each names (`ada`), each group
     graded on its exercises;
   - other notebooks (`ada.ipynb`): one unit each, named by the file.
   Zips inside are opened (to ZipLimits.max_depth) where they lie.
3. infer_scope: a per-exercise hand-in (units made of exercise notebooks named for a student,
   or a lone exercise notebook) is graded on its exercises; a Canvas download or Gradescope
   export whose every student handed in exercise notebooks is graded on the exercises the
   class handed in (an assignment is the same exercises for everyone).
4. apply_scope: `--exercises` narrows every unit to those exercises (a unit left with none is
   dropped and listed).
5. order: units sorted by path, each once.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from grader.delivery import canvas_names, debris, gradescope_export, zips
from grader.delivery.students import Candidate, candidate, choose
from grader.delivery.units import Identity, Note, Unit


@dataclass(frozen=True)
class Where:
    """A place in what the instructor named: on disk, as a result path, as shown to them."""

    real: Path
    key: str
    shown: str

    def child(self, name: str, real: Path | None = None) -> "Where":
        sep = "" if self.key.endswith("!") else "/"
        return Where(real or self.real / name, self.key + sep + name, self.shown + ("" if self.shown.endswith("!") else "/") + name)


@dataclass
class Intake:
    paths: list[str]
    workdir: Path
    only: list[str] | None = None  # --exercises
    limits: zips.ZipLimits = zips.ZipLimits()
    log: Callable[[str], None] | None = None
    sources: list[tuple[Where, int]] = field(default_factory=list)  # (where, zip depth)
    units: list[Unit] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    deliveries: list[tuple[str, list[Unit]]] = field(default_factory=list)  # (platform, its units)
    zip_count: int = 0

    def note(self, kind: str, message: str, tell: bool = False) -> None:
        self.notes.append(Note(kind, message))
        if tell and self.log:
            self.log(message)


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


def open_zip(st: Intake, where: Where, depth: int) -> Where | None:
    """Extract a zip into the work folder: the folder it became (named after the zip), or None."""
    if depth > st.limits.max_depth:
        st.note("refused", f"{where.shown}: a zip inside zips {depth - 1} deep (at most {st.limits.max_depth - 1}): "
                           "not opened", tell=True)
        return None
    st.zip_count += 1
    stem = re.sub(r"[^\w.-]", "_", where.real.stem)[:80] or "zip"
    holder = st.workdir / f"{st.zip_count:05d}"
    holder.mkdir(mode=0o700)
    try:
        out = zips.extract(where.real, holder / stem, where.shown, st.limits)
    except zips.ZipRefused as exc:
        st.note("refused", str(exc), tell=True)
        return None
    for line in out.skipped:
        st.note("debris", line)
    for line in out.refused:
        st.note("refused", line, tell=True)
    return Where(out.root, where.key + "!", where.shown + "!")


# ---------- 2. folders -> units ----------

def find_units(st: Intake) -> None:
    for where, depth in st.sources:
        if where.real.is_dir():
            _scan(st, where, depth, 0)
        else:
            _lone_file(st, where)


def _lone_file(st: Intake, where: Where) -> None:
    """A notebook named on the command line: graded as given, named by its file."""
    cn = canvas_names.parse(where.real.name)
    c = candidate(where.real, where.shown, cn.original if cn else None)
    identity = Identity(cn.student if cn else where.real.stem, cn.user_id if cn else None, bool(cn and cn.late),
                        sources=[where.shown])
    st.units.append(Unit(where.real, where.key, where.shown, identity,
                         exercises=[c.exercise] if c.exercise else None))


def _entries(st: Intake, where: Where):
    """(notebooks, zips, folders, has Gradescope metadata) directly in a folder, debris skipped."""
    notebooks, archives, folders, metadata = [], [], [], False
    try:
        entries = sorted(os.scandir(where.real), key=lambda e: e.name)
    except OSError as exc:
        st.note("refused", f"{where.shown}: cannot list folder ({exc.strerror})", tell=True)
        return notebooks, archives, folders, metadata
    for e in entries:
        is_dir = e.is_dir(follow_symlinks=False)
        why = debris.reason(e.name, is_dir)
        if why:
            st.note("debris", f"{where.child(e.name).shown}: {why}")
        elif e.is_symlink():
            if e.name.lower().endswith((".ipynb", ".zip")) or e.is_dir():
                st.note("link", f"{where.child(e.name).shown}: a link, not followed", tell=True)
        elif is_dir:
            folders.append(where.child(e.name))
        elif e.name == gradescope_export.METADATA:
            metadata = True
        elif e.name.lower().endswith(".ipynb"):
            if e.is_file(follow_symlinks=False):
                notebooks.append(where.child(e.name))
            else:
                st.note("refused", f"{where.child(e.name).shown}: not a regular file, not read", tell=True)
        elif e.name.lower().endswith(".zip") and e.is_file(follow_symlinks=False):
            archives.append(where.child(e.name))
    return notebooks, archives, folders, metadata


MAX_FOLDER_DEPTH = 8


def _scan(st: Intake, where: Where, zip_depth: int, depth: int) -> None:
    notebooks, archives, folders, metadata = _entries(st, where)
    if metadata:
        return _gradescope(st, where, folders, zip_depth)
    canvas: dict[str, tuple[canvas_names.CanvasName, list[Candidate]]] = {}
    plain: list[Where] = []
    for w in notebooks + archives:
        cn = canvas_names.parse(w.real.name)
        if cn is None and w in notebooks:
            plain.append(w)
            continue
        if cn is None:  # a zip: a folder of its own (a student's `ada.zip`, a class's zip in a zip)
            inside = open_zip(st, w, zip_depth + 1)
            if inside:
                folders.append(inside)
            continue
        bag = canvas.setdefault(cn.key, (cn, []))[1]
        if w in notebooks:
            bag.append(candidate(w.real, w.shown, cn.original, (cn.upload_id, cn.renamed)))
        else:  # a student's own zip: every notebook in it is theirs
            inside = open_zip(st, w, zip_depth + 1)
            bag.extend(_all_notebooks(st, inside, zip_depth + 1, (cn.upload_id, cn.renamed)) if inside else [])
        canvas[cn.key] = (max(canvas[cn.key][0], cn, key=lambda n: (n.late, n.upload_id)), bag)
    if canvas:
        made = [_canvas_unit(st, where, cn, bag) for cn, bag in canvas.values()]
        st.deliveries.append(("Canvas", [u for u in made if u]))
    _hand_laid(st, where, plain)
    if depth >= MAX_FOLDER_DEPTH:
        if folders:
            st.note("refused", f"{where.shown}: folders more than {MAX_FOLDER_DEPTH} deep are not read", tell=True)
        return
    for f in folders:
        _scan(st, f, zip_depth + (1 if f.key.endswith("!") else 0), depth + 1)


def _all_notebooks(st: Intake, where: Where, zip_depth: int, newness: tuple = (), depth: int = 0) -> list[Candidate]:
    """Every notebook under a folder a single student handed in (their zip, a Gradescope submission)."""
    notebooks, archives, folders, _ = _entries(st, where)
    found = [candidate(w.real, w.shown, newness=newness) for w in notebooks]
    for w in archives:
        inside = open_zip(st, w, zip_depth + 1)
        if inside:
            found += _all_notebooks(st, inside, zip_depth + 1, newness, depth + 1)
    for f in folders if depth < MAX_FOLDER_DEPTH else []:
        found += _all_notebooks(st, f, zip_depth, newness, depth + 1)
    return found


def _student_unit(st: Intake, where: Where, identity: Identity, cands: list[Candidate], why: str | None = None,
                  exercises: list[str] | None = None) -> Unit | None:
    """One student's unit from their notebooks (copies and other notebooks set aside)."""
    if not cands:
        st.note("refused", f"{where.shown}: no notebook found for {identity.student}", tell=True)
        return None
    choice = choose(cands)
    for line in choice.ignored:
        st.note("copy", line)
    identity.sources = [c.shown for c in choice.chosen]
    notes = list(choice.notes)
    if why:
        notes.insert(0, why)
        st.note("grouped", f"{where.shown}: {why}")
    if choice.lone:
        unit = Unit(choice.lone.path, where.key, where.shown, identity, notes=notes)
    else:
        unit = Unit(where.real, where.key, where.shown, identity, {i: c.path for i, c in choice.files.items()},
                    exercises, notes)
    st.units.append(unit)
    return unit


def _canvas_unit(st: Intake, folder: Where, cn: canvas_names.CanvasName, bag: list[Candidate]) -> Unit | None:
    identity = Identity(cn.student, cn.user_id, cn.late)
    uploads = len({c.newness for c in bag})
    why = (f"{uploads} Canvas uploads of user {cn.user_id} ({cn.student}) graded together as one submission"
           if uploads > 1 else None)
    return _student_unit(st, folder.child(cn.key, folder.real), identity, bag, why)


def _gradescope(st: Intake, where: Where, folders: list[Where], zip_depth: int) -> None:
    try:
        submitters = gradescope_export.read(where.real / gradescope_export.METADATA)
    except ValueError as exc:
        st.note("refused", f"{where.shown}: {exc}; each submission folder is named by its folder", tell=True)
        submitters = {}
    made = []
    for f in folders:
        people = submitters.get(f.real.name) or [gradescope_export.Submitter(f.real.name)]
        first = people[0]
        identity = Identity(first.name, login=first.email or first.sid)
        why = (f"a group submission of {', '.join(p.name for p in people)}: graded once, listed under {first.name}"
               if len(people) > 1 else None)
        unit = _student_unit(st, Where(f.real, f.key, f.shown), identity, _all_notebooks(st, f, zip_depth), why)
        if unit:
            made.append(unit)
    st.deliveries.append(("Gradescope", made))


_NAME_PART = re.compile(r"^ex\d\d[\s_.-]*", re.I)


def _hand_laid(st: Intake, where: Where, notebooks: list[Where]) -> None:
    cands = [candidate(w.real, w.shown) for w in notebooks]
    if not cands:
        return
    own = [c for c in cands if c.exercise and not c.name.is_copy]
    per_exercise: dict[str, set[str]] = {}
    for c in own:
        per_exercise.setdefault(c.exercise, set()).add(c.name.base)
    if any(len(bases) > 1 for bases in per_exercise.values()):
        return _class_folder(st, where, cands, per_exercise)
    if any(c.exercise for c in cands):  # one student's folder; copies and other notebooks set aside
        _student_unit(st, where, Identity(where.real.name), cands)
        return
    by_base: dict[str | None, list[Candidate]] = {}
    for c in cands:
        by_base.setdefault(c.name.base, []).append(c)
    untitled = by_base.pop(None, [])
    for base, group in sorted(by_base.items()):  # `ada.ipynb`, with its copies
        _student_unit(st, where.child(_best_name(group)), Identity(base), group)
    if untitled and not by_base:  # only Untitled notebooks: the folder's student's work
        _student_unit(st, where, Identity(where.real.name), untitled)
    for c in untitled if by_base else []:
        st.note("copy", f"{c.shown} ignored: {c.name.what}, not a student's notebook")


def _best_name(group: list[Candidate]) -> str:
    return next((c.path.name for c in group if not c.name.is_copy), group[0].path.name)


def _class_folder(st: Intake, where: Where, cands: list[Candidate], per_exercise: dict[str, set[str]]) -> None:
    """Notebooks naming different students for one exercise: grouped by the student each names."""
    i, bases = next((i, b) for i, b in sorted(per_exercise.items()) if len(b) > 1)
    st.note("split", f"{where.shown} holds {len(bases)} notebooks for {i} ({', '.join(sorted(bases)[:4])}"
                     f"{', …' if len(bases) > 4 else ''}): it is not one student's folder, so its notebooks are "
                     "graded by the student each file names", tell=True)
    groups: dict[str, list[Candidate]] = {}
    for c in cands:
        if c.name.kind == "untitled":
            st.note("copy", f"{c.shown} ignored: {c.name.what}, in a class folder it names no student")
            continue
        who = (_NAME_PART.sub("", c.name.base) if c.exercise else c.name.base) or c.name.base
        groups.setdefault(who, []).append(c)
    for who, group in sorted(groups.items()):
        names = sorted({c.path.name for c in group if not c.name.is_copy}) or [group[0].path.name]
        key = where.child(names[0]) if len(names) == 1 else where.child(who, where.real)
        why = (f"graded as a submission of its own: {where.shown} also holds other students' notebooks "
               f"for {i}, so the folder is not one student's work")
        if len(names) > 1:
            why = f"{', '.join(names)} are {who}'s (the class folder names a student in each file name)"
        exercises = sorted({c.exercise for c in group if c.exercise}) or None
        unit = _student_unit(st, key, Identity(who), group, exercises=exercises)
        if unit:
            unit.notes.insert(0, why)
            if len(names) > 1:
                st.note("grouped", f"{key.shown}: {why}")


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


STEPS: list[Callable[[Intake], None]] = [open_paths, find_units, infer_scope, apply_scope, order]


def gather(paths: Iterable[str | Path], workdir: Path, only: list[str] | None = None,
           log: Callable[[str], None] | None = None, steps=None, limits: zips.ZipLimits | None = None) -> Intake:
    """Run the steps on `paths`; zips are extracted below `workdir` (the caller removes it)."""
    st = Intake([str(p) for p in paths], Path(workdir), list(only) if only else None, limits or zips.ZipLimits(), log)
    for step in steps or STEPS:
        step(st)
    return st


def unit_of(path: Path) -> Unit:
    """One submission at a path, as callers that name one submission mean it: a notebook, or a
    student's folder (the notebooks directly in it; copies set aside). Opens no zip."""
    where = Where(Path(os.path.abspath(path)), os.path.abspath(path), str(path))
    st = Intake([], Path(os.devnull))
    if not where.real.is_dir() or where.real.is_symlink():
        _lone_file(st, where)
        return st.units[0]
    notebooks = _entries(st, where)[0]
    unit = _student_unit(st, where, Identity(where.real.name), [candidate(w.real, w.shown) for w in notebooks])
    told = [n.message for n in st.notes if n.kind in ("refused", "link")]
    if unit is None:
        return Unit(where.real, where.key, where.shown, Identity(where.real.name), notes=told)
    unit.notes[:0] = told
    return unit
