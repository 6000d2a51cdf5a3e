"""Exercise 9 as a specification: right numbers (as literals or arithmetic, in GB or GiB) pass;
wrong units and missing factors fail with the slip named; the public check leaks no value."""

from pathlib import Path

import pytest

from grader.course import exercises
from helpers import failing, full_marks, grade, wrong

WHY = "Training filters on one month, so the engine reads only that month's partition and skips the other eleven."


def answer(a="10e6 * 1e6 * 365 * 60 / 1e9", b="5e6 * 365 * 60 / 1e9", c="1 / 12", why=repr(WHY)) -> str:
    return f'ex09 = {{"a_gb": {a}, "b_gb": {b}, "c_fraction": {c}, "c_why": {why}}}'


def check(result, name):
    return next(c for c in result.checks if c.name == name)


CORRECT = {
    "arithmetic": answer(),
    "literals": answer(a="2.19e8", b="109.5", c="0.0833"),
    "rounded": answer(a="2.2e8", b="110", c="0.08"),
    "gib": answer(a="10e6 * 1e6 * 365 * 60 / 2**30", b="5e6 * 365 * 60 / 1024**3"),
    "days_of_december": answer(c="31 / 365"),
    "days_of_february": answer(c="28 / 365"),
    "ints_and_underscores": answer(a="219_000_000", b="109_5 / 10", c="30 / 365"),
}

# (answer, failing check, words the message must contain)
WRONG = {
    "a_in_bytes": (answer(a="10e6 * 1e6 * 365 * 60"), "full_grid_size_gb", "bytes"),
    "a_in_mb": (answer(a="10e6 * 1e6 * 365 * 60 / 1e6"), "full_grid_size_gb", "MB"),
    "a_in_tb": (answer(a="219000"), "full_grid_size_gb", "TB"),
    "a_in_pb": (answer(a="219"), "full_grid_size_gb", "PB"),
    "a_rows_not_bytes": (answer(a="10e6 * 1e6 * 365"), "full_grid_size_gb", "60 bytes"),
    "a_one_day": (answer(a="10e6 * 1e6 * 60 / 1e9"), "full_grid_size_gb", "365"),
    "a_one_million_users": (answer(a="1e6 * 1e6 * 365 * 60 / 1e9"), "full_grid_size_gb", "10^7"),
    "a_from_50b_rows": (answer(a="50e9 * 60 / 1e9"), "full_grid_size_gb", "50B"),
    "b_in_bytes": (answer(b="5e6 * 365 * 60"), "observed_size_gb", "bytes"),
    "b_in_mb": (answer(b="109500"), "observed_size_gb", "MB"),
    "b_in_tb": (answer(b="0.1095"), "observed_size_gb", "TB"),
    "b_one_day": (answer(b="5e6 * 60 / 1e9"), "observed_size_gb", "365"),
    "b_from_1b_rows": (answer(b="60"), "observed_size_gb", "1B"),
    "b_unrelated": (answer(b="42"), "observed_size_gb", "not right"),
    "c_skipped_share": (answer(c="11 / 12"), "one_month_scan_fraction", "skips"),
    "c_one_day": (answer(c="1 / 365"), "one_month_scan_fraction", "day"),
    "c_full_scan": (answer(c="1"), "one_month_scan_fraction", "prune"),
    "c_percent": (answer(c="100 / 12"), "one_month_scan_fraction", "percentage"),
}


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


# For tests/test_matrix.py and tests/test_public_signal.py: the slips of (a) and (b), each failing
# its hidden value check and the public order-of-magnitude check (the values stay hidden).
MATRIX = {name: wrong("ex09", {check_name, "sizes_in_the_right_decade"}, source)
          for name, (source, check_name, _) in WRONG.items() if check_name != "one_month_scan_fraction"}


def test_per_day_instead_of_per_year_is_named_in_public_without_the_value():
    result = grade("ex09", WRONG["b_one_day"][0], hidden=False)
    message = check(result, "sizes_in_the_right_decade").message
    assert "per day instead of per year" in message and "109" not in message


def test_bytes_instead_of_gb_is_named_in_public():
    result = grade("ex09", WRONG["a_in_bytes"][0], hidden=False)
    assert "bytes, not GB" in check(result, "sizes_in_the_right_decade").message


def test_the_right_decade_passes_in_public_whatever_the_exact_value():
    result = grade("ex09", answer(a="3e8", b="500"), hidden=False)
    assert check(result, "sizes_in_the_right_decade").status == "pass"
