"""Where Exercise 9's lesson teaches what each check tests: check name -> (a `## ` heading of
lesson.md, "" for the text before the first one; a phrase of the paragraph, "" for the section's first).
The class report quotes that paragraph beside a mistake (grader/grading/lesson_links.py)."""

SECTIONS = {
    'answer_is_three_numbers': ('', '`a_gb`'),
    'partitioning_explained': ('What a monthly partition holds', ''),
    'full_grid_size_gb': ('Units first', "In this workbook a GB"),
    'sizes_in_the_right_decade': ('Units first', ''),
    'observed_size_gb': ('Units first', 'Reading the data context critically'),
    'one_month_scan_fraction': ('What a monthly partition holds', ''),
}
