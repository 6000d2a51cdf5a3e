"""Structured answers as students write them: every natural correct form gets full marks (or a
message naming the form to use), wrong values still fail, and reading a cell is bounded: an odd
cell is one `error` answer with a message, never an exception that voids the notebook."""

from __future__ import annotations

import time

import pytest

from grader.engine.notebook import extract_answers
from grader.engine.structured import NotALiteral, literal_value
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


# ---------- natural correct forms, per structured answer ----------

def check_of(result, name):
    return next(c for c in result.checks if c.name == name)


def judged(result, names):
    """status and message of the named checks"""
    return {n: (check_of(result, n).status, check_of(result, n).message) for n in names}


def all_pass(result, names) -> bool:
    return all(check_of(result, n).status == "pass" for n in names)


EX01_CHECKS = ["backfill_when_history_changes", "new_days_are_incremental"]
EX01_DEFS = ("'backfill_definition': 'A backfill recomputes a range of past as-of days.', "
             "'incremental_definition': 'An incremental run computes the next as-of day only.'")


def ex01(backfill: str, key: str = "backfill"):
    return grade("ex01", f"ex01 = {{{key!r}: {backfill}, {EX01_DEFS}}}")


@pytest.mark.parametrize("backfill", [
    '["new_feature", "bug_fix", "new_entities"]',
    '"new_feature, bug_fix, new_entities"',                       # one string
    '"new_feature; bug_fix; new_entities"',
    '"new_feature\\nbug_fix\\nnew_entities"',
    '["New feature", "bug-fix", " NEW_ENTITIES "]',              # spaced, hyphenated, case
    '"new_feature, bug_fix and new_entities"',                    # keys joined as in a sentence
    '"new_feature / bug_fix & new_entities"',
    '"- new_feature\\n- bug_fix\\n- new_entities"',                # bullets
    '"1. new_feature\\n2. bug_fix\\n3. new_entities"',             # numbered
    '{"bug_fix", "new_entities", "new_feature"}',
    # the situations' own text, as the notebook's table shows it (backticks included)
    '["A new feature definition (say `views_7d` is added) must exist for the past year of training data.", '
    '"A bug in `ctr_7d` was fixed; the rows already written for November hold wrong values.", '
    '"A new region\'s users and items are onboarded, with 6 months of their events already in `events`."]',
])
def test_ex01_natural_forms_get_full_marks(backfill):
    result = ex01(backfill)
    assert all_pass(result, EX01_CHECKS), judged(result, EX01_CHECKS)


def test_ex01_key_written_with_other_case_is_found():
    result = ex01('["new_feature", "bug_fix", "new_entities"]', key="Backfill")
    assert all_pass(result, EX01_CHECKS), judged(result, EX01_CHECKS)


@pytest.mark.parametrize("backfill,failing_check", [
    ('"new_feature, bug_fix"', "backfill_when_history_changes"),
    ('"new_feature, bug_fix, new_entities, daily_run"', "new_days_are_incremental"),
    ('["new feature", "bug fix", "new entities", "missed day"]', "new_days_are_incremental"),
    ('"new_feature and bug_fix"', "backfill_when_history_changes"),
    ('"- new_feature\\n- bug_fix\\n- new_entities\\n- missed_day"', "new_days_are_incremental"),
])
def test_ex01_wrong_choice_in_a_natural_form_still_fails(backfill, failing_check):
    assert check_of(ex01(backfill), failing_check).status == "fail"


@pytest.mark.parametrize("backfill", ["[]", '["new_feature", "bug_fix", "new_entities", "daily_run", "missed_day", "serving_refresh"]'])
def test_ex01_choosing_none_or_every_situation_earns_nothing(backfill):
    assert ex01(backfill).score == 0


@pytest.mark.parametrize("backfill,words", [
    ('["new_feature", "bug_fixes", "new_entities"]', "new_feature, bug_fix, daily_run"),  # names the keys
    ("1", "list of option keys"),
    ('"new_feature bug_fix new_entities"', "first column"),
])
def test_ex01_unreadable_choice_says_the_form_once(backfill, words):
    result = ex01(backfill)
    lead, other = (check_of(result, n) for n in EX01_CHECKS)
    assert lead.status == "fail" and words in lead.message, lead.message
    assert other.status == "error" and other.message == "ex01['backfill'] could not be read: see backfill_when_history_changes"


