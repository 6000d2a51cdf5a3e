"""Hidden checks for Exercise 9: the values, each within a tolerance, with the usual slips
(a wrong unit, a factor of 1000, a missing factor) named in the message.

Decisions: GB is 10**9 bytes, as the course computes it; an answer in GiB (2**30 bytes) is
accepted too, with a note, since it is the same arithmetic in another convention. For (c) a
month of a year is 1/12, and 28/365 .. 31/365 (an actual month's days) are accepted.

Points: 2 + 2 + 2. The public form check is worth none (a well-formed answer of trivial numbers
must earn nothing), and its point went to (c), whose pruning argument is half the exercise.
A part that is not a number is reported once, by the form check; these point at it."""

from __future__ import annotations

from typing import Any

from grader.engine.checks import ValueCheck
from grader.engine.judges import Unreadable, is_number, number_form

TOL = 0.03  # 3%: rounding (2.2e8, 110) passes; GiB (7.4% smaller) needs its own branch
GB, GIB = 1e9, 2**30

FULL_GRID_BYTES = 10e6 * 1e6 * 365 * 60   # users x items x as-of days x bytes per row
OBSERVED_BYTES = 5e6 * 365 * 60           # observed pairs per day x as-of days x bytes per row


def _near(value: float, target: float, tol: float = TOL) -> bool:
    return abs(value - target) <= tol * abs(target)


def _unit_slips(expected_bytes: float) -> list[tuple[float, str]]:
    """(value a slip produces, what the slip is), for a size asked in GB."""
    b = expected_bytes
    return [
        (b, "the size in bytes, not GB: divide by 10^9 (1 GB = 10^9 bytes)"),
        (b / 1e6, "the size in MB, not GB: divide by 1000 once more"),
        (b / 2**20, "the size in MiB, not GB: 1 GB = 10^9 bytes"),
        (b / 1e12, "the size in TB, not GB: multiply by 1000"),
        (b / 2**40, "the size in TiB, not GB: 1 GB = 10^9 bytes"),
        (b / 1e15, "the size in PB, not GB: multiply by 10^6"),
        (b / 60 / GB, "rows (in billions), not bytes: multiply the row count by 60 bytes per row"),
        (b / 60, "the number of rows, not its size: multiply by 60 bytes per row, then divide by 10^9"),
        (b / 365 / GB, "one as-of day, not 365 of them: the table keeps a year of daily as-of timestamps"),
        (b * 10 / GB, "10 times too large: check the counts (10M = 10^7, 1M = 10^6, 5M = 5 x 10^6)"),
        (b / 10 / GB, "10 times too small: check the counts (10M = 10^7, 1M = 10^6, 5M = 5 x 10^6)"),
    ]


def size_in_gb(expected_bytes: float, what: str, extra: list[tuple[float, str]] = ()):
    gb, gib = expected_bytes / GB, expected_bytes / GIB

    def judge(value: Any) -> tuple[bool, str]:
        if not is_number(value):
            raise Unreadable(number_form(what, value, "GB"))
        if _near(value, gb):
            return True, f"{what}: {value:.4g} GB, right."
        if _near(value, gib):
            return True, (f"{what}: {value:.4g} is the size in GiB (2^30 bytes); accepted. "
                          f"In GB (10^9 bytes, as storage is priced) it is {gb:.4g}.")
        for target, slip in [*extra, *_unit_slips(expected_bytes)]:
            if _near(value, target):
                return False, f"{what}: {value:.4g} looks like {slip}"
        return False, (f"{what}: {value:.4g} GB is not right: multiply the number of rows by 60 bytes, "
                       "then divide by 10^9 for GB")

    return judge


def scan_fraction(value: Any) -> tuple[bool, str]:
    if not is_number(value):
        raise Unreadable(number_form("(c)", value, "a fraction between 0 and 1"))
    if 28 / 365 * (1 - TOL) <= value <= max(1 / 12, 31 / 365) * (1 + TOL):
        return True, f"{value:.3g} of the table: one monthly partition out of twelve, right."
    slips = [
        (11 / 12, "the share the read skips, not the share it scans"),
        (12, "the number of partitions; the read scans one of them"),
        (100 / 12, "a percentage; give the fraction (12.5% is 0.125)"),
        (1 / 365, "one day's share; the partitions are months, and training reads a whole month"),
        (1.0, "a full scan: with the table partitioned by month and the read filtering on as_of_ts, "
              "the engine skips (prunes) the other eleven partitions"),
    ]
    for target, slip in slips:
        if _near(value, target):
            return False, f"{value:.3g} looks like {slip}"
    return False, f"{value:.3g} is not the share of a year-long table that one month's partition holds"


CHECKS = [
    ValueCheck(
        name="full_grid_size_gb", answer="ex09", points=2, key="a_gb",
        judge=size_in_gb(FULL_GRID_BYTES, "(a) full grid", extra=[
            (50e9 * 60 / GB, "the data context's '~50B rows', which is not users x items x days; "
                             "compute 10M x 1M x 365 rows"),
        ]),
        fail="(a) the full grid: 10M users x 1M items x 365 as-of days x 60 bytes, in GB",
    ),
    ValueCheck(
        name="observed_size_gb", answer="ex09", points=2, key="b_gb",
        judge=size_in_gb(OBSERVED_BYTES, "(b) observed pairs", extra=[
            (1e9 * 60 / GB, "the data context's '~1B rows'; with 5M pairs a day for 365 days there are "
                            "5M x 365 rows"),
        ]),
        fail="(b) observed pairs: 5M pairs a day x 365 as-of days x 60 bytes, in GB",
    ),
    ValueCheck(
        name="one_month_scan_fraction", answer="ex09", points=2, key="c_fraction", judge=scan_fraction,
        fail="(c) the share of the table a one-month read scans when the table is partitioned by month",
    ),
]


# What earns a written answer's points, for the person scoring (`grader manual export`).
# Kept here, out of the student bundle: a rubric says the answer.
RUBRICS = {
    "partitioning_explained": "1: a filter on one month reads only that month's partition (pruning), about 1/12 of a year. 0: 'partitions are faster' without pruning.",
}
