"""Shared by the tests: grade SQL or literal answers without writing a notebook file."""

from __future__ import annotations

from grader.course import exercises
from grader.grading.grade import grade_exercise
from grader.engine.notebook import extract_answers


def cells(*sources: str) -> list[dict]:
    return [{"cell_type": "code", "source": s} for s in sources]


from grader.engine.matrix import sql_cell  # noqa: E402,F401  (one spelling of an answer cell)


def grade(exercise_id: str, *sources: str, hidden: bool = True, show_hidden_rows: bool = True):
    """Grade answer cells (sources as a student would type them) against one exercise; without
    `show_hidden_rows` as a class is graded (hidden checks' counterexamples not computed)."""
    answers, _ = extract_answers(cells(*sources))
    return grade_exercise(exercises.get(exercise_id), answers, hidden=hidden, show_hidden_rows=show_hidden_rows)


def statuses(result) -> dict[str, str]:
    return {c.name: c.status for c in result.checks}


def failing(result) -> set[str]:
    return {c.name for c in result.checks if c.status not in ("pass", "manual")}


def full_marks(result) -> bool:
    return result.score == result.max_score and not failing(result)


def not_passed(result) -> list[tuple]:
    return [(c.name, c.status, c.message) for c in result.checks if c.status not in ("pass", "manual")]


def mutation_tests(submit, wrong: dict, correct: dict):
    """The two specifications every SQL answer gets, as test functions for a module to adopt:
    each wrong answer (name -> (check, sql)) fails the check named for its mistake, and each
    correct formulation (name -> sql) gets full marks. `submit(sql=...)` grades one answer."""
    import pytest

    @pytest.mark.parametrize("name", sorted(wrong))
    def test_wrong_answer_fails_the_check_named_for_its_mistake(name):
        check, sql = wrong[name]
        assert check in failing(submit(sql=sql)), statuses(submit(sql=sql))

    @pytest.mark.parametrize("name", sorted(correct))
    def test_correct_formulation_gets_full_marks(name):
        result = submit(sql=correct[name])
        assert full_marks(result), not_passed(result)

    return test_wrong_answer_fails_the_check_named_for_its_mistake, test_correct_formulation_gets_full_marks


# ---- the matrix: every known-wrong answer and the exact set of checks it must fail ----
#
# An exercise declares `MATRIX = {name: Wrong(...)}` in its folder (exNN/matrix.py);
# tests/test_matrix.py grades every entry and checks the declarations as a whole.

# The format lives beside the exercises' own matrices (grader/engine/matrix.py).
from grader.engine.matrix import Wrong, wrong  # noqa: E402,F401


# How a result check's message starts: with the difference found (see compare.Diff.summary),
# after which run of a script checked after each run (Exercise 7's sample check).
import re  # noqa: E402

FINDING = re.compile(
    r"^(After the (first run|rerun): )?(Compared with your own answer .*?: )?"
    r"(\d+ (expected row|row|key)|None of the \d+ expected|[a-z_0-9]+ is [A-Z]|missing column|The first run worked|Your script wrote nothing)",
    re.I,
)
