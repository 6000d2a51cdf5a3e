"""Exercise 9's matrix: the slips of the cost arithmetic and the exact checks each fails, and
other right answers (literals, arithmetic, GiB, other month lengths), all graded by
tests/test_ex09.py (MATRIX by tests/test_matrix.py too). Never released: its answers hold the
values the hidden checks expect."""

from grader.engine.matrix import wrong

WHY = "Training filters on one month, so the engine reads only that month's partition and skips the other eleven."


def answer(a="10e6 * 1e6 * 365 * 60 / 1e9", b="5e6 * 365 * 60 / 1e9", c="1 / 12", why=repr(WHY)) -> str:
    return f'ex09 = {{"a_gb": {a}, "b_gb": {b}, "c_fraction": {c}, "c_why": {why}}}'


CORRECT = {
    "arithmetic": answer(),
    "literals": answer(a="2.19e8", b="109.5", c="0.0833"),
    "rounded": answer(a="2.2e8", b="110", c="0.08"),
    "gib": answer(a="10e6 * 1e6 * 365 * 60 / 2**30", b="5e6 * 365 * 60 / 1024**3"),
    "days_of_december": answer(c="31 / 365"),
    "days_of_february": answer(c="28 / 365"),
    "ints_and_underscores": answer(a="219_000_000", b="109_5 / 10", c="30 / 365"),
}

# (answer, failing check, words the message must contain)
WRONG = {
    "a_in_bytes": (answer(a="10e6 * 1e6 * 365 * 60"), "full_grid_size_gb", "bytes"),
    "a_in_mb": (answer(a="10e6 * 1e6 * 365 * 60 / 1e6"), "full_grid_size_gb", "MB"),
    "a_in_tb": (answer(a="219000"), "full_grid_size_gb", "TB"),
    "a_in_pb": (answer(a="219"), "full_grid_size_gb", "PB"),
    "a_rows_not_bytes": (answer(a="10e6 * 1e6 * 365"), "full_grid_size_gb", "60 bytes"),
    "a_one_day": (answer(a="10e6 * 1e6 * 60 / 1e9"), "full_grid_size_gb", "365"),
    "a_one_million_users": (answer(a="1e6 * 1e6 * 365 * 60 / 1e9"), "full_grid_size_gb", "10^7"),
    "a_from_50b_rows": (answer(a="50e9 * 60 / 1e9"), "full_grid_size_gb", "50B"),
    "b_in_bytes": (answer(b="5e6 * 365 * 60"), "observed_size_gb", "bytes"),
    "b_in_mb": (answer(b="109500"), "observed_size_gb", "MB"),
    "b_in_tb": (answer(b="0.1095"), "observed_size_gb", "TB"),
    "b_one_day": (answer(b="5e6 * 60 / 1e9"), "observed_size_gb", "365"),
    "b_from_1b_rows": (answer(b="60"), "observed_size_gb", "1B"),
    "b_unrelated": (answer(b="42"), "observed_size_gb", "not right"),
    "c_skipped_share": (answer(c="11 / 12"), "one_month_scan_fraction", "skips"),
    "c_one_day": (answer(c="1 / 365"), "one_month_scan_fraction", "day"),
    "c_full_scan": (answer(c="1"), "one_month_scan_fraction", "prune"),
    "c_percent": (answer(c="100 / 12"), "one_month_scan_fraction", "percentage"),
}


# For tests/test_matrix.py and tests/test_public_signal.py: the slips of (a) and (b), each failing
# its hidden value check and the public order-of-magnitude check (the values stay hidden).
MATRIX = {name: wrong("ex09", {check_name, "sizes_in_the_right_decade"}, source)
          for name, (source, check_name, _) in WRONG.items() if check_name != "one_month_scan_fraction"}
