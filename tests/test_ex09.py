"""Exercise 9 as a specification: right numbers (as literals or arithmetic, in GB or GiB) pass;
wrong units and missing factors fail with the slip named; the public check leaks no value."""

from pathlib import Path

import pytest

from grader.course import exercises
from helpers import failing, full_marks, grade
from grader.course.exercises.ex09.matrix import CORRECT, WRONG, answer


# WRONG: (answer, failing check, words the message must contain). Its slips of (a) and (b) are
# MATRIX too, which tests/test_matrix.py grades with every exercise folder's.


def check(result, name):
    return next(c for c in result.checks if c.name == name)


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_answer_gets_full_marks(name):
    result = grade("ex09", CORRECT[name])
    assert full_marks(result), [(c.name, c.status, c.message) for c in result.checks if c.status not in ("pass", "manual")]
    assert check(result, "partitioning_explained").status == "manual"


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_value_fails_its_check_and_names_the_slip(name):
    source, check_name, words = WRONG[name]
    result = grade("ex09", source)
    decade = {"sizes_in_the_right_decade"} if check_name != "one_month_scan_fraction" else set()
    assert failing(result) == {check_name} | decade | ({"answer_is_three_numbers"} if name == "c_percent" else set()), \
        [(c.name, c.status, c.message) for c in result.checks]
    assert words in check(result, check_name).message


def test_gib_answer_passes_with_a_note():
    result = grade("ex09", CORRECT["gib"])
    assert "GiB" in check(result, "full_grid_size_gb").message


def test_template_is_missing_everywhere_and_scores_zero():
    template = 'ex09 = {"a_gb": ..., "b_gb": ..., "c_fraction": ..., "c_why": ...}'
    result = grade("ex09", template)
    assert {c.status for c in result.checks} == {"missing"}
    assert result.score == 0


@pytest.mark.parametrize("source,words", [
    ('ex09 = [2.19e8, 109.5, 1 / 12]', "dict"),
    ('ex09 = {"a": 2.19e8, "b": 109.5, "c": 0.08}', "a_gb"),
    ('ex09 = {"a_gb": "219 PB", "b_gb": 109.5, "c_fraction": 0.08}', "number"),
    ('ex09 = {"a_gb": 2.19e8, "b_gb": 109.5, "c_fraction": 12}', "between 0 and 1"),
])
def test_public_check_rejects_the_wrong_shape(source, words):
    result = grade("ex09", source, hidden=False)
    shape = check(result, "answer_is_three_numbers")
    assert shape.status == "fail" and words in shape.message


def test_public_check_passes_any_well_formed_numbers_so_it_leaks_nothing():
    result = grade("ex09", answer(a="1", b="2", c="0.5"), hidden=False)
    assert check(result, "answer_is_three_numbers").status == "pass"


def test_well_formed_trivial_numbers_earn_nothing():
    # issue 10.1: the form check is a gate worth 0; the points are on the values
    result = grade("ex09", answer(a="1", b="1", c="0.5"))
    assert result.score == 0 and check(result, "answer_is_three_numbers").points == 0


def test_expected_values_live_only_in_hidden_code():
    public = Path(exercises.get("ex09").folder, "__init__.py").read_text()
    for value in ("2.19", "109.5", "1 / 12", "1/12", "10e6", "5e6"):
        assert value not in public


def test_python_that_is_not_a_literal_is_refused_not_run():
    result = grade("ex09", 'ex09 = {"a_gb": __import__("os").getpid(), "b_gb": 1, "c_fraction": 0.1}')
    assert check(result, "full_grid_size_gb").status == "error"


def test_short_explanation_is_flagged_for_the_instructor():
    result = grade("ex09", answer(why='"pruning"'))
    c = check(result, "partitioning_explained")
    # worth a point now: a machine does not take it unread; the note tells the student why
    assert c.status == "manual" and "only 1 word" in c.message and c.max_points == 1


def test_per_day_instead_of_per_year_is_named_in_public_without_the_value():
    result = grade("ex09", WRONG["b_one_day"][0], hidden=False)
    message = check(result, "sizes_in_the_right_decade").message
    assert "per day instead of per year" in message and "109" not in message


def test_one_month_instead_of_a_year_is_named_in_public_beside_the_other_slips_that_fit():
    # 5M pairs x 30 days x 60 bytes = 9 GB: off by 12, a factor "rows, not bytes" (60) also fits
    message = check(grade("ex09", answer(a="2.19e8", b="9"), hidden=False), "sizes_in_the_right_decade").message
    assert "one month of as-of days" in message and "109" not in message


def test_bytes_instead_of_gb_is_named_in_public():
    result = grade("ex09", WRONG["a_in_bytes"][0], hidden=False)
    assert "bytes, not GB" in check(result, "sizes_in_the_right_decade").message


def test_the_right_decade_passes_in_public_whatever_the_exact_value():
    result = grade("ex09", answer(a="3e8", b="500"), hidden=False)
    assert check(result, "sizes_in_the_right_decade").status == "pass"
