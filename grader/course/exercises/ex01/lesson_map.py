"""Where Exercise 1"s lesson teaches what each check tests: check name -> (a `## ` heading of
lesson.md, "" for the text before the first one; a phrase of the paragraph, "" for the section"s first).
The class report quotes that paragraph beside a mistake (grader/grading/lesson_links.py)."""

SECTIONS = {
    "backfill_when_history_changes": ("Two ways to run the same job", "do past as-of days need to change"),
    "new_days_are_incremental": ("Two ways to run the same job", "The daily job has written every as-of day"),
    "backfill_definition": ("Two ways to run the same job", ""),
    "incremental_definition": ("Two ways to run the same job", ""),
}
