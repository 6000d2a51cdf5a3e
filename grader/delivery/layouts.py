"""What a folder holds decides what it is: a Gradescope export, a learning platform's download
(files or folders named as lms_names.PLATFORMS declares: Canvas, PrairieLearn, Moodle, Blackboard,
Brightspace), one student's folder, a class folder of per-exercise hand-ins, or whole-workbook
notebooks (the rules are listed in intake.py)."""

from __future__ import annotations

import re
from pathlib import Path

from grader.delivery import gradescope_export, lms_names
from grader.delivery.students import Candidate, candidate
from grader.delivery.units import Identity, Unit
from grader.delivery.walk import (MAX_FOLDER_DEPTH, Intake, Where, all_notebooks, entries, open_zip, other_files, peek,
                                  student_unit)
from grader.engine.notebook import without_exercise

# (platform name, student key) -> (the platform, the newest name read, the student's notebooks)
Found = dict[tuple[str, str], tuple[lms_names.Platform, lms_names.LmsName, list[Candidate]]]


def scan(st: Intake, where: Where, zip_depth: int, depth: int) -> None:
    """The units of a folder and the folders below it (zips opened where they lie)."""
    notebooks, archives, folders, metadata = entries(st, where)
    if metadata:
        return _gradescope(st, where, folders, zip_depth)
    found: Found = {}
    plain: list[Where] = []
    zipped: list[Where] = []
    for w in notebooks + archives:
        named = lms_names.parse(w.real.name)
        if named:
            _take(st, found, *named, w, w in archives, zip_depth)
        elif w in notebooks:
            plain.append(w)
        else:  # a zip: a folder of its own (a student's `ada.zip`, a class's zip in a zip)
            zipped.append(w)
    rest = []
    for f in folders:
        platform = _students_folder(f) if depth < MAX_FOLDER_DEPTH else None
        if platform is None:
            rest.append(f)
            continue
        for w, path, is_zip in _below(st, f, f.real.name, depth + 1):
            named = lms_names.parse(path)
            if named:
                _take(st, found, *named, w, is_zip, zip_depth)
            else:
                st.note("refused", f"{w.shown}: in a {platform} student's folder, but not named as {platform} "
                                   "names a student's file: not graded", tell=True)
    _platform_units(st, where, found)
    _hand_laid(st, where, plain)
    # Several hand-ins side by side (`class/ada/`, `class/bob.zip`): each folder or zip holding one
    # student's work is that student, named by it, whatever folders it wraps the notebooks in
    # (`ada/week12/ex06.ipynb`, `bob.zip!week12/ex06.ipynb`: not two students called `week12`).
    side_by_side = len(plain) + len(zipped) + len(rest) > 1
    for w in zipped:
        inside = open_zip(st, w, zip_depth + 1)
        if inside and not (side_by_side and students_folder(st, inside, zip_depth + 1, depth)):
            rest.append(inside)
    if depth >= MAX_FOLDER_DEPTH:
        if rest:
            st.note("refused", f"{where.shown}: folders more than {MAX_FOLDER_DEPTH} deep are not read", tell=True)
        return
    for f in rest:
        if not (side_by_side and f in folders and students_folder(st, f, zip_depth, depth + 1)):
            scan(st, f, zip_depth + (1 if f.key.endswith("!") else 0), depth + 1)


def students_folder(st: Intake, f: Where, zip_depth: int, depth: int) -> bool:
    """A folder or zip beside other hand-ins, read as one student's, named by it, when it plainly
    is: holding only a zip (`class/ada/submission.zip`: every student's zip may be called that;
    `ada.zip!ada/inner.zip`), or one student's exercise notebooks (with the zips beside them).
    False: nothing was read (the caller scans it)."""
    found = peek(f.real)  # what the folder holds, looked at once for every rule below
    name = hand_in_name(f)
    lone = _lone_zip(found)
    if lone:
        _zip_in_students_folder(st, f, lone, name, zip_depth, depth)
        return True
    return one_student(st, f, zip_depth, name, found) or no_notebook(st, f, name, found)


