"""The course's tables: schemas exactly as the course states them, and the seeded sample data.

Every database learner SQL sees (the workbook's, and each grading sandbox) is built here,
so the schema has one definition.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

JOB_KEY = "user_item_features_daily"

# A feature row's key and counts: feature_table adds ctr_7d; feature_rows (Exercise 7's input) is
# exactly these.
COUNT_COLUMNS = [
    ("user_id", "INT"),
    ("item_id", "INT"),
    ("as_of_ts", "TIMESTAMP"),
    ("clicks_7d", "INT"),
    ("views_7d", "INT"),
    ("impressions_7d", "INT"),
]

# Column order matters: fixtures are written as tuples in this order.
TABLES: dict[str, list[tuple[str, str]]] = {
    "events": [
        ("event_id", "INT"),
        ("user_id", "INT"),
        ("item_id", "INT"),
        ("event_ts", "TIMESTAMP"),
        ("event_type", "VARCHAR(20)"),
    ],
    "users": [("user_id", "INT PRIMARY KEY"), ("signup_ts", "TIMESTAMP"), ("region", "VARCHAR(20)")],
    "items": [("item_id", "INT PRIMARY KEY"), ("created_ts", "TIMESTAMP"), ("category", "VARCHAR(20)")],
    "feature_table": COUNT_COLUMNS + [("ctr_7d", "DOUBLE")],
    "feature_job_control": [
        ("job_key", "VARCHAR PRIMARY KEY"),
        ("last_as_of_ts", "TIMESTAMP"),
        ("last_run_ts", "TIMESTAMP"),
    ],
    # Input of the MERGE exercise (Exercise 7): Exercise 6's output for the day being written.
    "feature_rows": list(COUNT_COLUMNS),
}
TABLE_SUFFIX = {"feature_table": ", PRIMARY KEY (user_id, item_id, as_of_ts)"}
FEATURE_COLUMNS = [c for c, _ in TABLES["feature_table"]]
FEATURE_KEY = ["user_id", "item_id", "as_of_ts"]

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
SEEDED = ["events", "users", "items", "feature_job_control"]


def ddl(table: str, primary_key: bool = True) -> str:
    cols = ", ".join(f"{name} {typ}" for name, typ in TABLES[table])
    if not primary_key:
        cols = cols.replace(" PRIMARY KEY", "")
    suffix = TABLE_SUFFIX.get(table, "") if primary_key else ""
    return f"CREATE TABLE {table} ({cols}{suffix})"


def columns(table: str) -> list[str]:
    return [name for name, _ in TABLES[table]]


@dataclass
class Dataset:
    """Rows for some of the course tables; tables not named are created empty."""

    tables: dict[str, list[tuple]] = field(default_factory=dict)
    # Tables created WITHOUT their primary key, as a warehouse that does not enforce keys
    # holds them: the overlapping-INSERT exercises need a feature_table with duplicated keys.
    unkeyed: frozenset[str] = frozenset()

    def rows(self, table: str) -> list[tuple]:
        return list(self.tables.get(table, []))

    def with_rows(self, table: str, rows: list[tuple]) -> "Dataset":
        return Dataset({**self.tables, table: list(rows)}, self.unkeyed)


def sql_literal(value: Any) -> str:
    """A SQL literal for a fixture value (fixtures are ours, but quote as if they were not)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"'{value}'::DOUBLE"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def schema_sql(unkeyed: frozenset[str] = frozenset(), primary_keys: bool = True) -> str:
    """One script that creates every course table, empty (a single round trip)."""
    return ";\n".join(ddl(t, primary_keys and t not in unkeyed) for t in TABLES) + ";"


def fill_table(con, table: str, rows: list[tuple] | tuple) -> None:
    """Append `rows` to `table` in one statement that takes the columns as list parameters:
    DuckDB parsed a VALUES literal at about 50 us a row, so a 40-row fixture cost twice as much
    to fill that way, and every check builds its fixtures afresh."""
    if not rows:
        return
    names = columns(table)
    if any(len(r) != len(names) for r in rows):
        raise ValueError(f"{table} rows need {len(names)} values each ({', '.join(names)})")
    select = ", ".join(f"unnest(${i + 1})" for i in range(len(names)))
    con.execute(f"INSERT INTO {table} SELECT {select}", [list(c) for c in zip(*rows)])


def unkeyed_feature_table(rows: list[tuple], **other_tables: list[tuple]) -> Dataset:
    """feature_table as a warehouse that does not enforce keys holds it: duplicates accepted
    (the overlapping-INSERT exercises need them)."""
    return Dataset({"feature_table": list(rows), **other_tables}, unkeyed=frozenset({"feature_table"}))


def replace_table(con, table: str, rows: list[tuple], primary_key: bool = True) -> int:
    """Swap one table of an open database (the notebook's, the kept fixture's) for `rows`, a
    fresh table as a new database would have; returns the row count."""
    con.execute(ddl(table, primary_key).replace("CREATE TABLE", "CREATE OR REPLACE TABLE", 1))
    fill_table(con, table, rows)
    return len(rows)


def create_tables(con, dataset: Dataset, primary_keys: bool = True) -> None:
    """Create every course table in `con` and fill it from `dataset`."""
    con.execute(schema_sql(dataset.unkeyed, primary_keys))
    for table in TABLES:
        fill_table(con, table, dataset.tables.get(table) or ())


def _parse(value: str, typ: str) -> Any:
    if value == "":
        return None
    if typ.startswith("INT"):
        return int(value)
    if typ.startswith("TIMESTAMP"):
        return datetime.fromisoformat(value)
    if typ.startswith("DOUBLE"):
        return float(value)
    return value


def load_seed(data_dir: Path = DATA_DIR) -> Dataset:
    """The workbook's sample tables, read from data/*.csv (header row = column names)."""
    tables: dict[str, list[tuple]] = {}
    for table in SEEDED:
        path = data_dir / f"{table}.csv"
        with path.open(newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            if header != columns(table):
                raise ValueError(f"{path}: header {header} does not match {columns(table)}")
            types = [typ for _, typ in TABLES[table]]
            tables[table] = [tuple(_parse(v, t) for v, t in zip(row, types)) for row in reader if row]
    return Dataset(tables)
