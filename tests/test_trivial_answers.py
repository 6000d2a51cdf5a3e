"""Nothing earns nothing (issue 10). Generated from the declarations: for every answer an
exercise declares, trivial answers (SQL that returns a constant, nothing, an error, or only
reads; a script that writes nothing; the notebook's own placeholder; empty or trivial literals)
score 0 on every check that reads it, in its own exercise and in every exercise that reuses it
(found from the checks' `answer` fields). An exercise added later is covered without new code."""

from __future__ import annotations

import pytest

from grader.course import exercises
from grader.grading.grade import grade_exercise
from grader.authoring.lesson import Cell, placeholder as lesson_placeholder, read as read_lesson
from grader.engine.notebook import extract_answers
from grader.engine.structured import assignments
from helpers import cells

ALL = exercises.all_exercises()

TRIVIAL_SQL = {
    "select_1": "SELECT 1",
    "empty_result": "SELECT 1 WHERE false",
    "error": "SELECT * FROM no_such_table",
    "read_only_count": "SELECT count(*) FROM events",
    "read_only_table": "SELECT * FROM feature_table",
    "writes_nothing": (
        "CREATE TEMP TABLE scratch AS SELECT * FROM events;\n"
        "DELETE FROM feature_table WHERE false;\n"
        "UPDATE feature_job_control SET last_run_ts = last_run_ts WHERE false;\n"
        "DROP TABLE scratch"
    ),
}

TRIVIAL_VALUES = {"one": "1", "half": "0.5", "empty_string": "''", "a": "'a'", "none": "None",
                  "empty_list": "[]", "empty_dict": "{}", "list_of_a": "['a']", "list_of_empty": "['']",
                  "zero": "0", "true": "True"}


def declared_answers() -> dict[str, str]:
    """Every answer name any exercise declares, with its kind."""
    out: dict[str, str] = {}
    for ex in ALL:
        for a in ex.answers:
            out.setdefault(a.name, a.kind)
    return out


def readers(name: str) -> list:
    """The exercises with a check reading this answer (its own, and any that reuse it)."""
    return [ex for ex in ALL if any(c.answer == name for c in ex.all_checks())]


def keys_read(name: str) -> list[str]:
    return sorted({c.key for ex in ALL for c in ex.all_checks()
                   if c.answer == name and getattr(c, "key", None)})


def placeholder(name: str, kind: str) -> str:
    """The cell a student's notebook holds for this answer before it is answered: the lesson's
    student block, else the standard placeholder the notebook builder puts there."""
    for ex in readers(name):
        for cell in read_lesson(ex.lesson).student_cells():
            if cell.role != "answer":
                continue
            if cell.save == name or (cell.language == "python" and name in assignments(cell.source)):
                return cell.source
    return lesson_placeholder(Cell("code", "", "solution", name if kind == "sql" else None))


def trivial_cells(name: str, kind: str) -> dict[str, str]:
    if kind == "sql":
        cases = {k: f"%%sql --save {name}\n{sql}" for k, sql in TRIVIAL_SQL.items()}
    else:
        cases = {f"whole_{k}": f"{name} = {v}" for k, v in TRIVIAL_VALUES.items()}
        keys = keys_read(name)
        if keys:
            for k, v in TRIVIAL_VALUES.items():
                cases[f"keys_{k}"] = f"{name} = {{" + ", ".join(f"{key!r}: {v}" for key in keys) + "}"
    cases["placeholder"] = placeholder(name, kind)
    return cases


CASES = [
    pytest.param(name, case, source, ex.id, id=f"{name}-{case}-in-{ex.id}")
    for name, kind in sorted(declared_answers().items())
    for case, source in trivial_cells(name, kind).items()
    for ex in readers(name)
]


@pytest.mark.parametrize("name,case,source,exercise_id", CASES)
def test_trivial_answer_scores_zero_on_every_check_that_reads_it(name, case, source, exercise_id):
    answers, _ = extract_answers(cells(source))
    # a generic placeholder ("# YOUR ANSWER HERE\n...") defines no answer: graded as absent
    assert name in answers or case == "placeholder", f"the trivial cell was not read as {name}"
    result = grade_exercise(exercises.get(exercise_id), answers, hidden=True)
    # a check worth points must not pass; a 0-point form gate may say the form is right
    earned = [(c.name, c.status, c.points, c.message[:160]) for c in result.checks
              if c.points or (c.status == "pass" and c.max_points)]
    assert not earned, earned
    assert result.score == 0


def test_every_declared_answer_is_read_by_some_check():
    # An answer no check reads would silently escape this file's guarantee.
    for name in declared_answers():
        assert readers(name), name


def test_the_generated_cases_cover_every_declared_answer_and_its_reusers():
    covered = {(p.values[0], p.values[3]) for p in CASES}
    for name in declared_answers():
        for ex in readers(name):
            assert (name, ex.id) in covered
    # reuse is found from the checks, not hard-coded: Exercise 10 re-runs the Exercise 8 job
    assert "ex10" in {ex.id for ex in readers("ex08")}
