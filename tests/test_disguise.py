"""Hidden fixtures are disguised by the instructor's secret: the same mistakes stay isolated,
correct answers keep full marks, and a lookup table built from one run's fixtures fails the next."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.course import exercises
from grader.engine.checks import ResultCheck
from grader.domain.tables import Dataset, TABLES, sql_literal
from grader.engine.disguise import disguise_dataset
from grader.course.exercises import load
from grader.grading.grade import grade_exercise, read_unit
from grader.engine.notebook import SubmittedAnswer

ROOT = Path(__file__).resolve().parent.parent


def _ids(dataset: Dataset, column: str) -> list:
    out = []
    for table, rows in dataset.tables.items():
        names = [c for c, _ in TABLES[table]]
        if column in names:
            out.extend(r[names.index(column)] for r in rows)
    return out


def test_disguise_renames_identities_consistently_and_keeps_everything_else():
    ds = Dataset({
        "events": [(1, 7, 70, None, "click"), (1, 7, 70, None, "click"), (2, 8, 70, None, "view")],
        "users": [(7, None, "eu"), (8, None, "us")],
        "items": [(70, None, "shoes")],
    })
    a = disguise_dataset(ds, "course secret")
    assert a == disguise_dataset(ds, "course secret")  # reproducible within a course
    assert a != disguise_dataset(ds, "another term")
    for column in ("user_id", "item_id", "event_id"):
        before, after = _ids(ds, column), _ids(a, column)
        # a bijection applied everywhere the column appears: equal stays equal, distinct stays distinct
        assert [x == y for x in before for y in before] == [x == y for x in after for y in after]
        assert not set(before) & set(after)
    strip = lambda d: [(r[3], r[4]) for r in d.rows("events")]  # noqa: E731
    assert strip(a) == strip(ds)
    assert [r[1:] for r in a.rows("users")] == [r[1:] for r in ds.rows("users")]


@pytest.fixture(scope="module")
def solutions():
    return read_unit(ROOT / "solutions")


@pytest.mark.parametrize("secret", ["term-2026-autumn", "another course"])
def test_reference_answers_keep_full_marks_under_any_secret(solutions, secret):
    lost = []
    for exercise_id in exercises.available():
        result = grade_exercise(load(exercise_id, secret), solutions.answers_for(exercise_id))
        lost += [(exercise_id, c.name, c.message) for c in result.checks if c.status not in ("pass", "manual")]
    assert not lost


def _lookup_answer(secret: str) -> str:
    """What an attacker builds after exfiltrating one run's hidden ex06 fixtures: for each
    fixture, its expected rows, served when the events table holds exactly that fixture's ids."""
    selects = []
    for check in load("ex06", secret).hidden:
        if not isinstance(check, ResultCheck):
            continue
        ds, variables = check.fixture.dataset, check.fixture.variables
        marker = "[" + ", ".join(str(i) for i in sorted({r[0] for r in ds.rows("events")})) + "]"
        for row in check.expected(ds, variables):
            values = ", ".join(sql_literal(v) for v in row)
            selects.append(
                f"SELECT {values} WHERE (SELECT list(DISTINCT event_id ORDER BY event_id) FROM events) = {marker}"
            )
    body = "\nUNION ALL\n".join(selects)
    return (
        "SELECT col0 AS user_id, col1 AS item_id, col2 AS as_of_ts, col3 AS clicks_7d, "
        f"col4 AS views_7d, col5 AS impressions_7d FROM ({body}) t(col0, col1, col2, col3, col4, col5)"
    )


def test_a_lookup_table_from_one_runs_fixtures_fails_the_next_run():
    answer = {"ex06": SubmittedAnswer("ex06", "sql", sql=_lookup_answer("run one"))}
    hidden = lambda secret: [c for c in grade_exercise(load("ex06", secret), answer).checks if c.hidden]  # noqa: E731
    replayed_same = hidden("run one")
    # the attack is real: against the fixtures it was built from, it passes every hidden check
    assert replayed_same and all(c.status == "pass" for c in replayed_same)
    replayed_next = hidden("run two")
    assert all(c.status != "pass" for c in replayed_next), [(c.name, c.status) for c in replayed_next]


def test_grader_check_puts_the_callers_fixture_secret_back(tmp_path, monkeypatch):
    import os

    from grader.cli import main
    from grader.engine.exercise import SECRET_ENV

    monkeypatch.delenv(SECRET_ENV, raising=False)
    nb = tmp_path / "ex04.ipynb"
    nb.write_text((ROOT / "notebooks" / "ex04.ipynb").read_text())
    assert main(["check", str(nb), "-q", "--fixture-secret", "this run only"]) == 0
    assert SECRET_ENV not in os.environ
    assert load("ex06").hidden[0].fixture.dataset == exercises.get("ex06").hidden[0].fixture.dataset
