"""Exercise 5: two overlapping backfills that both INSERT. Which as-of days both wrote, and an
audit query that finds, per day, the duplicated keys and the surplus rows to remove."""

from collections import Counter, defaultdict
from datetime import date

from grader.engine.checks import Fixture, ManualCheck, result_checks, ResultCheck, ValueCheck
from grader.engine.judges import parse_as_of_day, parse_days
from grader.domain.tables import Dataset, load_seed, replace_table, unkeyed_feature_table
from grader.engine.exercise import Answer, Exercise
from grader.domain import semantics

JOB_A = (date(2025, 12, 1), date(2025, 12, 5))
JOB_B = (date(2025, 12, 3), date(2025, 12, 7))
OVERLAP = {date(2025, 12, 3), date(2025, 12, 4), date(2025, 12, 5)}
COLUMNS = ["as_of_ts", "duplicated_keys", "extra_rows"]

def parse_day(value) -> date | None:
    """A day written as 'YYYY-MM-DD' or as its as-of timestamp ('YYYY-MM-DD 23:59:59'); None if unreadable."""
    ts = parse_as_of_day(value)
    return ts.date() if ts else None


def judge_overlap(value) -> tuple[bool, str]:
    got = {d.date() for d in parse_days(value)}  # Unreadable names every day it cannot read
    if got == OVERLAP:
        return True, ""
    problems = []
    missing = sorted(OVERLAP - got)
    extra = sorted(got - OVERLAP)
    if date(2025, 12, 5) in missing or date(2025, 12, 3) in missing:
        problems.append("both ranges include their end days: [12-01, 12-05] and [12-03, 12-07] share 12-03, 12-04 AND 12-05")
    elif missing:
        problems.append("missing: " + ", ".join(map(str, missing)))
    if extra:
        problems.append(", ".join(map(str, extra)) + " is written by one job only: no duplicates there")
    return False, "Not the overlap. " + "; ".join(problems)


def job_rows(first: date, last: date, events: list[tuple]) -> list[tuple]:
    """What a backfill over [first, last] writes: every day's features (the course's definition)."""
    days = semantics.as_of_range(semantics.day_end(first), semantics.day_end(last))
    return semantics.feature_rows(events, days)


# Event 36 (103 viewed 202 at 12-03 23:59:59.5) arrived after job A had run: job B's 12-04 and 12-05
# hold a key that A's do not, so those days mix duplicated and single keys.
ARRIVED_AFTER_A = 36


# Job B's first day, 12-03, timed out after its INSERT had committed and was retried: its keys
# there have three copies (two surplus rows each), so extra_rows is not duplicated_keys.
RETRIED_BY_B = date(2025, 12, 3)


# Job B's grid was built on whole days, so on 12-03 it kept (103, 202), whose only event (36) is half
# a second after 12-03 ends, with zero counts and a NULL ctr_7d, in its run and in the retry: a key
# with two copies beside keys with three, whose copies hold a NULL (count(ctr_7d) skips them).
ZERO_IMPRESSIONS = (103, 202, semantics.day_end(RETRIED_BY_B), 0, 0, 0, None)


def sample_feature_rows() -> list[tuple]:
    events = load_seed().rows("events")
    return (job_rows(*JOB_A, [e for e in events if e[0] != ARRIVED_AFTER_A]) + job_rows(*JOB_B, events)
            + job_rows(RETRIED_BY_B, RETRIED_BY_B, events) + [ZERO_IMPRESSIONS] * 2)


def audit(dataset: Dataset, variables: dict) -> list[tuple]:
    """The oracle: per as_of_ts holding a key more than once, (as_of_ts, duplicated_keys, extra_rows)."""
    by_day: dict = defaultdict(Counter)
    for r in dataset.rows("feature_table"):
        by_day[r[2]][(r[0], r[1])] += 1
    out = []
    for day, keys in sorted(by_day.items()):
        duplicated = sum(1 for n in keys.values() if n > 1)
        if duplicated:
            out.append((day, duplicated, sum(keys.values()) - len(keys)))
    return out


def load_into_workbook(con) -> int:
    """Make the notebook's feature_table (on `con`, the workbook's connection) what jobs A and B
    left: no primary key, both jobs' rows."""
    return replace_table(con, "feature_table", sample_feature_rows(), primary_key=False)


# Every ResultCheck of ex05b. A failure shows the fewest feature_table rows on which the audit still fails.
audit_check = result_checks("ex05b", audit, COLUMNS, key=["as_of_ts"], shrink_tables=("feature_table",))


EXERCISE = Exercise(
    id="ex05",
    title="Overlapping INSERT backfills",
    teaches="days written by two INSERT jobs hold every key twice; find them per partition",
    answers=[
        Answer("ex05", "structured", "dict: overlap_days (list of 'YYYY-MM-DD'), what_goes_wrong (sentences)"),
        Answer("ex05b", "sql", "query: as_of_ts, duplicated_keys, extra_rows for every as-of day holding a duplicated key"),
    ],
    checks=[
        ValueCheck(
            name="overlap_days_inclusive", answer="ex05", points=1, key="overlap_days", judge=judge_overlap,
            fail="Not the days both jobs write",
            passed="2025-12-03, 12-04 and 12-05: both ranges include their end days.",
        ),
        ManualCheck(name="what_goes_wrong", answer="ex05", points=2, key="what_goes_wrong", fail=""),
        audit_check(
            "audit_on_sample", Fixture("sample: jobs A and B both INSERTed", unkeyed_feature_table(sample_feature_rows())), 2,
            "On the sample feature_table your audit does not return the right days and counts",
            "Your audit finds the duplicated days of the sample, with the right counts.",
        ),
    ],
)
