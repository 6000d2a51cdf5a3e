"""What a folder holds decides what it is: a Gradescope export, a Canvas download, one
student's folder, a class folder of per-exercise hand-ins, or whole-workbook notebooks (the
rules are listed in intake.py)."""

from __future__ import annotations

import re

from grader.delivery import canvas_names, gradescope_export
from grader.delivery.students import Candidate, candidate
from grader.delivery.units import Identity, Unit
from grader.delivery.walk import (MAX_FOLDER_DEPTH, Intake, Where, all_notebooks, entries, open_zip,
                                  student_unit)


def scan(st: Intake, where: Where, zip_depth: int, depth: int) -> None:
    """The units of a folder and the folders below it (zips opened where they lie)."""
    notebooks, archives, folders, metadata = entries(st, where)
    if metadata:
        return _gradescope(st, where, folders, zip_depth)
    canvas: dict[str, tuple[canvas_names.CanvasName, list[Candidate]]] = {}
    plain: list[Where] = []
    zipped: list[Where] = []
    for w in notebooks + archives:
        cn = canvas_names.parse(w.real.name)
        if cn is None and w in notebooks:
            plain.append(w)
            continue
        if cn is None:  # a zip: a folder of its own (a student's `ada.zip`, a class's zip in a zip)
            zipped.append(w)
            continue
        bag = canvas.setdefault(cn.key, (cn, []))[1]
        if w in notebooks:
            bag.append(candidate(w.real, w.shown, cn.original, (cn.upload_id, cn.renamed)))
        else:  # a student's own zip: every notebook in it is theirs
            inside = open_zip(st, w, zip_depth + 1)
            bag.extend(all_notebooks(st, inside, zip_depth + 1, (cn.upload_id, cn.renamed)) if inside else [])
        canvas[cn.key] = (max(canvas[cn.key][0], cn, key=lambda n: (n.late, n.upload_id)), bag)
    if canvas:
        made = [_canvas_unit(st, where, cn, bag) for cn, bag in canvas.values()]
        st.deliveries.append(("Canvas", [u for u in made if u]))
    _hand_laid(st, where, plain)
    for w in zipped:
        inside = open_zip(st, w, zip_depth + 1)
        if inside:
            folders.append(inside)
    if depth >= MAX_FOLDER_DEPTH:
        if folders:
            st.note("refused", f"{where.shown}: folders more than {MAX_FOLDER_DEPTH} deep are not read", tell=True)
        return
    for f in folders:
        scan(st, f, zip_depth + (1 if f.key.endswith("!") else 0), depth + 1)


def _canvas_unit(st: Intake, folder: Where, cn: canvas_names.CanvasName, bag: list[Candidate]) -> Unit | None:
    identity = Identity(cn.student, cn.user_id, cn.late)
    uploads = len({c.newness for c in bag})
    why = (f"{uploads} Canvas uploads of user {cn.user_id} ({cn.student}) graded together as one submission"
           if uploads > 1 else None)
    return student_unit(st, folder.child(cn.key, folder.real), identity, bag, why)


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


_NAME_PART = re.compile(r"^ex\d\d[\s_.-]*", re.I)


def _hand_laid(st: Intake, where: Where, notebooks: list[Where]) -> None:
    """Units of a folder laid out by hand, from the notebooks directly in it."""
    cands = [candidate(w.real, w.shown) for w in notebooks]
    unreadable = st.unreadable.get(where.key, [])
    if not cands:
        if unreadable:  # a student's folder of links or pipes: reported as a submission that cannot be read
            st.units.append(Unit(where.real, where.key, where.shown, Identity(where.real.name), notes=unreadable))
        return
    own = [c for c in cands if c.exercise and not c.name.is_copy]
    per_exercise: dict[str, set[str]] = {}
    for c in own:
        per_exercise.setdefault(c.exercise, set()).add(c.name.base)
    if any(len(bases) > 1 for bases in per_exercise.values()):
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


