"""The exercises, one package each (exNN/__init__.py + lesson.md + hidden.py). The ids are the
folders: adding an exercise means adding one folder (README: "Adding an exercise")."""

from __future__ import annotations

import dataclasses
import importlib
import os
import re
from functools import lru_cache
from pathlib import Path

from grader.engine.disguise import disguise_checks
from grader.engine.exercise import SECRET_ENV, Exercise

HERE = Path(__file__).resolve().parent


def _discover() -> list[str]:
    """The exercise folders present (exNN holding an __init__.py), in order: a release that ships
    fewer folders has fewer ids."""
    return sorted(p.name for p in HERE.iterdir()
                  if re.fullmatch(r"ex\d\d", p.name) and (p / "__init__.py").is_file())


IDS = _discover()


def load(module_name: str, secret: str | None = None) -> Exercise:
    """Import grader.course.exercises.<id>; attach its hidden checks when hidden.py is present, their
    fixtures disguised by `secret` (default: $GRADER_FIXTURE_SECRET, if set)."""
    mod = importlib.import_module(f"grader.course.exercises.{module_name}")
    secret = os.environ.get(SECRET_ENV) if secret is None else secret
    # A copy: the module's declaration stays as written whatever secret a caller asks for.
    ex: Exercise = dataclasses.replace(mod.EXERCISE, folder=Path(mod.__file__).parent)
    try:
        hidden = importlib.import_module(f"grader.course.exercises.{module_name}.hidden")
    except ModuleNotFoundError as exc:
        if exc.name != f"grader.course.exercises.{module_name}.hidden":
            raise
    else:
        for c in hidden.CHECKS:
            c.hidden = True
        ex.hidden = disguise_checks(hidden.CHECKS, secret)
        # Rubrics say the answer, so they live beside the hidden checks (never in the student
        # bundle) and reach the written-answer checks only where hidden.py is present.
        for c in ex.checks:
            if c.name in getattr(hidden, "RUBRICS", {}):
                c.rubric = hidden.RUBRICS[c.name]
        ex.link()
    return ex


@lru_cache(maxsize=None)
def get(exercise_id: str) -> Exercise:
    if exercise_id not in IDS:
        raise KeyError(f"no exercise {exercise_id!r}; known: {', '.join(IDS)}")
    return load(exercise_id)


# Written into a student release (no hidden.py there): the hidden checks' names, as README's
# exercise table publishes them, so check() can say what grading also tries.
HIDDEN_NAMES = Path(__file__).with_name("hidden_checks.json")


def hidden_check_names(ex: Exercise) -> list[str]:
    """The names of `ex`'s hidden checks: from its hidden.py, else from a release's list."""
    if ex.hidden:
        return [c.name for c in ex.hidden]
    try:
        import json

        return list(json.loads(HIDDEN_NAMES.read_text(encoding="utf-8")).get(ex.id, []))
    except (OSError, ValueError):
        return []


def available() -> list[str]:
    """Ids whose package is present: the folders found (a release may ship fewer)."""
    return list(IDS)


def all_exercises() -> list[Exercise]:
    return [get(i) for i in available()]


def matrices() -> dict:
    """exercise id -> its matrix module (exNN/matrix.py: MATRIX of known-wrong answers, CORRECT
    of other right ones; format grader/engine/matrix.py), for every exercise folder that has one,
    in id order. None in a student release: matrix.py never ships."""
    out = {}
    for exercise_id in available():
        try:
            out[exercise_id] = importlib.import_module(f"grader.course.exercises.{exercise_id}.matrix")
        except ModuleNotFoundError as exc:
            if exc.name != f"grader.course.exercises.{exercise_id}.matrix":
                raise
    return out


def for_answer(name: str) -> Exercise:
    """The exercise an answer name belongs to (ex12b -> ex12)."""
    return get(name[:4])
