"""Structured answers as students write them: every natural correct form gets full marks (or a
message naming the form to use), wrong values still fail, and reading a cell is bounded: an odd
cell is one `error` answer with a message, never an exception that voids the notebook."""

from __future__ import annotations

import time

import pytest

from grader.notebook import extract_answers
from grader.structured import NotALiteral, literal_value
from helpers import cells, failing, full_marks, grade, not_passed, statuses


def read(source: str):
    answers, _ = extract_answers(cells(source))
    return answers


# ---------- reading is bounded and never raises ----------

@pytest.mark.parametrize("terms", [1_500, 5_000, 100_000])
def test_long_sum_is_one_error_answer_not_an_exception(terms):
    start = time.monotonic()
    answers = read("ex09 = {'a_gb': " + "+".join(["1"] * terms) + "}")
    assert answers["ex09"].error and "value" in answers["ex09"].error
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("depth", [101, 150, 1_000, 5_000, 100_000])
def test_deeply_nested_lists_are_one_error_answer(depth):
    answers = read("ex09 = " + "[" * depth + "]" * depth)
    assert answers["ex09"].error


@pytest.mark.parametrize("source", [
    "ex09 = " + "-" * 5_000 + "1",                 # unary chain
    "ex09 = " + "(" * 150 + "1" + ")" * 150,       # parentheses add no node: still fine
    "ex09 = {'a': " + "{'b': " * 150 + "1" + "}" * 151,
])
def test_other_deep_shapes_never_raise(source):
    answers = read(source)
    assert "ex09" in answers


def test_the_rest_of_the_notebook_is_still_read_beside_a_hostile_cell():
    answers, _ = extract_answers(cells(
        "ex09 = " + "+".join(["1"] * 1_500),
        "ex04 = {'next_as_of_ts': '2025-12-03 23:59:59'}",
        "%%sql --save ex06\nSELECT 1",
    ))
    assert answers["ex09"].error
    assert answers["ex04"].value == {"next_as_of_ts": "2025-12-03 23:59:59"}
    assert answers["ex06"].sql == "SELECT 1"


def test_moderate_nesting_and_arithmetic_still_read():
    assert literal_value("[[[[1]]]]") == [[[[1]]]]
    assert literal_value("+".join(["1"] * 90)) == 90
    assert literal_value("10e6 * 1e6 * 365 * 60 / 1e9") == pytest.approx(2.19e8)


@pytest.mark.parametrize("src", [
    "f(1)", "x.y", "lambda: 1", "[i for i in []]", "{i: 1 for i in []}", "(i for i in [])",
    "10 ** 100", "2 ** 64 ** 2", "9 ** 9 ** 9", "1e308 * 10", "1e309", "10 ^ 9", "a_gb", "x[0]",
    "{[1]: 2}", "(-8) ** 0.5", "'a' * 10", "'a' + 'b'", "True + 1", "{**{}}", "b'x'", "1j",
])
def test_whitelist_stays_strict(src):
    with pytest.raises(NotALiteral):
        literal_value(src)


# ---------- a cell that is not Python: the line, and what to write instead ----------

@pytest.mark.parametrize("line,words", [
    ('"c_fraction": 8.3%,', "0.083"),
    ('"c_fraction": 8.3 % ,', "0.083"),
    ('"a_gb": 219 PB,', "without units"),
    ('"a_gb": 10M * 1M * 365 * 60 / 1e9,', "10e6"),
    ('"a_gb": 10e6 x 1e6,', "*"),
    ('"a_gb": 10e6 × 1e6,', "*"),
    ('"c_why": “pruning”,', "straight quotes"),
    ('"b_gb": 109,500,000,000 / 1e9,', "thousands"),
    ('"a_gb": 2,19e8,', "decimal point"),
])
def test_invalid_python_names_the_line_and_the_form_to_write(line, words):
    source = f'ex09 = {{\n    "b_gb": 109.5,\n    {line}\n}}'
    error = read(source)["ex09"].error
    assert "line 3" in error and words in error, error


def test_invalid_python_in_a_later_line_of_a_multi_statement_cell():
    error = read("# my answer\nx = 1\nex09 = {'a_gb': 2.19e8, 'c_fraction': 8.3%}")["ex09"].error
    assert "line 3" in error and "0.083" in error


def test_a_name_where_text_belongs_says_to_quote_it():
    error = read("ex09 = {a_gb: 1}")["ex09"].error
    assert "'a_gb'" in error and "quotes" in error


def test_caret_is_explained_as_not_a_power():
    assert "10**9" in read("ex09 = {'a_gb': 10^9}")["ex09"].error