EX02 = "write_key_is_entity_and_as_of"


def ex02(key: str):
    return grade("ex02", f"ex02 = {{'write_key': {key}, 'why_not_both_insert': 'x'}}")


@pytest.mark.parametrize("key", [
    '"(user_id, item_id, as_of_ts)"',                 # the course's notation
    '"user_id, item_id, as_of_ts"',
    '"(user_id,item_id,as_of_ts)"',
    '"PRIMARY KEY (user_id, item_id, as_of_ts)"',
    '"user_id + item_id + as_of_ts"',
    '"user_id item_id as_of_ts"',
    '"User_ID, Item_ID, AS_OF_TS"',
    '("user_id", "item_id", "as_of_ts")',
    '["feature_table.user_id", "feature_table.item_id", "feature_table.as_of_ts"]',
    '["(user_id", "item_id", "as_of_ts)"]',
])
def test_ex02_key_in_the_course_notation_or_as_a_list_gets_full_marks(key):
    result = ex02(key)
    assert check_of(result, EX02).status == "pass", check_of(result, EX02).message


@pytest.mark.parametrize("key,words,not_words", [
    ('"(user_id, item_id)"', "as_of_ts", "without user_id"),
    ('"(user_id, as_of_ts)"', "without item_id", "without user_id"),
    ('"(user_id, item_id, as_of_ts, ctr_7d)"', "ctr_7d in the key", "without"),
    ('"(item_id, as_of_ts)"', "without user_id", "without item_id"),
])
def test_ex02_wrong_key_fails_naming_only_what_is_wrong(key, words, not_words):
    check = check_of(ex02(key), EX02)
    assert check.status == "fail" and words in check.message and not_words not in check.message, check.message


@pytest.mark.parametrize("key,words", [
    ('"(user, item, day)"', "not a column of feature_table"),
    ("1", "column names"),
    ("[]", "column names"),
])
def test_ex02_unreadable_key_names_the_form(key, words):
    check = check_of(ex02(key), EX02)
    assert check.status == "fail" and words in check.message, check.message


EX03_CHECKS = ["entity_features_before_join", "derived_after_join_write_last"]


def ex03(order: str):
    return grade("ex03", f"ex03 = {{'order': {order}, 'why': 'x'}}", hidden=False)


@pytest.mark.parametrize("order", [
    '["user_features", "item_features", "join", "derived", "write"]',
    '"user_features -> item_features -> join -> derived -> write"',        # arrows
    '"user features → item features → join → derived → write"',           # the prompt's display names
    '["User features", "Item features", "Join", "Derived", "Write"]',
    '"item_features => user_features => join => derived features => write"',
    '"user_features, item_features, join, derived, write"',
    '"""user_features\nitem_features\njoin\nderived\nwrite"""',
    '"user_features then item_features then join then derived then write"',
])
def test_ex03_order_with_arrows_or_display_names_gets_full_marks(order):
    result = ex03(order)
    assert all_pass(result, EX03_CHECKS), judged(result, EX03_CHECKS)


@pytest.mark.parametrize("order,failing_check", [
    ('"user_features -> join -> item_features -> derived -> write"', "entity_features_before_join"),
    ('"user features → item features → derived → join → write"', "derived_after_join_write_last"),
    ('"user_features -> item_features -> join -> write -> derived"', "derived_after_join_write_last"),
])
def test_ex03_wrong_order_in_a_natural_form_still_fails(order, failing_check):
    assert check_of(ex03(order), failing_check).status == "fail"


@pytest.mark.parametrize("order,words", [
    ('"user_features, item_features, join, ratios, write"', "'ratios'"),
    ('"user_features -> item_features -> join -> derived"', "missing: write"),
    ("5", "->"),
])
def test_ex03_unreadable_order_says_the_form_once(order, words):
    result = ex03(order)
    lead, other = (check_of(result, n) for n in EX03_CHECKS)
    assert lead.status == "fail" and words in lead.message and "->" in lead.message, lead.message
    assert other.status == "error" and "see entity_features_before_join" in other.message


def test_ex03_form_message_does_not_give_the_order_away():
    message = check_of(ex03('"a -> b"'), EX03_CHECKS[0]).message
    assert "derived, item_features, join, user_features, write" in message  # alphabetical


