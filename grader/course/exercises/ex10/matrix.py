"""Exercise 10's matrix: the Exercise 8 jobs (ex08/matrix.py) that cost something in Exercise
10's scenario (days 12-01 and 12-02 written, control at 12-02), each handed in with a right ex10
answer, and the exact checks each fails (tests/test_matrix.py grades every entry). Never
released: it names the hidden checks."""

from grader.engine.matrix import sql_cell, wrong
from grader.course.exercises.ex08.matrix import WRONG as WRONG_JOBS

HOW = ("- read last_as_of_ts (12-02) and compute 12-03 only\\n- write 12-03 with MERGE on the key\\n"
       "- advance the control row to 12-03 after the write; 12-01 and 12-02 stay as they are")
GOOD = ('ex10 = {"next_as_of_ts": "2025-12-03 23:59:59", "leaves_alone": ["2025-12-01", "2025-12-02"], '
        f'"how": "{HOW}"}}')

# The jobs whose slip shows in the rerun (a job whose slip is only in its values costs nothing here:
# tests/test_ex10.py grades those).
MATRIX = {name: wrong("ex10", ex10, GOOD, sql_cell("ex08", sql)) for name, (sql, _, ex10) in WRONG_JOBS.items() if ex10}
