"""Exercise 1 has no hidden fixtures: its answer is a choice among the options the notebook
shows, judged the same way in the notebook and at grading time."""

CHECKS: list = []


# What earns a written answer's points, for the person scoring (`grader manual export`).
# Kept here, out of the student bundle: a rubric says the answer.
RUBRICS = {
    "backfill_definition": "1: recomputes a range of past as-of days and overwrites them (first load, repair, a changed definition or late data). 0: only 'runs on old data', or the same as incremental.",
    "incremental_definition": "1: computes only the next as-of day after the watermark (the control table) and then advances it. 0: no mention of the watermark or of computing only new days.",
}
