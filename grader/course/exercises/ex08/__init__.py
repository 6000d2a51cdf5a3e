"""Exercise 8: the incremental feature job, graded by running it with faults injected.

The answer `ex08` is a job script: it reads its watermark from feature_job_control, computes
the day after it (course convention: a day is its 23:59:59), writes that day idempotently and
only then advances the control row. The checks run it on a database file: twice in a row, and
crashed after every statement boundary then rerun until caught up (grader/engine/harness/).
Checks about crashes and the control row judge only a job whose clean runs write rows."""

from grader.engine.checks import ManualCheck
from grader.course.tables import load_seed
from grader.engine.exercise import Answer, Exercise
from grader.engine.harness import CleanRunsCheck, CrashCheck, Scenario, crash_table

SEED = Scenario("the workbook's sample tables (watermark 2025-12-02 23:59:59)", load_seed())


def crashes(name_or_sql: str = "ex08", scenario: Scenario = SEED):
    """In the notebook: your job crashed after each statement, then rerun; one row per crash."""
    return crash_table(name_or_sql, scenario)


EXERCISE = Exercise(
    id="ex08",
    title="Incremental feature job",
    teaches="watermark + 1 day, an idempotent write, and the control row advanced only after it",
    answers=[Answer("ex08", "sql", "job script: read the watermark, write the next day, then advance the control row"),
             Answer("ex08b", "structured", "sentences: why the control row is updated only after the write succeeded")],
    checks=[
        CleanRunsCheck(
            name="next_days_match_reference", answer="ex08", points=2, scenario=SEED, runs=2, aspect="table",
            fail="Two scheduled runs should write exactly the next two days (watermark + 1 day, then + 2 days) with "
                 "the course's features, and nothing after them",
            passed="Two runs wrote 2025-12-03 and 2025-12-04 exactly as the course defines them.",
        ),
        CleanRunsCheck(
            name="watermark_advances_to_day_written", answer="ex08", points=1, scenario=SEED, runs=2, aspect="control",
            gate=SEED,
            fail="The control row must end on the last as-of day written (last_as_of_ts = that day's 23:59:59, "
                 "not now()) and record the run in last_run_ts; the next run computes the day after it",
            passed="After two runs last_as_of_ts is 2025-12-04 23:59:59 and last_run_ts is set.",
        ),
        CrashCheck(
            name="crash_rerun_recovers", answer="ex08", points=2, scenario=SEED, aspect="recovers",
            skip_ahead=True,
            fail="After a crash the scheduler simply runs the job again, and the reruns must end with every "
                 "day written exactly once: no duplicate key, no gap, no job stuck on its own leftovers",
        ),
        CrashCheck(
            name="control_updated_after_write", answer="ex08", points=2, scenario=SEED, aspect="control_after_write",
            fail="Control updated before write",
        ),
        # The course's question, asked in the notebook before the text explains it.
        ManualCheck(name="why_control_after_success", answer="ex08b", points=1, min_words=15, fail=""),
    ],
)
