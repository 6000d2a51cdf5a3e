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

# DuckDB's optimizers that pay off on large data only. Planning, not running, is most of a small
# statement's cost here (fixtures are a few hundred rows), and these passes took about an eighth
# of a grading's CPU time. Each leaves a query's result as it was (an optimizer rewrites a plan
# into an equivalent one); the passes that keep a learner's join from becoming a cross product,
# a subquery from running once per row, or a join from holding its larger side in memory stay on:
# expression_rewriter, filter_pullup, filter_pushdown, join_order, deliminator, unnest_rewriter,
# build_side_probe_side (without it a runaway cross join runs out of memory at once instead of
# meeting the time limit), and the CTE passes (materialized_cte, cte_inlining), which decide how
# often a CTE is computed.
LARGE_DATA_OPTIMIZERS = (
    "aggregate_function_rewriter", "aggregate_reuse", "column_lifetime",
    "common_aggregate", "common_subexpressions", "common_subplan", "compressed_materialization",
    "cte_filter_pusher", "distinct_aggregate_rewrite", "duplicate_groups", "empty_result_pullup",
    "in_clause", "join_elimination", "join_filter_pushdown", "late_materialization", "limit_pushdown",
    "outer_join_simplification", "partial_aggregate_pushdown", "partitioned_execution",
    "projection_placement", "projection_pullup", "redundant_order_keys", "regex_range", "remote_pushdown",
    "reorder_filter", "row_group_pruner", "sampling_pushdown", "scalar_fn_pushdown", "self_join_aggregate",
    "statistics_propagation", "top_n", "top_n_window_elimination", "type_pushdown", "unused_columns",
    "window_rewriter", "window_self_join",
)


def lock(con: duckdb.DuckDBPyConnection, limits: Limits) -> None:
    """Apply the limits and lock them in. After this, learner SQL can change no setting."""
    con.execute(f"SET memory_limit = '{limits.memory}'")
    con.execute(f"SET threads = {int(limits.threads)}")
    con.execute(f"SET temp_directory = '{TEMP_DIRECTORY}'")
    con.execute("SET max_temp_directory_size = '0B'")
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute(f"SET disabled_optimizers = '{','.join(LARGE_DATA_OPTIMIZERS)}'")
    con.execute("SET lock_configuration = true")


def set_variables(con: duckdb.DuckDBPyConnection, variables: dict[str, Any]) -> None:
    """Every variable in one round trip (a job run sets its variables on each session)."""
    if variables:
        con.execute(";\n".join(f"SET VARIABLE {name} = {sql_literal(value)}" for name, value in variables.items()))
