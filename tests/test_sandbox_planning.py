"""The sandbox plans learner SQL without DuckDB's large-data optimizers (lockdown.LARGE_DATA_OPTIMIZERS):
on a fixture of a few hundred rows planning is most of a statement's cost. An optimizer rewrites a
plan into an equivalent one, so dropping one changes no result; these tests hold that on every
answer the course declares, right and wrong, and that the passes which keep a join or a subquery
from blowing up are still on."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pytest

from grader.course import exercises
from grader.domain.tables import TABLES, create_tables, load_seed
from grader.engine import sandbox
from grader.engine.lockdown import LARGE_DATA_OPTIMIZERS, Limits, set_variables
from grader.engine.statements import split_statements

VARIABLES = {
    "as_of_ts": datetime(2025, 12, 3, 23, 59, 59), "start_ts": datetime(2025, 12, 1, 23, 59, 59),
    "end_ts": datetime(2025, 12, 7, 23, 59, 59), "next_as_of": datetime(2025, 12, 3, 23, 59, 59),
    "next_day": datetime(2025, 12, 3, 23, 59, 59), "job": "user_item_features_daily",
}


def _declared_sql() -> list[tuple[str, str]]:
    """(name, SQL) of every distinct SQL cell the matrices declare: wrong answers' cells (an entry
    hands in the other answers too, right) and correct formulations."""
    out = []
    for exercise_id, module in exercises.matrices().items():
        for name, wrong in module.MATRIX.items():
            for i, cell in enumerate(wrong.cells):
                if cell.startswith("%%sql"):
                    out.append((f"{exercise_id}:{name}:{i}", cell.split("\n", 1)[1] if "\n" in cell else ""))
        for name, sql in getattr(module, "CORRECT", {}).items():
            if isinstance(sql, str):
                out.append((f"{exercise_id}:correct:{name}", sql))
    return list({sql: (name, sql) for name, sql in reversed(out)}.values())


def _shown(rows) -> list[str]:
    """Rows as text, sorted, with the clock's readings (now(), current_timestamp) masked: the two
    databases run a moment apart."""
    now = datetime.now()
    return sorted(repr(tuple("<now>" if isinstance(v, datetime) and abs(v - now) < timedelta(hours=1) else v
                              for v in row)) for row in rows)


def _run(con, sql: str) -> list:
    """What a learner could see of `sql`: each statement's rows (or its error's kind), then every table."""
    seen = []
    try:
        statements = split_statements(sql)
    except Exception:
        return ["does not parse"]
    for statement in statements:
        try:
            cur = con.execute(statement)
            rows = cur.fetchall() if cur.description else None
            seen.append(None if rows is None else _shown(rows))
        except duckdb.Error as exc:
            seen.append(type(exc).__name__)
            break
    if all(st.split(None, 1)[0].upper() in READS for st in statements):
        return seen  # queries change no table
    for table in TABLES:
        try:
            seen.append(_shown(con.execute(f"SELECT * FROM {table}").fetchall()))
        except duckdb.Error as exc:
            seen.append(type(exc).__name__)
    return seen


DECLARED = _declared_sql()
READS = ("SELECT", "WITH", "FROM")


def test_every_declared_answer_is_covered():
    assert len(DECLARED) > 150


def _is_query(sql: str) -> bool:
    try:
        return all(st.split(None, 1)[0].upper() in READS for st in split_statements(sql))
    except Exception:
        return True


def test_dropping_large_data_optimizers_changes_no_declared_answers_result():
    seed = load_seed()
    instance = duckdb.connect(":memory:")  # DuckDB as the notebook has it: every optimizer on
    instance.execute("SET threads = 1")
    serial = iter(range(10**6))

    def pair():
        plain = instance.cursor()
        name = f"plain_{next(serial)}"
        plain.execute(f"ATTACH ':memory:' AS {name}")
        plain.execute(f"USE {name}")
        create_tables(plain, seed)
        set_variables(plain, VARIABLES)
        return plain, sandbox.open_sandbox(seed, VARIABLES, Limits())

    differ = []
    queries = [(name, sql) for name, sql in DECLARED if _is_query(sql)]
    scripts = [(name, sql) for name, sql in DECLARED if not _is_query(sql)]
    shared = pair()  # queries change nothing: they share one database each way, and run first (the
    # next sandbox opened detaches the last); a script gets databases of its own
    for name, sql in queries + scripts:
        plain, locked = shared if (name, sql) in queries else pair()
        if _run(plain, sql) != _run(locked, sql):
            differ.append(name)
    instance.close()
    assert differ == []


def test_sandbox_plans_without_the_large_data_optimizers():
    con = sandbox.open_sandbox(load_seed(), {}, Limits())
    try:
        disabled = con.execute("SELECT current_setting('disabled_optimizers')").fetchone()[0]
    finally:
        con.close()
    assert set(disabled.split(",")) == set(LARGE_DATA_OPTIMIZERS)


def test_every_dropped_optimizer_is_one_this_duckdb_has():
    known = {name for (name,) in duckdb.connect().execute("SELECT name FROM duckdb_optimizers()").fetchall()}
    assert set(LARGE_DATA_OPTIMIZERS) <= known


@pytest.mark.parametrize("kept", ["join_order", "filter_pushdown", "filter_pullup", "expression_rewriter",
                                  "deliminator", "unnest_rewriter", "materialized_cte", "cte_inlining",
                                  "build_side_probe_side"])
def test_passes_that_bound_a_learners_work_stay_on(kept):
    assert kept not in LARGE_DATA_OPTIMIZERS


def test_join_written_as_a_comma_list_still_plans_as_a_hash_join():
    con = sandbox.open_sandbox(load_seed(), {}, Limits())
    try:
        plan = con.execute("EXPLAIN SELECT count(*) FROM events e, users u WHERE e.user_id = u.user_id").fetchall()
    finally:
        con.close()
    text = "\n".join(row[1] for row in plan)
    assert "Hash Join" in text and "Cross Product" not in text


def test_learner_cannot_turn_the_optimizers_back_on():
    con = sandbox.open_sandbox(load_seed(), {}, Limits())
    try:
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute("SET disabled_optimizers = ''")
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute("RESET disabled_optimizers")
    finally:
        con.close()
