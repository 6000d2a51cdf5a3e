"""The marker of an unanswered SQL cell: the release writes it into the students' placeholder
(grader/authoring/lesson.py), and grading reads it (checks, check() in a notebook)."""

UNANSWERED = "not answered yet"  # the placeholder's marker: check() reports "missing", not "fail"
