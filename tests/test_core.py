"""The grader's building blocks, as specifications."""

import math
from datetime import datetime as dt

import duckdb
import pytest

from grader.engine import compare
from grader.domain import semantics
from grader.engine.notebook import extract_answers, sql_save_name
from grader.engine.shrink import ddmin, ddmin_from
from grader.engine.snippets import SnippetStore
from grader.engine.structured import NotALiteral, is_unanswered, literal_value

from helpers import cells


# ---- the oracle ----

def test_oracle_counts_an_event_exactly_at_the_as_of_time_and_not_one_exactly_seven_days_earlier():
    t = dt(2025, 12, 2, 23, 59, 59)
    events = [(1, 1, 1, t, "click"), (2, 1, 1, dt(2025, 11, 25, 23, 59, 59), "view")]
    assert semantics.feature_rows(events, [t]) == [(1, 1, t, 1, 0, 1, 1.0)]


def test_oracle_counts_a_retried_event_once():
    t = dt(2025, 12, 2, 23, 59, 59)
    e = (7, 1, 1, dt(2025, 12, 2), "view")
    assert semantics.feature_rows([e, e, e], [t])[0][3:6] == (0, 1, 1)


def test_oracle_ctr_is_none_without_impressions():
    assert semantics.ctr(0, 0) is None and semantics.ctr(1, 4) == 0.25


def test_as_of_range_is_inclusive_and_daily():
    days = semantics.as_of_range(dt(2025, 12, 1, 23, 59, 59), dt(2025, 12, 3, 23, 59, 59))
    assert days == [dt(2025, 12, d, 23, 59, 59) for d in (1, 2, 3)]


# ---- compare ----

def test_nan_is_not_null_and_null_is_not_zero():
    assert not compare.values_equal(float("nan"), None)
    assert not compare.values_equal(None, 0)
    assert compare.values_equal(float("nan"), float("nan"))
    assert compare.values_equal(None, None)


def test_numbers_compare_within_a_tolerance_but_float32_ctr_is_caught():
    assert compare.values_equal(1 / 3, 0.3333333333333333)
    assert compare.values_equal(2, 2.0)
    float32_third = 0.3333333432674408
    assert not compare.values_equal(1 / 3, float32_third)


def test_columns_match_by_name_in_any_order_and_case():
    d = compare.diff([(1, "a")], ["B", "extra", "A"], [("a", 0, 1)], ["a", "b"])
    assert d.equal


def test_missing_column_is_named():
    d = compare.diff([(1, 2)], ["a"], [(1,)], ["a", "b"])
    assert d.missing_columns == ["b"] and "b" in d.summary()


def test_keyed_diff_reports_duplicates_missing_unexpected_and_changed():
    exp = [(1, 10), (2, 20), (3, 30)]
    got = [(1, 10), (1, 10), (2, 21), (4, 40)]
    d = compare.diff(exp, ["k", "v"], got, ["k", "v"], key=["k"])
    assert d.duplicated == [(1, 10), (1, 10)]
    assert d.changed == [((2, 20), (2, 21))]
    assert d.missing == [(3, 30)]
    assert d.unexpected == [(4, 40)]


def test_row_order_is_ignored_unless_asked():
    assert compare.diff([(1,), (2,)], ["a"], [(2,), (1,)], ["a"]).equal
    d = compare.diff([(1,), (2,)], ["a"], [(2,), (1,)], ["a"], ordered=True)
    assert d.order_wrong and not d.equal


def test_unkeyed_diff_is_a_multiset_comparison():
    d = compare.diff([(1,), (1,)], ["a"], [(1,)], ["a"])
    assert d.missing == [(1,)]


def test_differing_floats_are_printed_with_every_digit():
    # a FLOAT ctr must not read "expected 0.333333 / got 0.333333"
    d = compare.diff([(1, 1 / 3)], ["k", "ctr"], [(1, 0.3333333432674408)], ["k", "ctr"], key=["k"])
    assert "expected 0.3333333333333333, got 0.3333333432674408" in d.summary()
    assert compare.value_text(None) == "NULL" and compare.value_text(float("nan")) == "NaN"