def hand_in_name(where: Where) -> str:
    """The student a hand-in names: its folder's name, or its zip's as the student named it
    (`Ada Lovelace.zip`: `Ada Lovelace`; the folder it is extracted to has a safe name)."""
    if where.key.endswith("!"):
        return Path(re.split(r"[/!]", where.key[:-1])[-1]).stem or where.real.name
    return where.real.name


def no_notebook(st: Intake, where: Where, name: str, found: list[str]) -> bool:
    """A student's hand-in holding files but no notebook (only `ex06.pdf`, an HTML export):
    listed as their submission, with what it held, so nobody who handed something in is left
    out of the results. False when it holds a notebook or a zip (`found`, peek's), or nothing at all."""
    if found or lms_names.folder_platforms(where.real.name):  # (Moodle's `_onlinetext` folder)
        return False
    held = st.others.get(where.key, []) if where.key.endswith("!") else other_files(where.real)
    if not held:
        return False
    entries(st, where)  # its debris, noted
    more = f" and {len(held) - 5} more" if len(held) > 5 else ""
    st.units.append(Unit(where.real, where.key.rstrip("!"), where.shown.rstrip("!"), Identity(name),
                         notes=[f"{', '.join(held[:5])}{more}: not a notebook (.ipynb); hand in the notebook itself"]))
    st.note("refused", f"{where.shown.rstrip('!')}: no notebook, only {', '.join(held[:3])}"
                       f"{' …' if len(held) > 3 else ''}: listed as {name}'s submission, with nothing to grade")
    return True


def _lone_zip(found: list[str]) -> str | None:
    """The one thing a folder holds (`found`, peek's) when it is a zip not named by a platform, in
    it or wrapped in one folder (`ada/inner.zip`, a zip zipped with its folder), else None."""
    if len(found) == 1 and found[0].lower().endswith(".zip") and found[0].count("/") <= 1 \
            and not lms_names.parse(found[0]):
        return found[0]
    return None


def _one_students_work(folder: Path, found: list[str]) -> bool:
    """Whether the notebooks below a folder are plainly one student's exercise notebooks: in it
    or in one folder level below (a wrapper: `week12/ex06.ipynb`; deeper, `class/ada/ex06.ipynb`
    is a class's layout, read as one), no exercise twice, scratch copies aside; zips only beside
    them in the folder itself (`ada/ex06.ipynb` and `ada/submission.zip`: the student's too),
    nothing a platform's download or a Gradescope export names. (A whole-workbook notebook,
    `alice.ipynb`, names its student itself.) `found`: peek's look below the folder."""
    zipped = [p for p in found if p.lower().endswith(".zip")]
    if not found or any("/" in p for p in zipped) or any(p.count("/") > 1 for p in found) \
            or (folder / gradescope_export.METADATA).exists() \
            or any(lms_names.parse(p) or lms_names.parse(p.rsplit("/", 1)[-1]) for p in found):
        return False
    own = [c for c in (candidate(Path(p), p) for p in found if p not in zipped) if not c.name.is_copy]
    exercises = [c.exercise for c in own if c.exercise]
    return bool(exercises) and len(exercises) == len(set(exercises))


def one_student(st: Intake, where: Where, zip_depth: int, name: str, found: list[str] | None = None) -> bool:
    """Everything below `where` as one student's unit named `name`, when it is plainly one
    student's work (else False: the caller reads it as a folder of its own). `found`: peek's
    look below `where`, when the caller has it."""
    if not _one_students_work(where.real, peek(where.real) if found is None else found):
        return False
    unit = student_unit(st, where, Identity(name), all_notebooks(st, where, zip_depth))
    if unit:  # notebooks that could not be read (links, pipes), wherever they lay below
        below = where.key if where.key.endswith("!") else where.key + "/"
        unit.notes[:0] = [n for key, told in st.unreadable.items() if key == where.key or key.startswith(below)
                          for n in told]
    return True