EX04 = "next_as_of_is_watermark_plus_one_day"


def ex04(value: str):
    return check_of(grade("ex04", f"ex04 = {{'next_as_of_ts': {value}, 'why': 'x'}}", hidden=False), EX04)


@pytest.mark.parametrize("value", [
    "'2025-12-03 23:59:59'", "'2025-12-03'", "\"DATE '2025-12-03'\"", "'2025/12/3'", "'Dec 3, 2025'",
    "'3 December 2025'", "'2025-12-03T23:59:59'", "\"TIMESTAMP '2025-12-03 23:59:59'\"", "' 2025-12-03 '",
])
def test_ex04_next_as_of_as_a_bare_day_or_a_timestamp_gets_full_marks(value):
    check = ex04(value)
    assert check.status == "pass", check.message


@pytest.mark.parametrize("value,words", [
    ("'2025-12-03 00:00:00'", "Right day, wrong time"),
    ("'2025-12-03 23:59:59.999999'", "at 23:59:59.999999 the 7-day window would end 0.999999 second(s) late"),
    ("'2025-12-04 00:00:00'", "midnight that starts"),
    ("'2025-12-04'", "skips a day"),
    ("'2025-12-02'", "watermark itself"),
    ("'12-03'", "with its year"),
    ("'03/12/2025'", "year first"),
    ("'03-12-2025'", "year first"),
    ("'2025-12-03T23:59:59Z'", "time zone"),
    ("'2025-12-03 23:59:59+00:00'", "time zone"),
    ("20251203", "in quotes"),
])
def test_ex04_wrong_or_unreadable_day_fails_with_what_to_write(value, words):
    check = ex04(value)
    assert check.status == "fail" and words in check.message, check.message


EX05 = "overlap_days_inclusive"


def ex05(days: str):
    return check_of(grade("ex05", f"ex05 = {{'overlap_days': {days}, 'what_goes_wrong': 'x'}}", hidden=False), EX05)


@pytest.mark.parametrize("days", [
    "['2025-12-03', '2025-12-04', '2025-12-05']",
    "'2025-12-03, 2025-12-04, 2025-12-05'",
    "'2025-12-03, 2025-12-04 and 2025-12-05'",
    "['2025-12-03 23:59:59', '2025-12-04 23:59:59', '2025-12-05 23:59:59']",
    "['Dec 3, 2025', 'Dec 4, 2025', 'Dec 5, 2025']",
    "('2025/12/3', '2025/12/4', '2025/12/5')",
])
def test_ex05_days_as_a_list_or_one_string_get_full_marks(days):
    check = ex05(days)
    assert check.status == "pass", check.message


@pytest.mark.parametrize("days,words", [
    ("'2025-12-03, 2025-12-04'", "end days"),
    ("'2025-12-03, 2025-12-04, 2025-12-05, 2025-12-06'", "one job only"),
    ("'2025-12-03 to 2025-12-05'", "list each day"),
    ("['12-03', '12-04', '12-05']", "with its year"),
    ("[20251203]", "list of strings"),
])
def test_ex05_wrong_or_unreadable_days_fail_with_what_to_write(days, words):
    check = ex05(days)
    assert check.status == "fail" and words in check.message, check.message


def test_ex05_every_unreadable_day_is_named():
    message = ex05("['2025-12-03', '12-04', 'friday']").message
    assert "'12-04'" in message and "'friday'" in message


# ---------- ex09: the form check is worth nothing, says every problem, and says it once ----------

EX09_VALUES = ["full_grid_size_gb", "observed_size_gb", "one_month_scan_fraction"]


def test_ex09_form_check_is_worth_no_points_and_the_total_is_unchanged():
    from grader.course import exercises

    ex = exercises.get("ex09")
    gate = next(c for c in ex.checks if c.name == "answer_is_three_numbers")
    values = [c for c in ex.all_checks() if c.answer == "ex09" and c.name in EX09_VALUES]
    # the automatic points are still six, all on the values (the written c_why is scored apart)
    assert gate.points == 0 and sum(c.points for c in values) == 6


