"""Exercise 2: the write key of feature_table, and SQL that finds keys written more than once
(what two plain INSERTs of the same as-of day leave behind)."""

import re
from collections import Counter
from datetime import datetime

from grader.engine.checks import Fixture, ManualCheck, result_checks, ResultCheck, ValueCheck
from grader.domain.tables import FEATURE_COLUMNS, FEATURE_KEY, Dataset, load_seed, replace_table, unkeyed_feature_table
from grader.engine.exercise import Answer, Exercise
from grader.engine.judges import Unreadable, split_items
from grader.domain import semantics

COLUMNS = ["user_id", "item_id", "as_of_ts", "n"]
KEY_POS = slice(0, 3)  # (user_id, item_id, as_of_ts) lead every feature_table tuple

# Why a wrong key is wrong, by the column that is missing or extra.
KEY_HINTS = {
    "as_of_ts": "without as_of_ts each pair keeps one row, so every day overwrites the last and "
    "training cannot read features as they were at an earlier time",
    "user_id": "without user_id the features of different users for the same item collide",
    "item_id": "without item_id the features of one user's different items collide",
}


# "(user_id, item_id, as_of_ts)", "PRIMARY KEY (user_id, item_id, as_of_ts)", "user_id + item_id + as_of_ts"
_KEY_WORDS = re.compile(r"^\s*(?:primary\s+key|unique|key)\b", re.I)


# What may stand between the key's names: "user_id, item_id and as_of_ts", "user_id/item_id/as_of_ts",
# "user_id | item_id | as_of_ts", "user_id + item_id + as_of_ts" (no column name holds any of them).
_SEPARATORS = r"[,;+/|&\s]+|\band\b"


def key_columns(value) -> list[str]:
    """The column names a key answer lists: a list of names, or one string in the course's
    notation. Raises Unreadable, naming the form to use, when it is neither."""
    form = "write the key as its column names: a list [\"col_a\", \"col_b\"] or a string \"(col_a, col_b)\""
    if isinstance(value, str):
        value = _KEY_WORDS.sub("", value)
    items = split_items(value, _SEPARATORS)
    if items is None or not all(isinstance(v, str) for v in items):
        raise Unreadable(form)
    names = []
    for item in items:
        for part in re.split(_SEPARATORS, item):
            name = part.strip().strip("()[]{}`'\"").strip().lower().rsplit(".", 1)[-1]  # feature_table.user_id
            if name and name != "and":
                names.append(name)
    if not names:
        raise Unreadable(form)
    unknown = [n for n in dict.fromkeys(names) if n not in FEATURE_COLUMNS]
    if unknown:
        raise Unreadable(f"{', '.join(map(repr, unknown))}: not a column of feature_table (its columns: "
                         f"{', '.join(FEATURE_COLUMNS)}); {form}")
    return names


def judge_key(value) -> tuple[bool, str]:
    got = set(key_columns(value))
    want = set(FEATURE_KEY)
    problems = [f"{c}: {KEY_HINTS[c]}" for c in FEATURE_KEY if c not in got]
    extra = sorted(got - want)
    if extra:
        problems.append(
            f"{', '.join(extra)} in the key: a key identifies WHICH row a value belongs to; with a feature "
            "value (or anything recomputed) in it, a rerun with a new value adds a row instead of replacing one"
        )
    if problems:
        return False, "Not the write key. " + "; ".join(problems)
    return True, ""


def duplicated_keys(dataset: Dataset, variables: dict) -> list[tuple]:
    """(user_id, item_id, as_of_ts, n) for every key held by more than one feature_table row."""
    counts = Counter(tuple(r[KEY_POS]) for r in dataset.rows("feature_table"))
    return sorted((*k, n) for k, n in counts.items() if n > 1)


# The sample: the daily job wrote 2025-12-02, then 2025-12-03; the 2025-12-03 run timed out after
# its INSERT had committed, the scheduler retried it, and the retry INSERTed the day again. Event
# 42 (a second click of 102 on 201) arrived between the two: copies of one key can differ.
DAY2, DAY3 = datetime(2025, 12, 2, 23, 59, 59), datetime(2025, 12, 3, 23, 59, 59)
ARRIVED_LATE = 42
# The job's grid was built on whole days, so it kept (103, 202), whose only event is half a second
# after 12-03 ends, with zero counts and a NULL ctr_7d: a duplicated key whose ctr_7d is NULL.
ZERO_IMPRESSIONS = (103, 202, DAY3, 0, 0, 0, None)


# The next morning an analyst who saw that event 42 was missing re-INSERTed that pair's 12-03 row
# by hand: a key written three times (two copies alike, one not), so n is not always 2.
FIXED_BY_HAND = (102, 201, DAY3)


def sample_feature_rows() -> list[tuple]:
    events = load_seed().rows("events")
    first = semantics.feature_rows([e for e in events if e[0] != ARRIVED_LATE], [DAY2, DAY3]) + [ZERO_IMPRESSIONS]
    retry = semantics.feature_rows(events, [DAY3]) + [ZERO_IMPRESSIONS]
    by_hand = [r for r in retry if tuple(r[KEY_POS]) == FIXED_BY_HAND]
    return first + retry + by_hand


def sample() -> Dataset:
    # Only feature_table: the answer reads nothing else, and a failure then shows no unrelated rows.
    return unkeyed_feature_table(sample_feature_rows())


def load_into_workbook(con) -> int:
    """Make the notebook's feature_table (on `con`, the workbook's connection) the sample's: no
    primary key, the retried day twice."""
    return replace_table(con, "feature_table", sample_feature_rows(), primary_key=False)


# Every ResultCheck of ex02b. A failure shows the fewest feature_table rows on which the query still fails.
dup_check = result_checks("ex02b", duplicated_keys, COLUMNS, key=FEATURE_KEY, shrink_tables=("feature_table",))


EXERCISE = Exercise(
    id="ex02",
    title="The write key",
    teaches="one row per (user_id, item_id, as_of_ts); a second INSERT of the same day duplicates every key",
    answers=[
        Answer("ex02", "structured", "dict: write_key (column names), why_not_both_insert (sentence)"),
        Answer("ex02b", "sql", "query: user_id, item_id, as_of_ts, n for every key held by more than one feature_table row"),
    ],
    checks=[
        ValueCheck(
            name="write_key_is_entity_and_as_of", answer="ex02", points=1, key="write_key", judge=judge_key,
            fail="That is not the write key of feature_table",
            passed="(user_id, item_id, as_of_ts): one row per pair per as-of day.",
        ),
        ManualCheck(name="why_not_both_insert", answer="ex02", points=1, key="why_not_both_insert", fail=""),
        dup_check(
            "finds_duplicated_keys_on_sample", Fixture("sample: a retried day INSERTed twice", sample()), 2,
            "On the sample feature_table your query does not return exactly the duplicated keys with their row counts",
            "Your query finds every duplicated key of the sample, with its number of rows.",
        ),
    ],
)
