"""Where Exercise 7"s lesson teaches what each check tests: check name -> (a `## ` heading of
lesson.md, "" for the text before the first one; a phrase of the paragraph, "" for the section"s first).
The class report quotes that paragraph beside a mistake (grader/grading/lesson_links.py)."""

SECTIONS = {
    "matches_reference_on_sample": ("", "every key of `feature_rows` ends up"),
    'rerun_is_idempotent': ('', 'running the script twice'),
    "next_batch_is_written": ("", "run again with the next"),
    "next_batch_written_on_sample": ("", "run again with the next"),
    "stale_rows_updated_all_columns": ("", "every key of `feature_rows` ends up"),
    "key_includes_as_of_ts": ("Why the key must be the whole key", ""),
    'other_days_untouched': ('', 'every other row of `feature_table` stays'),
    'unrelated_rows_untouched': ('', 'every other row of `feature_table` stays'),
    "zero_impressions_give_null_ctr": ("Three ways to get ctr wrong", "`NULLIF(impressions_7d, 0)`"),
    "ctr_not_integer_division": ("Three ways to get ctr wrong", ""),
    'ctr_is_double_not_float': ('Three ways to get ctr wrong', 'a FLOAT detour'),
    'feature_table_keeps_key_and_types': ('', 'keeps its primary key'),
}