def _zip_in_students_folder(st: Intake, f: Where, lone: str, name: str, zip_depth: int, depth: int) -> None:
    """A student's folder or zip beside the others holding only a zip: the zip is that student's
    hand-in, named `name` (by the folder or outer zip). A zip of several students' work (a
    section's) is read as a folder of its own instead."""
    entries(st, f)  # the folder's debris, noted
    inside = open_zip(st, f.child(lone), zip_depth + 1)
    if inside is not None and not one_student(st, inside, zip_depth + 1, name):
        scan(st, inside, zip_depth + 1, depth + 1)


def _students_folder(f: Where) -> str | None:
    """The platform that keeps (part of) a student's files in this folder (Moodle's `Ada
    Lovelace_1234567_assignsubmission_file`, Brightspace's `123-456 - Ada Lovelace - Dec 1, 2026 1012 AM`,
    PrairieLearn's `ada@uni.edu_1_week12` of a qid with `/`): its name may be one, and a notebook
    or zip below it is named so in full. None for any other folder."""
    name = f.real.name
    if not lms_names.folder_platforms(name):
        return None
    for path in peek(f.real):
        found = lms_names.parse(f"{name}/{path}")
        if found:
            return found[0].name
    return None


def _below(st: Intake, where: Where, path: str, depth: int) -> list[tuple[Where, str, bool]]:
    """(where, path within the download, is a zip) of the notebooks and zips below a student's folder."""
    notebooks, archives, folders, _ = entries(st, where)
    out = [(w, f"{path}/{w.real.name}", w in archives) for w in notebooks + archives]
    for f in folders if depth < MAX_FOLDER_DEPTH else []:
        out += _below(st, f, f"{path}/{f.real.name}", depth + 1)
    return out


def _take(st: Intake, found: Found, platform: lms_names.Platform, name: lms_names.LmsName, w: Where,
          is_zip: bool, zip_depth: int) -> None:
    """One file of a platform's download into its student's bag; a student's own zip: every notebook in it is theirs."""
    _, newest, bag = found.setdefault((platform.name, name.key), (platform, name, []))
    if is_zip:
        inside = open_zip(st, w, zip_depth + 1)
        bag.extend(all_notebooks(st, inside, zip_depth + 1, name.newness) if inside else [])
    else:
        bag.append(candidate(w.real, w.shown, name.original, name.newness))
    newest = max(newest, name, key=lambda n: (n.late, n.newness))  # Canvas: a late upload marks the student late
    found[(platform.name, name.key)] = (platform, newest, bag)


def _platform_units(st: Intake, folder: Where, found: Found) -> None:
    by_platform: dict[str, tuple[lms_names.Platform, list[Unit]]] = {}
    for platform, name, bag in found.values():
        hand_ins = len({c.newness for c in bag})
        why = (f"{hand_ins} {platform.name} {platform.attempt}s of {name.who} graded together as one submission"
               if hand_ins > 1 else None)
        own = sorted({c.exercise for c in bag if c.exercise}) or None if platform.per_student_scope else None
        unit = student_unit(st, folder.child(name.key, folder.real), name.identity(), bag, why, exercises=own)
        made = by_platform.setdefault(platform.name, (platform, []))[1]
        if unit:
            made.append(unit)
    for platform, units in by_platform.values():
        if not platform.per_student_scope:
            st.deliveries.append((platform.name, units))
        elif units:
            st.note("scope", f"{platform.name} download of {len(units)} students: each graded on the exercises "
                             "(questions) they handed in, the last upload of each")


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
        unit = student_unit(st, f, identity, all_notebooks(st, f, zip_depth), why)
        if unit:
            made.append(unit)
    st.deliveries.append(("Gradescope", made))


