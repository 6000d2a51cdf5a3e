"""Where Exercise 11"s lesson teaches what each check tests: check name -> (a `## ` heading of
lesson.md, "" for the text before the first one; a phrase of the paragraph, "" for the section"s first).
The class report quotes that paragraph beside a mistake (grader/grading/lesson_links.py)."""

SECTIONS = {
    "matches_reference_on_sample": ("", "What you hand in."),
    "grid_not_cartesian": ("Why the grid matters", "Every feature row is"),
    "grid_has_every_active_pair": ("", "What you hand in."),
    'grid_not_all_time': ('The pitfalls', '**All-time pairs.**'),
    'pairs_distinct': ('The pitfalls', '**Duplicates.**'),
    'no_leakage': ('The pitfalls', '**Leakage.**'),
    "window_edges": ("", "What you hand in."),
    "window_is_seven_days": ("", "What you hand in."),
    'reads_as_of_variable': ('The pitfalls', '**A hard-coded date.**'),
    'reads_as_of_on_sample': ('The pitfalls', '**A hard-coded date.**'),
}
