"""The first cell of every notebook: `from grader.workbook import check, reset` (and the lessons'
`timeline`, `schedule_strips`).

A public name kept where students and instructors know it; the module is
grader/kernel/workbook.py (importing this opens the course DuckDB there, once per kernel).
"""

from grader.kernel.workbook import __all__, check, con, reset, schedule_strips, timeline  # noqa: F401
