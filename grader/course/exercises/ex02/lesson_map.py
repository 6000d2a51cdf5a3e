"""Where Exercise 2"s lesson teaches what each check tests: check name -> (a `## ` heading of
lesson.md, "" for the text before the first one; a phrase of the paragraph, "" for the section"s first).
The class report quotes that paragraph beside a mistake (grader/grading/lesson_links.py)."""

SECTIONS = {
    "write_key_is_entity_and_as_of": ("One row per what?", "The write key is the set of columns"),
    "why_not_both_insert": ("One row per what?", "Every pair of `2025-12-03` is there twice"),
    "finds_duplicated_keys_on_sample": ("Your answer, part 2: find the duplicated keys", ""),
    "groups_by_full_key": ("One row per what?", "The write key is the set of columns"),
    "no_false_alarms": ("Your answer, part 2: find the duplicated keys", ""),
    "duplicates_with_different_values": ("Your answer, part 2: find the duplicated keys", ""),
    "n_counts_every_copy": ("Your answer, part 2: find the duplicated keys", ""),
    "one_row_per_key": ("Your answer, part 2: find the duplicated keys", ""),
}
