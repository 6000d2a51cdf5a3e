"""Where Exercise 7"s lesson teaches what each check tests: check name -> (a `## ` heading of
lesson.md, "" for the text before the first one; a phrase of the paragraph, "" for the section"s first).
The class report quotes that paragraph beside a mistake (grader/grading/lesson_links.py)."""

SECTIONS = {
    "matches_reference_on_sample": ("", "every key of `feature_rows` ends up"),
    "rerun_is_idempotent": ("Why the key must be the whole key", ""),
    "stale_rows_updated_all_columns": ("", "every key of `feature_rows` ends up"),
    "key_includes_as_of_ts": ("Why the key must be the whole key", ""),
    "other_days_untouched": ("", "every key of `feature_rows` ends up"),
    "unrelated_rows_untouched": ("", "every key of `feature_rows` ends up"),
    "zero_impressions_give_null_ctr": ("Three ways to get ctr wrong", "`NULLIF(impressions_7d, 0)`"),
    "ctr_not_integer_division": ("Three ways to get ctr wrong", ""),
    "ctr_is_double_not_float": ("Three ways to get ctr wrong", "`NULLIF(impressions_7d, 0)`"),
    "feature_table_keeps_key_and_types": ("", "every key of `feature_rows` ends up"),
}
