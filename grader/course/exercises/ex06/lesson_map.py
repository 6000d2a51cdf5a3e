"""Where Exercise 6"s lesson teaches what each check tests: check name -> (a `## ` heading of
lesson.md, "" for the text before the first one; a phrase of the paragraph, "" for the section"s first).
The class report quotes that paragraph beside a mistake (grader/grading/lesson_links.py)."""

SECTIONS = {
    "matches_reference_on_sample": ("", "The definition this workbook grades"),
    'no_leakage': ('Look at the data first', 'event 10 at'),
    'window_edges': ('Look at the data first', 'event 7 at exactly'),
    "window_is_seven_days": ("", "The definition this workbook grades"),
    "retries_deduplicated": ("Look at the data first", "Event 2 was delivered twice"),
    "all_types_in_impressions": ("", "The definition this workbook grades"),
    "grid_is_observed_pairs": ("Your answer", ""),
}
