"""KeepsKeyCheck: after a run feature_table still has its PRIMARY KEY (a job that re-creates the table
writes the right rows today and duplicates rows silently on the next overlapping write)."""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.engine import sandbox
from grader.domain.tables import FEATURE_KEY
from grader.engine.checks import Check, Verdict
from grader.engine.notebook import SubmittedAnswer
from grader.engine.sandbox import Limits
from grader.course.harness.workspace import Scenario, State, Workspace, _statements, not_judged, read_state, run_job, written_days


KEEPS_KEY_FAIL = ("feature_table must keep its PRIMARY KEY (user_id, item_id, as_of_ts): write into the table (MERGE, "
                  "INSERT OR REPLACE, or DELETE + INSERT of the days written), don't re-create it (CREATE OR REPLACE "
                  "TABLE ... AS copies no key, and the next overlapping write then duplicates rows silently)")


@dataclass
class KeepsKeyCheck(Check):
    """One run of the job (with `variables`: a backfill's range) on `scenario`; after it
    feature_table must still have PRIMARY KEY (user_id, item_id, as_of_ts). A job that re-creates
    the table (CREATE OR REPLACE TABLE ... AS, DROP + CREATE ... AS) writes the right rows and
    loses the key, so the next overlapping write duplicates rows silently. Only the key is judged
    (the values and column types are the value checks'), and only for a job whose run writes rows."""

    scenario: Scenario = None  # type: ignore[assignment]
    variables: dict = field(default_factory=dict)
    first: str = "next_days_match_reference"

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        statements = _statements(answer, self.answer)
        sc = self.scenario
        with Workspace(sc, limits) as ws:
            db = ws.scratch()
            try:
                failure = run_job(db, statements, {**sc.variables, **self.variables}, limits)
                after = read_state(db)
                with sandbox.session(db) as cur:  # a new session: the job's TEMP tables are gone, as for every reader after it
                    keys = [sorted(r[0]) for r in cur.execute(
                        "SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = 'feature_table' "
                        "AND database_name = current_database() AND schema_name = 'main' "  # not another sandbox's
                        "AND constraint_type = 'PRIMARY KEY'").fetchall()]
            finally:
                db.close()
        what = "one run" + (f" over [{self.variables['start_ts']:%Y-%m-%d}, {self.variables['end_ts']:%Y-%m-%d}]"
                            if "start_ts" in self.variables else "") + f" on {sc.name}"
        if failure:
            return not_judged(f"in {what}, {failure.describe()}", self.first)
        if not written_days(State(sc.initial_rows, None, None), after):
            return not_judged(f"in {what}, your job wrote no feature rows", self.first)
        if sorted(FEATURE_KEY) in keys:
            return Verdict("pass", self.passed or "feature_table still has PRIMARY KEY (user_id, item_id, as_of_ts).")
        had = (f"PRIMARY KEY ({', '.join(keys[0])})" if keys else "no PRIMARY KEY")
        return Verdict("fail", f"{self.fail}. After {what}, feature_table has {had}")
