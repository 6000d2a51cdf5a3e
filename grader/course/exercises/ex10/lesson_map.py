"""Where Exercise 10's lesson teaches what each check tests: check name -> (a `## ` heading of
lesson.md, "" for the text before the first one; a phrase of the paragraph, "" for the section's first).
The class report quotes that paragraph beside a mistake (grader/grading/lesson_links.py)."""

SECTIONS = {
    'next_run_computes_day_3': ('What must the next run do?', "The watermark is the job's memory"),
    'finished_days_named': ('What must the next run do?', 'It must not recompute 12-01'),
    'explains_the_rerun': ('What must the next run do?', "The watermark is the job's memory"),
    'next_run_writes_day_3': ('What must the next run do?', "The watermark is the job's memory"),
    'days_1_and_2_left_alone': ('What must the next run do?', 'It must not recompute 12-01'),
    'watermark_moves_to_day_3': ('What must the next run do?', "The watermark is the job's memory"),
    'rerun_after_failed_day_3': ('Watch it run in the scenario', 'And the failure itself'),
}
