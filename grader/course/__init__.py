"""The course: its tables and seed data (tables.py), the feature definition as an oracle
(semantics.py) and the exercises (exercises/exNN/, one folder each). Tables and semantics import nothing
else of the grader; the exercises declare their checks from grader.engine."""
