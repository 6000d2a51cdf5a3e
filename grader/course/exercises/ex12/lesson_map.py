"""Where Exercise 12"s lesson teaches what each check tests: check name -> (a `## ` heading of
lesson.md, "" for the text before the first one; a phrase of the paragraph, "" for the section"s first).
The class report quotes that paragraph beside a mistake (grader/grading/lesson_links.py)."""

SECTIONS = {
    "explains_overlap_duplicates": ("(b) Overlapping backfills", "Job A backfills"),
    "backfill_matches_reference": ("", "The data."),
    "overlapping_backfills_both_orders": ("(b) Overlapping backfills", "An idempotent write makes the order irrelevant"),
    "rerun_backfill_is_idempotent": ("(b) Overlapping backfills", "An idempotent write makes the order irrelevant"),
    "concurrent_backfills_converge": ("(b) Overlapping backfills", "When two backfills run at the same time"),
    "lost_day_named": ("(c) A control-first job, crashed", "After the crash the watermark"),
    "fix_is_control_after_write": ("(c) A control-first job, crashed", "After the crash the watermark"),
    'leaves_other_days_alone': ('(b) Overlapping backfills', '**partition overwrite**'),
    "other_days_left_as_they_were": ("(b) Overlapping backfills", "A backfill writes the days it is given"),
    "writes_days_without_events": ("(b) Overlapping backfills", "A backfill writes the days it is given"),
    "overwrites_stale_rows": ("(b) Overlapping backfills", "An idempotent write makes the order irrelevant"),
    "backfill_leaves_control_rows_alone": ("(b) Overlapping backfills", "And a backfill leaves `feature_job_control` alone"),
    "control_table_left_as_it_was": ("(b) Overlapping backfills", "And a backfill leaves `feature_job_control` alone"),
    "window_edges": ("", "The data."),
    "retries_deduplicated": ("Check yourself", ""),
    "all_types_in_impressions": ("Check yourself", ""),
    'feature_table_keeps_its_key': ('', 'The data.'),
}
