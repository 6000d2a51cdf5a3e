"""Fixtures are consistent data (issue 10): every database a check or a job scenario runs on,
public or hidden, holds a users row and an items row for each user and item its events name,
created no later than that entity's first event. Only a fixture whose check is about the
dimensions themselves (a user who signs up after a guest session, an item tested before its
release: `Fixture.about_dimensions`) may differ. So an answer that also applies Exercise 3's
point-in-time join to users and items (signup_ts <= as_of, created_ts <= as_of) loses nothing
where dimensions are not the point. Read from the declarations: a check added later is covered."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest

from grader.course import exercises
from grader.engine.checks import missing_dimensions, with_dimensions
from grader.domain.tables import TABLES, Dataset, columns, create_tables, fill_table, load_seed, schema_sql, sql_literal


def datasets_of(check) -> list[tuple[str, Dataset, bool]]:
    """(where, dataset, about_dimensions) for every fixture, scenario or dataset a check holds."""
    out = []
    for f in dataclasses.fields(check):
        value = getattr(check, f.name)
        for i, v in enumerate(value if isinstance(value, (list, tuple)) else [value]):
            dataset = v if isinstance(v, Dataset) else getattr(v, "dataset", None)
            if isinstance(dataset, Dataset):
                where = f.name if not isinstance(value, (list, tuple)) else f"{f.name}[{i}]"
                out.append((f"{where} {getattr(v, 'name', '')!r}", dataset, bool(getattr(v, "about_dimensions", False))))
    return out


CASES = [
    pytest.param(ex.id, check, id=f"{ex.id}:{check.name}")
    for ex in exercises.all_exercises() for check in ex.all_checks() if datasets_of(check)
]


@pytest.mark.parametrize("exercise_id,check", CASES)
def test_every_fixture_has_the_dimension_rows_of_its_events(exercise_id, check):
    problems = [f"{where}: {p}" for where, dataset, about in datasets_of(check) if not about
                for p in missing_dimensions(dataset)]
    assert not problems, problems[:5]


def test_fixtures_about_dimensions_are_the_point_in_time_checks_only():
    # the exemption is for checks about dimensions, not a way around this file
    exempt = {(ex.id, c.name) for ex in exercises.all_exercises() for c in ex.all_checks()
              for _, _, about in datasets_of(c) if about}
    assert exempt == {("ex03", "point_in_time_users"), ("ex03", "point_in_time_items")}


def test_the_check_of_consistency_sees_a_missing_user_and_a_late_item():
    from datetime import datetime as dt

    events = [(1, 7, 70, dt(2025, 12, 1, 9), "view")]
    assert missing_dimensions(Dataset({"events": events})) == ["event 1: no user row for 7", "event 1: no item row for 70"]
    late = Dataset({"events": events, "users": [(7, dt(2025, 1, 1), "N")], "items": [(70, dt(2025, 12, 2), "A")]})
    assert missing_dimensions(late) == ["event 1: item 70 created after the event"]
    assert missing_dimensions(with_dimensions(Dataset({"events": events}))) == []


def test_retried_events_are_exact_copies_and_keep_a_real_click_in_the_same_second():
    from collections import Counter
    from datetime import datetime

    from grader.domain import semantics
    from grader.domain.fixtures import retried_events

    rows = retried_events(datetime(2025, 12, 1, 9), datetime(2025, 12, 2, 9), burst=datetime(2025, 12, 2, 10))
    by_id = {}
    for r in rows:
        by_id.setdefault(r[0], set()).add(r)
    assert all(len(versions) == 1 for versions in by_id.values())  # a retry is an exact copy
    assert Counter(r[0] for r in rows) == {1: 2, 2: 3, 3: 1, 4: 2, 5: 1}
    burst = [r for r in rows if r[semantics.EVENT_TS] == datetime(2025, 12, 2, 10)]
    assert {r[0] for r in burst} == {4, 5}  # same second, two events: only event_id tells them apart


def _as_values_script(dataset: Dataset) -> str:
    """The dataset as plain CREATE and INSERT ... VALUES statements: what fill_table must equal."""
    parts = [schema_sql(dataset.unkeyed)]
    for table, rows in dataset.tables.items():
        if rows:
            values = ", ".join("(" + ", ".join(sql_literal(v) for v in r) + ")" for r in rows)
            parts.append(f"INSERT INTO {table} VALUES {values};")
    return "\n".join(parts)


def _contents(con) -> dict:
    """Every table's rows in stored order, each value beside its SQL type."""
    out = {}
    for table in TABLES:
        typed = ", ".join(f"{c}, typeof({c})" for c in columns(table))
        out[table] = con.execute(f"SELECT {typed} FROM {table} ORDER BY rowid").fetchall()
    return out


ALL_DATASETS = [load_seed()] + [d for ex in exercises.all_exercises() for c in ex.all_checks() for _, d, _ in datasets_of(c)]


def test_fixtures_filled_from_column_lists_equal_the_values_they_declare():
    assert len(ALL_DATASETS) > 50  # the seed and every declared fixture and scenario
    filled, written = duckdb.connect(), duckdb.connect()  # a connection costs ~20 ms: one each
    for i, dataset in enumerate(ALL_DATASETS):
        for con in (filled, written):  # a fresh database per dataset
            con.execute(f"ATTACH ':memory:' AS d{i}; USE d{i}")
        create_tables(filled, dataset)
        written.execute(_as_values_script(dataset))
        assert _contents(filled) == _contents(written)


def test_fill_refuses_rows_of_the_wrong_width():
    con = duckdb.connect()
    create_tables(con, Dataset())
    with pytest.raises(ValueError, match="events rows need 5 values"):
        fill_table(con, "events", [(1, 2, 3)])
