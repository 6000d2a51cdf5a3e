"""Where Exercise 8's lesson teaches what each check tests: check name -> (a `## ` heading of
lesson.md, "" for the text before the first one; a phrase of the paragraph, "" for the section's first).
The class report quotes that paragraph beside a mistake (grader/grading/lesson_links.py)."""

SECTIONS = {
    'next_days_match_reference': ('Your answer', ''),
    'watermark_advances_to_day_written': ('Your answer', ''),
    'next_day_across_year_end': ('Check yourself', 'four weeks later'),
    'crash_rerun_recovers': ('The order of writes, explained', 'What survives a crash'),
    'control_updated_after_write': ('The order of writes, explained', 'If the control row moves first'),
    'why_control_after_success': ("First, the course's question: why update control only after success?", ''),
    'finished_days_left_alone': ('Check yourself', 'a day already written'),
    'write_is_idempotent': ('The order of writes, explained', 'If the feature write comes first'),
    'window_edges': ('', 'The data.'),
    'retries_deduplicated': ('', 'The data.'),
    'all_types_in_impressions': ('', 'The data.'),
    'watermark_from_control_not_data': ('Check yourself', 'a quiet day'),
    'reads_its_own_control_row': ('', 'holds one row per job'),
    'other_jobs_control_rows_untouched': ('', 'Other jobs keep their own rows'),
    'feature_table_keeps_its_key': ('', 'The data.'),
}