def test_ex09_every_field_in_the_wrong_form_is_reported_once():
    result = grade("ex09", 'ex09 = {"a_gb": "219 PB", "b_gb": "110 GB", "c_fraction": "8%", "c_why": "x"}')
    gate = check_of(result, "answer_is_three_numbers")
    assert gate.status == "fail"
    for field in ("a_gb", "b_gb", "c_fraction"):
        assert f"ex09['{field}']" in gate.message
    for name in EX09_VALUES:
        check = check_of(result, name)
        assert check.status == "error" and "see answer_is_three_numbers" in check.message
        assert "219 PB" not in check.message


def test_ex09_keys_in_other_case_pass_the_form_checks_as_the_value_checks_read_them():
    result = grade("ex09", 'ex09 = {"A_GB": 2.19e8, "B-GB": 109.5, "C_Fraction": 1 / 12, "c_why": "x"}')
    assert all_pass(result, ["answer_is_three_numbers", "sizes_in_the_right_decade", *EX09_VALUES]), not_passed(result)


def test_a_written_answer_under_a_key_in_other_case_goes_to_the_instructor():
    # 'Why' and 'C_WHY' are found as the value checks find their keys, not told "write your answer"
    r09 = grade("ex09", 'ex09 = {"a_gb": 2.19e8, "b_gb": 109.5, "c_fraction": 1 / 12, '
                        '"C_WHY": "only one day of twelve months is scanned after pruning"}')
    assert [c.status for c in r09.checks if c.name not in EX09_VALUES and c.status != "pass"] == ["manual"]
    r04 = grade("ex04", "ex04 = {'next_as_of_ts': '2025-12-03 23:59:59', 'Why': 'the watermark plus one day'}")
    assert check_of(r04, "why_next_as_of").status == "manual", check_of(r04, "why_next_as_of").message


def test_ex09_a_cell_that_is_not_python_is_explained_once():
    result = grade("ex09", 'ex09 = {\n  "a_gb": 2.19e8,\n  "b_gb": 109.5,\n  "c_fraction": 8.3%,\n  "c_why": "x"\n}')
    carrying = [c for c in result.checks if "0.083" in c.message]
    assert [c.name for c in carrying] == ["answer_is_three_numbers"] and "line 4" in carrying[0].message
    assert all("see answer_is_three_numbers" in c.message for c in result.checks if c not in carrying)


# ---------- the one reading of a day, shared with Exercises 10 and 12 ----------

def test_a_bare_day_is_the_as_of_day_in_every_exercise_that_asks_for_one():
    r10 = grade("ex10", 'ex10 = {"next_as_of_ts": "2025-12-03", "leaves_alone": "2025-12-01, 2025-12-02", "how": "x"}',
                hidden=False)
    r12 = grade("ex12", 'ex12c = {"lost_as_of_ts": "2025/12/3", "fix": "B"}', hidden=False)
    for result, name in ((r10, "next_run_computes_day_3"), (r10, "finished_days_named"), (r12, "lost_day_named")):
        assert check_of(result, name).status == "pass", check_of(result, name).message
    assert ex04("'2025-12-03'").status == "pass"


@pytest.mark.parametrize("text,expected", [
    ("2025-12-03", "2025-12-03 23:59:59"),
    ("2025/12/3", "2025-12-03 23:59:59"),
    ("DATE '2025-12-03'", "2025-12-03 23:59:59"),
    ("Dec 3 2025", "2025-12-03 23:59:59"),
    ("2025-12-03 00:00:00", "2025-12-03 00:00:00"),     # a written time is read as written
    ("2025-12-03T12:30", "2025-12-03 12:30:00"),
    ("December 3rd, 2025", "2025-12-03 23:59:59"),     # an ordinal, as people write a day
    ("3 Dec 2025 23:59:59", "2025-12-03 23:59:59"),    # a named day with its time
    ("Dec 3, 2025 00:00", "2025-12-03 00:00:00"),
    ("'2025-12-03 23:59:59'::TIMESTAMP", "2025-12-03 23:59:59"),  # a cast reads as the literal does
    ("CAST('2025-12-03' AS DATE)", "2025-12-03 23:59:59"),
    ("cast('2025-12-03 00:00:00' as timestamp)", "2025-12-03 00:00:00"),
])
def test_parse_as_of_day(text, expected):
    from grader.engine.judges import day_text, parse_as_of_day

    assert day_text(parse_as_of_day(text)) == expected


