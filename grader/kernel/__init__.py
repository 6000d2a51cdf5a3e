"""Inside a student's notebook kernel: the first cell (workbook; the public name is
grader.workbook) and check() (check)."""
