"""Week 12 workbook grader.

Data flows one way: notebook -> answers -> sandboxed runs -> results -> reports.
The CLI (grader.cli) is a thin layer over this package's API.
"""

__version__ = "0.1.0"
