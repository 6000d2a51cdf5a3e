"""Reading what was handed in: where things are (on disk, as a result path, as shown), the
intake's state, zips opened in place, a folder's entries with debris skipped, and one
student's notebooks made into a unit (students.choose decides which are graded)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from grader.delivery import debris, gradescope_export, lms_names, zips
from grader.delivery.copies import notebook_name
from grader.delivery.students import Candidate, candidate, choose, renamed
from grader.delivery.units import Identity, Note, Unit
from grader.engine.results import safe_text


@dataclass(frozen=True)
class Where:
    """A place in what the instructor named: on disk, as a result path, as shown to them."""

    real: Path
    key: str
    shown: str

    def child(self, name: str, real: Path | None = None) -> "Where":
        """A file or folder inside (after `!`, inside a zip); `real`: where it is on disk, when
        the child is a group of files rather than a file (`class/ada`)."""

        def join(base: str) -> str:
            return base + ("" if base.endswith("!") else "/") + name

        return Where(real or self.real / name, join(self.key), join(self.shown))


@dataclass
class Intake:
    paths: list[str]
    workdir: Path | None  # where zips are extracted; None: a temp folder made at the first zip, removed at exit
    only: list[str] | None = None  # --exercises
    limits: zips.ZipLimits = zips.ZipLimits()
    log: Callable[[str], None] | None = None
    sources: list[tuple[Where, int]] = field(default_factory=list)  # (where, zip depth)
    units: list[Unit] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    deliveries: list[tuple[str, list[Unit]]] = field(default_factory=list)  # (platform, its units)
    zip_count: int = 0
    extracted: int = 0  # bytes written from zips so far (ZipLimits.max_run_bytes)
    unreadable: dict[str, list[str]] = field(default_factory=dict)  # folder key -> its notebooks not read
    others: dict[str, list[str]] = field(default_factory=dict)  # a zip's key -> members it held that are not read

    def note(self, kind: str, message: str, tell: bool = False) -> None:
        message = safe_text(message, paths=False)  # a file name that is not UTF-8 is shown escaped
        self.notes.append(Note(kind, message))
        if tell and self.log:
            self.log(message)


def open_zip(st: Intake, where: Where, depth: int) -> Where | None:
    """Extract a zip into the work folder: the folder it became (named after the zip), or None."""
    if depth > st.limits.max_depth:
        st.note("refused", f"{where.shown}: a zip inside zips {depth - 1} deep (at most {st.limits.max_depth - 1}): "
                           "not opened", tell=True)
        return None
    st.zip_count += 1
    stem = re.sub(r"[^\w.-]", "_", where.real.stem)[:80] or "zip"
    if st.workdir is None:
        import atexit
        import shutil
        import tempfile

        st.workdir = Path(tempfile.mkdtemp(prefix="week12-intake-"))
        atexit.register(shutil.rmtree, st.workdir, True)
    holder = st.workdir / f"{st.zip_count:05d}"
    holder.mkdir(mode=0o700)
    try:
        out = zips.extract(where.real, holder / stem, where.shown, st.limits, st.limits.max_run_bytes - st.extracted)
    except zips.ZipRefused as exc:
        st.note("refused", str(exc), tell=True)
        return None
    st.extracted += out.written
    if out.others:
        st.others[where.key + "!"] = list(out.others)
    for line in out.skipped:
        st.note("debris", line)
    for line in out.refused:
        st.note("refused", line, tell=True)
    return Where(out.root, where.key + "!", where.shown + "!")


def lone_file(st: Intake, where: Where) -> None:
    """A notebook named on the command line: graded as given, named by its file."""
    found = lms_names.parse(where.real.name)  # `lovelaceada_LATE_101_9001_ex06-1.ipynb`: Canvas's lovelaceada
    name = found[1] if found else None
    c = candidate(where.real, where.shown, name.original if name else None)
    own = Path(notebook_name(where.real.name) or where.real.name).stem  # `ada.ipynb.json`: ada
    identity = name.identity([where.real.name]) if name else Identity(own, sources=[where.real.name])
    st.units.append(Unit(where.real, where.key, where.shown, identity,
                         exercises=[c.exercise] if c.exercise else None, notes=[n for n in [renamed(c.label)] if n]))


def entries(st: Intake, where: Where):
    """(notebooks, zips, folders, has Gradescope metadata) directly in a folder, debris skipped;
    notebooks that cannot be read (links, pipes) are noted in st.unreadable[folder]."""
    notebooks, archives, folders, metadata = [], [], [], False
    unreadable = st.unreadable.setdefault(where.key, [])
    try:
        listing = sorted(os.scandir(where.real), key=lambda e: e.name)
    except OSError as exc:
        st.note("refused", f"{where.shown}: cannot list folder ({exc.strerror})", tell=True)
        return notebooks, archives, folders, metadata
    for e in listing:
        is_dir = e.is_dir(follow_symlinks=False)
        why = debris.reason(e.name, is_dir)
        if why:
            st.note("debris", f"{where.child(e.name).shown}: {why}")
        elif e.is_symlink():
            if notebook_name(e.name) or e.name.lower().endswith(".zip") or e.is_dir():
                st.note("link", f"{where.child(e.name).shown}: a link, not followed", tell=True)
            if notebook_name(e.name):
                unreadable.append(f"{e.name}: a symbolic link, not read (hand in the notebook itself)")
        elif is_dir:
            folders.append(where.child(e.name))
        elif e.name == gradescope_export.METADATA:
            metadata = True
        elif notebook_name(e.name):
            if e.is_file(follow_symlinks=False):
                notebooks.append(where.child(e.name))
            else:
                st.note("refused", f"{where.child(e.name).shown}: not a regular file, not read", tell=True)
                unreadable.append(f"{e.name}: not a regular file, not read")
        elif e.name.lower().endswith(".zip") and e.is_file(follow_symlinks=False):
            archives.append(where.child(e.name))
    return notebooks, archives, folders, metadata


MAX_FOLDER_DEPTH = 8


def peek(folder: Path, depth: int = 0) -> list[str]:
    """The paths (`sub/ex06.ipynb`) of the notebooks and zips below a folder, debris, hidden
    folders and links left out: a look that notes nothing, before deciding what the folder is."""
    try:
        listing = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    found = []
    for e in listing:
        if e.is_symlink() or debris.reason(e.name, e.is_dir(follow_symlinks=False)):
            continue
        if e.is_dir(follow_symlinks=False):
            found += [f"{e.name}/{p}" for p in peek(Path(e.path), depth + 1)] if depth < MAX_FOLDER_DEPTH else []
        elif (notebook_name(e.name) or e.name.lower().endswith(".zip")) and e.is_file(follow_symlinks=False):
            found.append(e.name)  # (a pipe or device named so is nobody's work: entries() reports it)
    return found


def other_files(folder: Path, limit: int = 20) -> list[str]:
    """The paths of files below a folder that are neither notebooks nor zips nor debris (a PDF, an
    HTML export, a .py), the first `limit` of them: what a hand-in without a notebook held."""
    found: list[str] = []
    for root, dirs, files in os.walk(folder):  # links are neither followed nor listed
        dirs[:] = sorted(d for d in dirs if not debris.reason(d, True) and not os.path.islink(os.path.join(root, d)))
        for name in sorted(files):
            path = os.path.join(root, name)
            if not (debris.reason(name, False) or notebook_name(name) or name.lower().endswith(".zip")
                    or os.path.islink(path)):
                found.append(os.path.relpath(path, folder))
                if len(found) >= limit:
                    return found
    return found


def all_notebooks(st: Intake, where: Where, zip_depth: int, newness: tuple = (), depth: int = 0) -> list[Candidate]:
    """Every notebook under a folder a single student handed in (their zip, a Gradescope submission)."""
    notebooks, archives, folders, _ = entries(st, where)
    found = [candidate(w.real, w.shown, newness=newness) for w in notebooks]
    for w in archives:
        inside = open_zip(st, w, zip_depth + 1)
        if inside:
            found += all_notebooks(st, inside, zip_depth + 1, newness, depth + 1)
    for f in folders if depth < MAX_FOLDER_DEPTH else []:
        found += all_notebooks(st, f, zip_depth, newness, depth + 1)
    return found


def student_unit(st: Intake, where: Where, identity: Identity, cands: list[Candidate], why: str | None = None,
                 exercises: list[str] | None = None) -> Unit | None:
    """One student's unit from their notebooks (copies and other notebooks set aside)."""
    if not cands:
        st.note("refused", f"{where.shown}: no notebook found for {identity.student}", tell=True)
        return None
    choice = choose(cands, lambda c: _within(c.shown, where.shown))
    for line in choice.ignored:
        st.note("copy", line)
    identity.sources = [_within(c.shown, where.shown) for c in choice.chosen]
    notes = list(choice.notes)
    if why:
        notes.insert(0, why)
        st.note("grouped", f"{where.shown}: {why}")
    key, shown = where.key.rstrip("!"), where.shown.rstrip("!")  # a student's own zip: `class/ada.zip`
    if choice.lone:
        unit = Unit(choice.lone.path, key, shown, identity, notes=notes)
    else:
        unit = Unit(where.real, key, shown, identity, {i: c.path for i, c in choice.files.items()}, exercises, notes)
    st.units.append(unit)
    return unit


def _within(shown: str, unit: str) -> str:
    """A graded file's name within its submission (`ex06.ipynb`, `work.zip!ex06.ipynb`): no
    machine path reaches a student's result."""
    cut = max(unit.rfind("/"), unit.rfind("!"))
    for prefix in (unit + "/", unit + "!", unit[:cut + 1] if cut >= 0 else ""):
        if prefix and shown.startswith(prefix):
            return shown[len(prefix):]
    return shown.replace("!", "/").rsplit("/", 1)[-1]


