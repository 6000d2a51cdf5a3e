"""Where Exercise 3"s lesson teaches what each check tests: check name -> (a `## ` heading of
lesson.md, "" for the text before the first one; a phrase of the paragraph, "" for the section"s first).
The class report quotes that paragraph beside a mistake (grader/grading/lesson_links.py)."""

SECTIONS = {
    "entity_features_before_join": ("Why the order matters", "The order is user features"),
    "derived_after_join_write_last": ("Why the order matters", "The order is user features"),
    "why_entity_first": ("Why the order matters", "If you join first"),
    "matches_reference_on_sample": ("The pipeline in SQL", "| column | meaning"),
    "point_in_time_users": ("The pipeline in SQL", "User 105 signed up"),
    "point_in_time_items": ("The pipeline in SQL", "User 105 signed up"),
    "no_join_fanout": ("Why the order matters", "If you join first"),
    "grid_is_observed_pairs": ("The pipeline in SQL", "| column | meaning"),
    "window_edges": ("The pipeline in SQL", "| column | meaning"),
    "entity_level_counts": ("The pipeline in SQL", "| column | meaning"),
    "entity_features_no_leakage": ("The pipeline in SQL", "| column | meaning"),
    "window_is_seven_days": ("The pipeline in SQL", "| column | meaning"),
    "retries_deduplicated": ("The pipeline in SQL", "Every count is over events deduplicated"),
    "ctr_is_double": ("The pipeline in SQL", "| column | meaning"),
    "reads_as_of_parameter": ("The pipeline in SQL", "Now build it"),
    "reads_as_of_on_sample": ("The pipeline in SQL", "Now build it"),
}