@pytest.mark.parametrize("text", ["2025-13-01", "2025-12-03 24:00:00", "12-03", "03/12/2025", "x" * 5000, "2025-12-03Z",
                                  "'2025-12-03 23:59:59+01'::TIMESTAMPTZ", "CAST('x' AS TIMESTAMP)"])
def test_parse_as_of_day_refuses_what_it_cannot_read_unambiguously(text):
    from grader.engine.judges import parse_as_of_day

    assert parse_as_of_day(text) is None


def test_days_in_a_verdict_carry_their_year_only_across_a_year_end():
    from datetime import datetime
    from grader.engine.judges import days_text

    assert days_text([datetime(2026, 1, 1, 23, 59, 59), datetime(2025, 12, 31, 23, 59, 59)]) == "2025-12-31, 2026-01-01"
    assert days_text([datetime(2025, 12, 3, 23, 59, 59), datetime(2025, 12, 4, 23, 59, 59)]) == "12-03, 12-04"


def test_days_in_a_verdict_carry_their_time_when_it_is_not_the_days_last_second():
    # a job writing the day's midnight is told what it wrote, not the day it is told is missing
    from datetime import datetime
    from grader.engine.judges import days_text

    assert days_text([datetime(2025, 12, 3)]) == "12-03 00:00:00"
    assert days_text([datetime(2025, 12, 3, 23, 59, 59), datetime(2025, 12, 4)]) == "12-03 23:59:59, 12-04 00:00:00"


@pytest.mark.parametrize("text", ["2025-12-03 24:00:00", "2025-13-01"])
def test_a_day_in_the_right_form_but_out_of_range_is_told_so_not_told_to_write_iso(text):
    from grader.engine.judges import day_form

    assert "hours 00-23" in day_form(text) and "ISO" not in day_form(text)


def test_an_answer_that_is_not_a_dict_is_said_once_by_a_value_check():
    result = grade("ex10", 'ex10 = "2025-12-03"', hidden=False)
    lead, other = check_of(result, "next_run_computes_day_3"), check_of(result, "finished_days_named")
    assert lead.status == "fail" and "should be a dict with key 'next_as_of_ts'" in lead.message
    assert other.status == "error" and other.message == "ex10 could not be read: see next_run_computes_day_3"


def test_a_cell_that_is_not_python_is_said_once_across_value_and_written_checks():
    result = grade("ex01", "ex01 = {'backfill': ['new_feature'], 'backfill_definition': 'x' 'incremental_definition': 'y'}")
    full = [c for c in result.checks if "not valid Python" in c.message]
    assert len(full) == 1 and full[0].name == "backfill_when_history_changes"
    assert all(c.status == "error" and "see backfill_when_history_changes" in c.message
               for c in result.checks if c is not full[0])


@pytest.mark.parametrize("backfill", [
    '{"new_feature": True, "bug_fix": True, "new_entities": True, "daily_run": False, "missed_day": False, "serving_refresh": False}',
    '{"new_feature": "backfill", "bug_fix": "Backfill", "new_entities": "backfill", "daily_run": "incremental", '
    '"missed_day": "incremental", "serving_refresh": "incremental"}',
    '{"new_feature": "yes", "bug_fix": "Yes", "new_entities": "y", "daily_run": "no", "missed_day": "No", "serving_refresh": "n"}',
    '{"new_feature": 1, "bug_fix": 1, "new_entities": 1, "daily_run": 0, "missed_day": 0, "serving_refresh": 0}',
])
def test_ex01_each_situation_marked_is_read_as_the_choice(backfill):
    result = ex01(backfill)
    assert all_pass(result, EX01_CHECKS), judged(result, EX01_CHECKS)


def test_ex01_marking_the_missed_day_as_backfill_still_fails():
    marks = ('{"new_feature": True, "bug_fix": True, "new_entities": True, "daily_run": False, '
             '"missed_day": True, "serving_refresh": False}')
    assert check_of(ex01(marks), "new_days_are_incremental").status == "fail"


def test_a_call_names_the_function_and_the_literal_to_write_instead():
    error = read("ex01 = dict(backfill=['new_feature'])")["ex01"].error
    assert "`dict(...)`" in error and '{"key": value}' in error