def _hand_laid(st: Intake, where: Where, notebooks: list[Where]) -> None:
    """Units of a folder laid out by hand, from the notebooks directly in it."""
    cands = [candidate(w.real, w.shown) for w in notebooks]
    unreadable = st.unreadable.get(where.key, [])
    # a link or pipe named as a student's whole-workbook notebook (`dan.ipynb`): dan's submission, unread
    named = {t: c for t in unreadable if (c := candidate(Path(t.rsplit(": ", 1)[0]), t)).name.base
             and not c.exercise and not any(o.exercise for o in cands)}
    for text, c in named.items():
        if c.name.base not in {o.name.base for o in cands}:
            w = where.child(c.path.name)
            st.units.append(Unit(w.real, w.key, w.shown, Identity(c.name.base), notes=[text]))
    if not cands:
        if unreadable and not named:  # a student's folder of links or pipes: a submission that cannot be read
            st.units.append(Unit(where.real, where.key, where.shown, Identity(where.real.name), notes=unreadable))
        return
    own = [c for c in cands if c.exercise and not c.name.is_copy]
    per_exercise: dict[str, set[str]] = {}
    for c in own:
        per_exercise.setdefault(c.exercise, set()).add(c.name.base)
    if any(_names_students(bases) for bases in per_exercise.values()):
        return _class_folder(st, where, cands, per_exercise)
    if any(c.exercise for c in cands):  # one student's folder; copies and other notebooks set aside
        unit = student_unit(st, where, Identity(where.real.name), cands)
        if unit:
            unit.notes[:0] = unreadable
        return
    by_base: dict[str | None, list[Candidate]] = {}
    for c in cands:
        by_base.setdefault(c.name.base, []).append(c)
    untitled = by_base.pop(None, [])
    for base, group in sorted(by_base.items()):  # `ada.ipynb`, with its copies
        student_unit(st, where.child(_best_name(group)), Identity(base), group)
    if untitled and not by_base:  # only Untitled notebooks: the folder's student's work
        student_unit(st, where, Identity(where.real.name), untitled)
    for c in untitled if by_base else []:
        st.note("copy", f"{c.shown} ignored: {c.name.what}, not a student's notebook")


def _names_students(bases: set[str]) -> bool:
    """Whether one exercise's notebooks name two students (`ex06-ada`, `ex06-bob`): a class
    folder. `ex06` beside `my_ex06_attempt` names one at most: a student's two tries."""
    return len({without_exercise(b) for b in bases} - {""}) > 1


def _best_name(group: list[Candidate]) -> str:
    return next((c.path.name for c in group if not c.name.is_copy), group[0].path.name)


def _class_folder(st: Intake, where: Where, cands: list[Candidate], per_exercise: dict[str, set[str]]) -> None:
    """Notebooks naming different students for one exercise: grouped by the student each names."""
    i, bases = next((i, b) for i, b in sorted(per_exercise.items()) if _names_students(b))
    st.note("split", f"{where.shown} holds {len(bases)} notebooks for {i} ({', '.join(sorted(bases)[:4])}"
                     f"{', …' if len(bases) > 4 else ''}): it is not one student's folder, so its notebooks are "
                     "graded by the student each file names", tell=True)
    groups: dict[str, list[Candidate]] = {}
    for c in cands:
        if c.name.kind == "untitled":
            st.note("copy", f"{c.shown} ignored: {c.name.what}, in a class folder it names no student")
            continue
        who = (without_exercise(c.name.base) if c.exercise else c.name.base) or c.name.base
        groups.setdefault(who, []).append(c)
    for who, group in sorted(groups.items()):
        names = sorted({c.path.name for c in group if not c.name.is_copy}) or [group[0].path.name]
        key = where.child(names[0]) if len(names) == 1 else where.child(who, where.real)
        why = (f"graded as a submission of its own: its folder also holds other students' notebooks "
               f"for {i}, so the folder is not one student's work")
        if len(names) > 1:
            why = f"{', '.join(names)} are {who}'s (the class folder names a student in each file name)"
        exercises = sorted({c.exercise for c in group if c.exercise}) or None
        unit = student_unit(st, key, Identity(who), group, exercises=exercises)
        if unit:
            unit.notes.insert(0, why)
            if len(names) > 1:
                st.note("grouped", f"{key.shown}: {why}")


