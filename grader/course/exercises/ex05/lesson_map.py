"""Where Exercise 5"s lesson teaches what each check tests: check name -> (a `## ` heading of
lesson.md, "" for the text before the first one; a phrase of the paragraph, "" for the section"s first).
The class report quotes that paragraph beside a mistake (grader/grading/lesson_links.py)."""

SECTIONS = {
    "overlap_days_inclusive": ("What the two jobs leave behind", "An `INSERT` does not look"),
    "what_goes_wrong": ("What the two jobs leave behind", "An `INSERT` does not look"),
    "audit_on_sample": ("Your answer, part 2: the audit, per partition", "The repair is per partition"),
    "only_days_with_duplicates": ("Your answer, part 2: the audit, per partition", "Days without duplicates"),
    "duplicated_keys_counts_keys": ("Your answer, part 2: the audit, per partition", "`duplicated_keys`"),
    "extra_rows_are_surplus_copies": ("Your answer, part 2: the audit, per partition", "`duplicated_keys`"),
    "key_is_user_and_item": ("Your answer, part 2: the audit, per partition", "`duplicated_keys`"),
    "duplicates_with_different_values": ("Your answer, part 2: the audit, per partition", "The repair is per partition"),
}
