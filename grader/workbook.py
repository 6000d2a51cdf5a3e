"""The first cell of every notebook: `from grader.workbook import check, reset`.

A public name kept where students and instructors know it; the module is
grader/kernel/workbook.py (importing this opens the course DuckDB there, once per kernel).
"""

from grader.kernel.workbook import __all__, check, con, reset  # noqa: F401
