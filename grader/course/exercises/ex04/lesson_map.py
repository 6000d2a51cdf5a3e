"""Where Exercise 4"s lesson teaches what each check tests: check name -> (a `## ` heading of
lesson.md, "" for the text before the first one; a phrase of the paragraph, "" for the section"s first).
The class report quotes that paragraph beside a mistake (grader/grading/lesson_links.py)."""

SECTIONS = {
    "next_as_of_is_watermark_plus_one_day": ("What the watermark promises", "The watermark says"),
    "why_next_as_of": ("What the watermark promises", "`last_run_ts` says"),
    "reads_control_on_sample": ("Your answer, part 2: the query a job runs", ""),
    "filters_job_key": ("Your answer, part 2: the query a job runs", ""),
    'month_boundary': ('What the watermark promises', 'The representation of a day'),
    'year_boundary': ('What the watermark promises', 'The representation of a day'),
    "reads_watermark_not_run_time": ("What the watermark promises", "`last_run_ts` says"),
}