def test_a_wrong_column_type_is_named_not_shown_as_missing_and_extra_rows_alone():
    t = dt(2025, 12, 2, 23, 59, 59)
    d = compare.diff([(1, t)], ["k", "as_of_ts"], [(1, "2025-12-02 23:59:59")], ["k", "as_of_ts"], key=["k", "as_of_ts"])
    assert d.wrong_types == {"as_of_ts": ("TIMESTAMP", "VARCHAR (text)")}
    assert d.summary().startswith("as_of_ts is VARCHAR (text) in your result, expected TIMESTAMP")


@pytest.mark.parametrize("cast, named", [("DATE", "DATE"), ("TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE")])
def test_an_as_of_ts_cast_to_a_date_or_a_zone_is_named_as_its_type(cast, named):
    # DuckDB hands back a DATE as a date (compared as its midnight) and a TIMESTAMPTZ as an aware
    # datetime: both print like the TIMESTAMP wanted, so the type is what the student must read
    t = dt(2025, 12, 2, 23, 59, 59)
    got = duckdb.connect().execute(f"SELECT 1 AS k, CAST(TIMESTAMP '{t}' AS {cast}) AS as_of_ts").fetchall()
    d = compare.diff([(1, t)], ["k", "as_of_ts"], got, ["k", "as_of_ts"], key=["k", "as_of_ts"])
    assert d.wrong_types == {"as_of_ts": ("TIMESTAMP", named)}
    assert f"as_of_ts is {named} in your result, expected TIMESTAMP" in d.summary()
    # the naive timestamp wanted is still named as nothing wrong, whichever kind was seen first
    assert compare.diff([(1, t)], ["k", "as_of_ts"], [(1, t)], ["k", "as_of_ts"]).wrong_types == {}


def test_duplicated_keys_are_counted_as_keys():
    d = compare.diff([(1, 10)], ["k", "v"], [(1, 10), (1, 10), (1, 10)], ["k", "v"], key=["k"])
    assert d.summary() == "1 key(s) returned more than once (3 rows)"


def test_one_expected_row_against_one_returned_row_is_wrong_values():
    d = compare.diff([(1, "DOUBLE", 3)], ["pk", "type", "n"], [(1, "DOUBLE", 0)], ["pk", "type", "n"])
    assert d.changed == [((1, "DOUBLE", 3), (1, "DOUBLE", 0))] and not d.missing and not d.unexpected
    assert "wrong values in n (e.g. expected 3, got 0)" in d.summary()


def test_a_diff_narrows_to_one_concern():
    exp = [(1, 10, 100), (2, 20, 200), (3, 30, 300)]
    got = [(1, 11, 100), (2, 20, 201), (4, 40, 400), (4, 40, 400)]
    d = compare.diff(exp, ["k", "a", "b"], got, ["k", "a", "b"], key=["k"])
    only_a = d.only(unexpected=False, duplicated=False, columns=["a"])
    assert only_a.changed == [((1, 10, 100), (1, 11, 100))] and only_a.missing == [(3, 30, 300)]
    assert not only_a.unexpected and not only_a.duplicated
    assert d.only(missing=False, changed=False).duplicated == [(4, 40, 400), (4, 40, 400)]
    assert d.where(lambda r: r[0] == 2).changed == [((2, 20, 200), (2, 20, 201))]


# ---- shrink ----

def test_ddmin_finds_the_single_culprit():
    assert ddmin(list(range(40)), lambda s: 17 in s) == [17]


def test_ddmin_finds_a_pair_that_only_fails_together():
    assert sorted(ddmin(list(range(30)), lambda s: 3 in s and 25 in s)) == [3, 25]


def test_ddmin_is_deterministic():
    f = lambda s: sum(s) > 50  # noqa: E731
    assert ddmin(list(range(20)), f) == ddmin(list(range(20)), f)


class Counted:
    def __init__(self, fails):
        self.fails, self.calls = fails, 0

    def __call__(self, subset):
        self.calls += 1
        return self.fails(subset)


