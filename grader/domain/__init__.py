"""The course's data model, below the engine: its tables and seed data (tables.py) and the
feature definition as a Python oracle (semantics.py). The engine judges answers against them;
they import nothing else of the grader."""
