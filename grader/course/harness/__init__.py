"""Fault injection for job scripts: run a learner's job statement by statement, crash it after
any statement, and run the job again as a scheduler would.

Where a crash happens (crash.py's MEDIUMS): by default on an in-memory database whose job
session is closed without COMMIT and which outlives it; on request (`CrashCheck.medium="file"`,
or WEEK12_CRASH_MEDIUM=file) on a database FILE that is abandoned and opened again, as when a
process dies. The job cannot tell them apart: DuckDB rolls back an open transaction when its
connection closes, and only committed work survives (tests/test_harness.py pins both facts down
and grades known-wrong and correct jobs both ways). Each job run gets its own connection (a
cursor: own session, variables and temp tables), like its own process.

Checks here are ordinary `Check`s (run/evaluate -> Verdict), so grade.py runs them unchanged:
- CleanRunsCheck: the job run N times in a row (table, watermark, untouched finished days);
- CrashCheck: a crash after every statement boundary of one run, then reruns until caught up;
- BackfillCheck: backfill jobs in sequence (both orders, twice) or interleaved on two
  connections, a failed task retried as an orchestrator retries it.
Expected tables come from the Python oracle (semantics.feature_rows), never from reference SQL.
"""

# One module per part: workspace.py (scenarios, databases, job runs, state), clean.py (CleanRunsCheck),
# gated.py (checks judged once the job writes rows), watermark_source.py (WatermarkSourceCheck),
# keeps_key.py (KeepsKeyCheck), control.py (the control table: own row only, none for a backfill),
# crash.py (CrashCheck and its trials), backfill.py (BackfillCheck), schedules.py (the interleavings it runs),
# lesson_tables.py (the tables lessons show; the kernel hands it the lookup of saved snippets).
# The names exercises, lessons and tests
# use are re-exported here; mutable caches and counters are the same objects as in their module.

from grader.course.harness.workspace import (  # noqa: F401
    AS_OF_COLUMN, COUNTS, COUNTS_END, COUNT_COLUMNS, Failure, MAX_RERUNS, MAX_SCHEDULES, ORCHESTRATOR_RETRIES, Runs,
    SHRINK_SECONDS, SHRINK_TESTS, Scenario, State, Workspace, _runs, changed_days, clean_runs,
    empty_table, events_table, expected_after, gate, input_tables, job_runs, new_rows, not_judged,
    read_state, run_job, short, shrink_events, table_diff, targets, written_days,
)
from grader.course.harness.clean import CleanRunsCheck  # noqa: F401
from grader.course.harness.watermark_source import WatermarkSourceCheck  # noqa: F401
from grader.course.harness.keeps_key import KEEPS_KEY_FAIL, KeepsKeyCheck  # noqa: F401
from grader.course.harness.crash import (  # noqa: F401
    Baseline, CrashCheck, MEDIUMS, Trial, _explored, baseline, crash_after, default_medium, expected_days,
    explore,
    trials_table,
)
from grader.course.harness.backfill import (  # noqa: F401
    Backfill, BackfillCheck, Outcome, _alone_runs, backfill_alone, run_schedule, sequence, sequential, values_diff,
)
from grader.course.harness.schedules import begins_deferred, boundaries, interleavings, schedules_for  # noqa: F401
from grader.course.harness.union import BackfillDaysCheck, quiet_days, union_run  # noqa: F401
from grader.course.harness.control import (  # noqa: F401
    BackfillControlCheck, OwnControlRowCheck, control_changes,
)
from grader.course.harness.lesson_tables import (  # noqa: F401
    crash_table, days_table, job_dataset, look_up_snippets_with, schedules_strip_table, schedules_table,
    snippet,
)
