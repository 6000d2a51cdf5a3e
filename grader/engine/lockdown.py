"""How every DuckDB instance that runs learner SQL is locked down: the limits, the settings
that enforce them (then locked), and the variables a fixture sets. Shared by the sandbox's
instance and the kept fixture of read-only queries (readonly.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from grader.domain.tables import sql_literal


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 5.0
    memory: str = "256MB"
    threads: int = 1
    # Shrink a failure to the fewest rows that show it. Off where those rows would be withheld
    # (a hidden check, unless the instructor opts in): most of a wrong answer's cost, all of it dropped.
    shrink: bool = True

    @property
    def run_key(self) -> tuple:
        """What a run's outcome depends on, for caches: not `shrink`, which only decides what is
        done with a failure (a public and a hidden check share the same runs)."""
        return self.timeout_s, self.memory, self.threads


# DuckDB adds its temp_directory to the folders learner SQL may read and write even with
# external access off (COPY ... TO current_setting('temp_directory') || '/x.csv', ATTACH there).
# So there is none: nothing spills to disk, a query past the memory limit is an error, and no
# file is ever written. (Fixtures are a few hundred rows; no correct answer comes near.)
TEMP_DIRECTORY = ""


def lock(con: duckdb.DuckDBPyConnection, limits: Limits) -> None:
    """Apply the limits and lock them in. After this, learner SQL can change no setting."""
    con.execute(f"SET memory_limit = '{limits.memory}'")
    con.execute(f"SET threads = {int(limits.threads)}")
    con.execute(f"SET temp_directory = '{TEMP_DIRECTORY}'")
    con.execute("SET max_temp_directory_size = '0B'")
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET lock_configuration = true")


def set_variables(con: duckdb.DuckDBPyConnection, variables: dict[str, Any]) -> None:
    """Every variable in one round trip (a job run sets its variables on each session)."""
    if variables:
        con.execute(";\n".join(f"SET VARIABLE {name} = {sql_literal(value)}" for name, value in variables.items()))
