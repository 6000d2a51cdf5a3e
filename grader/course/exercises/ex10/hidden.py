"""Hidden check for Exercise 10: the failed 12-03 run fails again (a crash after any statement)
and the scheduler reruns it; the rerun must still end with 12-01..12-04 written exactly once."""

from grader.course.harness import CrashCheck
from grader.course.exercises.ex10 import BASELINE, FIRST, SCENARIO

CHECKS = [
    CrashCheck(
        name="rerun_after_failed_day_3", answer="ex08", points=2, scenario=SCENARIO, aspect="recovers",
        gate=BASELINE, gate_runs=1, first=FIRST,
        fail="The 12-03 run crashed again and was rerun by the scheduler; the reruns must end with every day "
             "written exactly once, with no gap and no job stuck on its own leftovers",
    ),
]


# What earns a written answer's points, for the person scoring (`grader manual export`).
# Kept here, out of the student bundle: a rubric says the answer.
RUBRICS = {
    "explains_the_rerun": "1 each: reads the watermark (12-02) and computes only 12-03; writes 12-03 idempotently (MERGE or partition overwrite), replacing a partial write; moves the watermark only after the write, leaving 12-01 and 12-02 alone.",
}
