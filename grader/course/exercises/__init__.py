"""The twelve exercises, one package each (exNN/__init__.py + lesson.md + hidden.py).
Adding an exercise means adding one folder and its id here."""

from __future__ import annotations

from functools import lru_cache

from grader.engine.exercise import Exercise, load

IDS = [f"ex{n:02d}" for n in range(1, 13)]


@lru_cache(maxsize=None)
def get(exercise_id: str) -> Exercise:
    if exercise_id not in IDS:
        raise KeyError(f"no exercise {exercise_id!r}; known: {', '.join(IDS)}")
    return load(exercise_id)


def available() -> list[str]:
    """Ids whose package is present (all twelve in the repo; a release may ship fewer)."""
    import importlib.util

    return [i for i in IDS if importlib.util.find_spec(f"grader.course.exercises.{i}") is not None]


def all_exercises() -> list[Exercise]:
    return [get(i) for i in available()]


def for_answer(name: str) -> Exercise:
    """The exercise an answer name belongs to (ex12b -> ex12)."""
    return get(name[:4])
