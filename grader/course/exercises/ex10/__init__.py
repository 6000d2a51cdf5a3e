"""Exercise 10: failure and rerun. The learner says what the next run computes and what it
leaves alone (`ex10`), and the Exercise 8 job (`ex08`) is run in exactly that scenario:
days 2025-12-01 and 12-02 written, control at 12-02, the run for 12-03 failed."""

from datetime import datetime as dt

from grader.engine.checks import ManualCheck, ValueCheck, day_judge, days_judge
from grader.domain.tables import JOB_KEY, load_seed
from grader.engine.exercise import Answer, Exercise
from grader.course.harness import CleanRunsCheck, Scenario, crash_table, empty_table
from grader.domain import semantics

DAY1, DAY2, DAY3 = (dt(2025, 12, d, 23, 59, 59) for d in (1, 2, 3))
SEED = load_seed()
# Days 1 and 2 hold what the job wrote on those nights. Since then a late event for 12-02 arrived,
# so recomputing day 2 now would silently change rows that training has already used.
LATE_EVENT = (43, 101, 201, dt(2025, 12, 2, 16, 0), "click")
SCENARIO = Scenario(
    "days 12-01 and 12-02 written, control at 12-02 (other jobs' rows beside it), the 12-03 run failed",
    SEED.with_rows("feature_table", semantics.feature_rows(SEED.rows("events"), [DAY1, DAY2]))
    .with_rows("events", SEED.rows("events") + [LATE_EVENT])
    .with_rows("feature_job_control", [("item_features_daily", dt(2025, 12, 9, 23, 59, 59), dt(2025, 12, 10, 6, 0)),
                                       (JOB_KEY, DAY2, dt(2025, 12, 3, 6, 0)),
                                       ("user_features_hourly", dt(2025, 11, 20, 23, 59, 59), dt(2025, 11, 21, 6, 0))]),
)


def crashes(name_or_sql: str = "ex08"):
    """In the notebook: the job crashed after each statement of the 12-03 run, then rerun."""
    return crash_table(name_or_sql, SCENARIO)


# The same job's clean run from the same watermark on a table without the finished days: what it
# writes there is its own answer for 12-03. Exercise 10 judges the rerun (which day, which days left
# alone, where the watermark ends, crashes), not the feature values: those are Exercise 8's checks,
# so a window or dedup slip in the job costs points there once, not again here. A job whose clean
# run writes no rows is judged on nothing here (it would be trivially "leaving days alone").
BASELINE = empty_table(SCENARIO)
FIRST = "Exercise 8's next_days_match_reference"


def job_check(name: str, aspect: str, points: float, fail: str, passed: str, **kw) -> CleanRunsCheck:
    return CleanRunsCheck(name=name, answer="ex08", points=points, scenario=SCENARIO, runs=1, aspect=aspect,
                          fail=fail, passed=passed, gate=BASELINE, gate_runs=1, first=FIRST, **kw)


EXERCISE = Exercise(
    id="ex10",
    title="Failure and rerun",
    teaches="the next run after a failure computes only the missing day and leaves finished days alone",
    answers=[
        Answer("ex10", "structured", "{'next_as_of_ts': day, 'leaves_alone': [days], 'how': three bullets}"),
        Answer("ex08", "sql", "the Exercise 8 job, run in this exercise's scenario"),
    ],
    checks=[
        ValueCheck(
            name="next_run_computes_day_3", answer="ex10", key="next_as_of_ts", points=1,
            judge=day_judge(DAY3, {
                DAY2: "2025-12-02 is the watermark itself: it was written already; the next run computes the day after it",
                dt(2025, 12, 4, 23, 59, 59): "12-04 skips the failed day: the watermark (12-02) was never advanced past 12-03",
            }),
            fail="The next run computes the day after the watermark", passed="2025-12-03 23:59:59: the watermark + 1 day.",
        ),
        ValueCheck(
            name="finished_days_named", answer="ex10", key="leaves_alone", points=1,
            judge=days_judge([DAY1, DAY2], "the days the next run must not touch are the ones already written: "
                                           "2025-12-01 and 2025-12-02"),
            fail="Name the days the next run leaves alone", passed="12-01 and 12-02 are finished: the run leaves them alone.",
        ),
        ManualCheck(name="explains_the_rerun", answer="ex10", key="how", points=3, min_words=15,
                    fail="Describe in three bullets how the next run behaves"),
        job_check(
            "next_run_writes_day_3", "table", 2,
            "Your ex08 job, run once in this scenario, should write day 2025-12-03 (the day after the watermark) "
            "as it writes that day on a table without this history, and no later day",
            "Your ex08 job wrote 2025-12-03 and no later day (its feature values are judged in Exercise 8).",
            relative=True,
        ),
        job_check(
            "days_1_and_2_left_alone", "untouched", 2,
            "Your ex08 job changed rows of 2025-12-01 or 2025-12-02. Those days are finished (the watermark says so); "
            "rewriting them duplicates work at best and, after a late event like the one here, changes features "
            "training already used",
            "The rows of 12-01 and 12-02 are exactly as they were.",
        ),
        job_check(
            "watermark_moves_to_day_3", "control", 1,
            "After the rerun the watermark must say 2025-12-03 23:59:59 (and last_run_ts the time of the rerun, now()), "
            "so the following night computes 12-04",
            "The watermark moved to 2025-12-03 23:59:59.",
        ),
    ],
)
