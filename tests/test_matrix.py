"""The whole matrix of known-wrong answers (issue 11). An exercise declares its matrix beside its
checks, grader/course/exercises/exNN/matrix.py (`MATRIX = {name: wrong(exercise, fails, *cells)}`,
`CORRECT = {name: sql}`; the format is grader/engine/matrix.py), found through
grader.course.exercises.matrices(). This file grades every exercise folder's matrix (each wrong
answer fails EXACTLY its declared checks, each correct formulation of a one-answer SQL exercise
gets full marks; the others are graded in tests/test_exNN.py beside the answers they need) and
reads every declaration as a whole:

- every declared check exists in its exercise;
- every check that reads a SQL answer of a declared exercise is failed by some wrong answer
  (no check without a known mistake that it catches);
- every hidden check of a declared exercise is, for some wrong answer, the only hidden check
  that answer fails: the check's name is a diagnosis, not one of many alarms;
- an empty result with exactly the expected columns earns nothing on any query check (the
  aspects a check judges never excuse doing nothing);
- the same checks fail when the hidden fixtures' ids are disguised.

`python tests/test_matrix.py` prints the matrix's size: wrong answers, checks, and how many
answers fail exactly one check. A matrix.py added to an exercise folder is collected as is."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from grader.course import exercises
from grader.engine.checks import ResultCheck
from helpers import Wrong, grade, sql_cell

HERE = Path(__file__).parent


FOLDERS = exercises.matrices()
# where (the exercise folder) -> its MATRIX
DECLARED: dict[str, dict[str, Wrong]] = {exercise_id: m.MATRIX for exercise_id, m in FOLDERS.items()}
# CORRECT of a one-answer SQL exercise: other formulations of that answer (an exercise with more
# answers, or a structured one, grades its CORRECT in its own test module, beside what it needs)
FOLDER_CORRECT = [(e, name, sql) for e, m in FOLDERS.items()
                  if [a.kind for a in exercises.get(e).answers] == ["sql"]
                  for name, sql in sorted(getattr(m, "CORRECT", {}).items())]
ENTRIES = [(m, name, w) for m, matrix in DECLARED.items() for name, w in sorted(matrix.items())]
EXERCISES = sorted({w.exercise for _, _, w in ENTRIES})


def sql_checks(exercise_id: str, hidden_only: bool = False) -> set[str]:
    ex = exercises.get(exercise_id)
    sql_answers = {a.name for a in ex.answers if a.kind == "sql"}
    checks = ex.hidden if hidden_only else ex.all_checks()
    return {c.name for c in checks if c.answer in sql_answers}


def test_exercise_folders_declare_the_matrices():
    # the collector finds the declarations (a rename would silently empty this file's tests)
    assert {"ex02", "ex03", "ex05", "ex06", "ex07", "ex08", "ex09", "ex10", "ex11", "ex12"} <= set(DECLARED)
    # and an exercise is one folder: a test module uses its folder's matrix, never one of its own
    for path in sorted(HERE.glob("test_ex*.py")):
        matrix = getattr(importlib.import_module(path.stem), "MATRIX", None)
        assert matrix is None or any(matrix is m for m in DECLARED.values()), f"{path.name} declares a MATRIX"


@pytest.mark.parametrize("exercise_id,name,w", ENTRIES, ids=[f"{e}:{n}" for e, n, _ in ENTRIES])
def test_wrong_answer_fails_exactly_its_checks(exercise_id, name, w):
    from helpers import FINDING, failing, not_passed

    # graded as a class is: the hidden checks' verdicts, their counterexamples not computed (the
    # public checks' still are, and shrinking is held to change no status by tests/test_profile.py)
    result = grade(w.exercise, *w.cells, show_hidden_rows=False)
    assert failing(result) == w.fails, not_passed(result)
    # and each failed result check starts with what was found in this answer's result (issue
    # 11.2); a job's or backfill's check (harness) starts with the scenario it ran
    results = {c.name for c in exercises.get(w.exercise).all_checks() if isinstance(c, ResultCheck)}
    for c in result.checks:
        if c.status == "fail" and getattr(c, "tables", None) and c.name in results:
            assert FINDING.match(c.message), (c.name, c.message)


@pytest.mark.parametrize("exercise_id,name,sql", FOLDER_CORRECT, ids=[f"{e}:{n}" for e, n, _ in FOLDER_CORRECT])
def test_correct_formulation_gets_full_marks(exercise_id, name, sql):
    from helpers import full_marks, not_passed

    (answer,) = exercises.get(exercise_id).answers
    result = grade(exercise_id, sql_cell(answer.name, sql))
    assert full_marks(result), not_passed(result)


@pytest.mark.parametrize("module,name,w", ENTRIES, ids=[f"{m}:{n}" for m, n, _ in ENTRIES])
def test_declared_checks_exist(module, name, w):
    names = {c.name for c in exercises.get(w.exercise).all_checks()}
    assert w.fails, "a wrong answer fails at least one check"
    assert w.fails <= names, sorted(w.fails - names)


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_every_sql_check_catches_some_declared_mistake(exercise_id):
    caught = set().union(*(w.fails for _, _, w in ENTRIES if w.exercise == exercise_id))
    assert sql_checks(exercise_id) <= caught, sorted(sql_checks(exercise_id) - caught)


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_every_hidden_check_is_the_only_hidden_check_some_mistake_fails(exercise_id):
    hidden = sql_checks(exercise_id, hidden_only=True)
    alone = {next(iter(w.fails & hidden)) for _, _, w in ENTRIES
             if w.exercise == exercise_id and len(w.fails & hidden) == 1}
    assert hidden <= alone, sorted(hidden - alone)


@pytest.mark.parametrize("module,name,w", ENTRIES, ids=[f"{m}:{n}" for m, n, _ in ENTRIES])
def test_the_same_checks_fail_when_the_hidden_fixtures_are_disguised(module, name, w):
    # aspects and controls are written over times and values, never ids, so renaming every id
    # (grader/engine/disguise.py) changes no verdict. Only the hidden checks are disguised, and a
    # status never depends on the counterexample a failure is shrunk to: they run unshrunk.
    from grader.course.exercises import load
    from grader.engine.notebook import extract_answers
    from grader.engine.sandbox import Limits
    from helpers import cells

    answers, _ = extract_answers(cells(*w.cells))
    hidden = load(w.exercise, secret="matrix-disguise").hidden
    failed = {c.name for c in hidden if c.run(answers, Limits(shrink=False)).status not in ("pass", "manual")}
    assert failed == w.fails & {c.name for c in hidden}


def _empty(columns: list[str]) -> str:
    # NULL of no particular type would be a wrong type; text NULLs are enough for "no rows"
    return "SELECT " + ", ".join(f"NULL AS {c}" for c in columns) + " WHERE false"


EMPTY = [
    pytest.param(ex.id, c.answer, c.name, _empty(c.columns), id=f"{ex.id}:{c.name}")
    for ex in exercises.all_exercises() for c in ex.all_checks()
    if isinstance(c, ResultCheck) and c.state_sql is None and c.columns
]


@pytest.mark.parametrize("exercise_id,answer,check,sql", EMPTY)
def test_an_empty_result_with_the_right_columns_earns_nothing(exercise_id, answer, check, sql):
    result = grade(exercise_id, sql_cell(answer, sql))
    got = next(c for c in result.checks if c.name == check)
    assert got.status != "pass" and got.points == 0, got.message


def figures() -> dict[str, int]:
    """The matrix's size: wrong answers, checks they are judged by, and how many fail exactly one
    check (and exactly one hidden check)."""
    checks = set().union(*(sql_checks(e) for e in EXERCISES)) if EXERCISES else set()
    per = [(w, w.fails & sql_checks(w.exercise, hidden_only=True)) for _, _, w in ENTRIES]
    return {
        "wrong answers": len(ENTRIES),
        "exercises": len(EXERCISES),
        "checks": sum(len(sql_checks(e)) for e in EXERCISES),
        "distinct check names": len(checks),
        "fail exactly one check": sum(len(w.fails) == 1 for w, _ in per),
        "fail exactly one hidden check": sum(len(h) == 1 for _, h in per),
        "fail more than one hidden check": sum(len(h) > 1 for _, h in per),
    }


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    for k, v in figures().items():
        print(f"{k}: {v}")
    print("per exercise (wrong answers / checks / exactly one hidden check / more than one):")
    for e in EXERCISES:
        mine = [w for _, _, w in ENTRIES if w.exercise == e]
        hidden = sql_checks(e, hidden_only=True)
        print(f"  {e}: {len(mine)} / {len(sql_checks(e))} / {sum(len(w.fails & hidden) == 1 for w in mine)}"
              f" / {sum(len(w.fails & hidden) > 1 for w in mine)}")