def test_ddmin_from_a_failing_focus_needs_fewer_runs_and_is_still_minimal():
    wide, narrow = Counted(lambda s: 3 in s and 25 in s), Counted(lambda s: 3 in s and 25 in s)
    assert sorted(ddmin(list(range(30)), wide)) == [3, 25]
    assert sorted(ddmin_from(list(range(30)), narrow, [[3, 4, 25], list(range(20, 30))])) == [3, 25]
    assert narrow.calls < wide.calls


def test_ddmin_from_skips_a_focus_that_does_not_fail_and_falls_back_to_all_items():
    # neither start holds both culprits: the search is ddmin's own over every item
    f = lambda s: 3 in s and 25 in s  # noqa: E731
    assert sorted(ddmin_from(list(range(30)), f, [[3], [25, 26], []])) == [3, 25]
    assert ddmin_from(list(range(30)), f, []) == ddmin(list(range(30)), f)


# ---- snippets: expanded as jupysql expands them ----

def test_snippet_dependency_becomes_a_cte():
    s = SnippetStore()
    s.save("clean", "SELECT DISTINCT * FROM events")
    s.save("ex06", "SELECT * FROM clean")
    assert s.render("ex06") == "WITH clean AS (SELECT DISTINCT * FROM events)SELECT * FROM clean"


def test_snippet_dependencies_are_transitive_and_ordered():
    s = SnippetStore()
    s.save("a", "SELECT 1 AS x")
    s.save("b", "SELECT x FROM a")
    s.save("c", "SELECT x FROM b")
    assert s.render("c").startswith("WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a)")


def test_a_query_starting_with_with_is_not_expanded():
    s = SnippetStore()
    s.save("a", "SELECT 1 AS x")
    s.save("b", "WITH y AS (SELECT 2) SELECT * FROM a")
    assert s.render("b") == "WITH y AS (SELECT 2) SELECT * FROM a"


def test_comments_are_stripped_like_jupysql():
    s = SnippetStore()
    s.save("a", "-- note\nSELECT 1")
    assert "note" not in s.render("a")


def test_expansion_matches_jupysql_itself():
    """The same cells through jupysql's own store give the same SQL text."""
    pytest.importorskip("sql.store")
    from unittest import mock

    from sql.store import SQLStore

    theirs = SQLStore()
    ours = SnippetStore()
    snippets = [("clean", "SELECT DISTINCT * FROM events"), ("per_user", "SELECT user_id, count(*) n FROM clean GROUP BY 1"),
                ("ex06", "SELECT * FROM per_user JOIN clean USING (user_id)")]
    for key, q in snippets:
        theirs.store(key, q, with_=theirs.infer_dependencies(q, key))
        ours.save(key, q)
    with mock.patch("sql.connection.ConnectionManager.current") as cur:
        cur.is_use_backtick_template.return_value = False
        assert str(theirs["ex06"]) == ours.render("ex06")


# ---- answers in a notebook ----

def test_save_name_is_read_among_other_flags():
    assert sql_save_name("%%sql --no-execute --save ex12b") == ("ex12b", True)
    assert sql_save_name("%%sql -S ex06") == ("ex06", False)
    assert sql_save_name("SELECT 1") == (None, False)


def test_last_cell_saving_a_name_wins_and_is_noted():
    answers, notes = extract_answers(cells("%%sql --save ex06\nSELECT 1", "%%sql --save ex06\nSELECT 2"))
    assert answers["ex06"].sql == "SELECT 2" and notes


def test_structured_answer_is_read_without_running_it():
    answers, _ = extract_answers(cells("ex09 = {'a': 10e6 * 1e6 * 365 * 60 / 1e9}"))
    assert math.isclose(answers["ex09"].value["a"], 2.19e8)


def test_structured_answer_with_code_is_an_error_not_a_value():
    answers, _ = extract_answers(cells("import os\nex09 = os.getcwd()"))
    assert answers["ex09"].error and "function call" in answers["ex09"].error


def test_markdown_cells_are_never_answers():
    answers, _ = extract_answers([{"cell_type": "markdown", "source": "%%sql --save ex06\nSELECT 1"}])
    # not an answer: only a "missing" entry whose hint names the cell kind
    assert [(a.name, a.kind) for a in answers.values()] == [("ex06", "missing")]
    assert "markdown cell" in answers["ex06"].error and answers["ex06"].sql is None


