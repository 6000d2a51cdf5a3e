"""Grading: submissions in batch (grade, workers), reports, feedback pages, manual marks and the
platforms' formats (platforms/). Uses the engine and the course's exercises."""
