"""Exercise 1 has no hidden fixtures: its answer is a choice among the options the notebook
shows, judged the same way in the notebook and at grading time."""

CHECKS: list = []