@pytest.mark.parametrize("src", ["__import__('os')", "(lambda: 1)()", "[x for x in range(3)]", "10**10**10", "open('/etc/passwd')", "a.b", "f'{1}'"])
def test_literal_reader_refuses_code(src):
    with pytest.raises(NotALiteral):
        literal_value(src)


def test_ellipsis_means_unanswered():
    assert is_unanswered(literal_value("..."))


def test_a_check_shrinks_every_input_table_it_names():
    # ex05b's input is feature_table, not events: the counterexample is its fewest rows
    from helpers import grade, sql_cell

    wrong = """WITH k AS (SELECT as_of_ts, user_id, item_id, count(*) AS n FROM feature_table GROUP BY ALL)
        SELECT as_of_ts, sum(n) FILTER (WHERE n > 1) AS duplicated_keys, sum(n - 1) AS extra_rows
        FROM k GROUP BY as_of_ts HAVING max(n) > 1"""
    result = grade("ex05", sql_cell("ex05b", wrong))
    check = next(c for c in result.checks if c.name == "duplicated_keys_counts_keys")
    table = check.tables[0]
    assert table.caption.startswith("feature_table: the fewest rows") and len(table.rows) == 2


def test_computing_nothing_is_told_apart_only_where_the_oracle_expects_a_value():
    # A control check compares an answer with itself, so the expected keys with 0/NULL values
    # would pass it; they are judged against the oracle instead, but only when the oracle
    # expects some value other than 0 or NULL (otherwise a right answer looks the same).
    from grader.engine import compare
    from grader.engine.checks.result import _computes_any

    cols, key = ["k", "n", "r"], ["k"]
    zeros = [(1, 0, None), (2, 0, None)]
    assert not _computes_any([(1, 3, 0.5), (2, 0, None)], compare.diff([(1, 3, 0.5), (2, 0, None)], cols, zeros, cols, key, False))
    assert _computes_any([(1, 3, 0.5), (2, 0, None)], compare.diff([(1, 3, 0.5)], cols, [(1, 3, 0.0)], cols, key, False))
    assert _computes_any(zeros, compare.diff(zeros, cols, zeros, cols, key, False))


def test_a_cut_difference_table_says_how_many_more_rows_there_are():
    # "20 expected row(s) missing" showed 12 rows and no word of the other 8
    from grader.engine import compare
    from grader.engine.checks.base import diff_tables

    expected = [(i, i) for i in range(20)]
    d = compare.diff(expected, ["a", "b"], [], ["a", "b"], ["a"])
    (table,) = diff_tables(d)
    assert len(table.rows) == 12 and table.caption == "expected but missing (12 of 20 shown: 8 more)"
    small = compare.diff(expected[:3], ["a", "b"], [], ["a", "b"], ["a"])
    assert diff_tables(small)[0].caption == "expected but missing"
def test_window_controls_take_the_window_length():
    # an exercise with a 28-day window declares its controls with it; the course's 7 days is the default
    from datetime import datetime, timedelta

    from grader.domain.tables import Dataset, load_seed
    from grader.engine.checks import Fixture, edges_moved_around, far_end_settled, without_events_older_than

    t = datetime(2025, 12, 31, 23, 59, 59)
    events = [(1, 1, 10, t - timedelta(days=d), "view") for d in (1, 10, 27.5, 28, 29)]
    fixture = Fixture("days ago", load_seed().with_rows("events", events), {"as_of_ts": t})
    kept = without_events_older_than(timedelta(days=28))(fixture).dataset.rows("events")
    assert [round((t - e[3]) / timedelta(days=1), 1) for e in kept] == [1, 10, 27.5]
    moved = edges_moved_around(lambda f: [t], window=timedelta(days=28))(fixture).dataset.rows("events")
    assert [e[3] for e in moved if e[0] == 1][3] == t - timedelta(days=28) - timedelta(hours=1)  # pushed outside, same side
    settled = far_end_settled(window=timedelta(days=28))(fixture).dataset.rows("events")
    assert sorted(round((t - e[3]) / timedelta(days=1), 1) for e in settled) == [1, 10, 14, 29]
