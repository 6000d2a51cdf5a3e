"""This course, above the engine: the exercises (exercises/exNN/, one folder each: declared
answers and checks, hidden checks, lesson) and the fault-injection harness for its job exercises
(harness/: crashes, reruns and backfill schedules judged on the course's feature table and control
row). Both declare their checks from grader.engine; the data they run on is grader.domain."""
