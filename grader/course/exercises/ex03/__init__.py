"""Exercise 3: a multi-step pipeline. Entity features (per user, per item) first, then the join
onto the observed grid with point-in-time dimensions, then derived ratios."""

import re
from collections import defaultdict
from datetime import datetime

from grader.engine.checks import Fixture, moved_to, ManualCheck, result_checks, ResultCheck, ValueCheck
from grader.domain.tables import Dataset, load_seed
from grader.engine.exercise import Answer, Exercise
from grader.engine.judges import Unreadable, split_items, words_key
from grader.domain import semantics
from grader.domain.semantics import EVENT_TS, EVENT_TYPE, ITEM_ID, USER_ID

STEPS = ["user_features", "item_features", "join", "derived", "write"]
COLUMNS = [
    "user_id", "item_id", "as_of_ts",
    "user_clicks_7d", "user_impressions_7d", "item_clicks_7d", "item_impressions_7d",
    "user_ctr_7d", "item_ctr_7d",
]
KEY = ["user_id", "item_id", "as_of_ts"]
# The sample moved weeks later, to another day's end: a whole number of days, so a window drawn on
# whole days moves with it (the window's edges are window_edges' concern, and the sample check's).
MOVED_AS_OF = datetime(2026, 2, 11, 23, 59, 59)
SAMPLE_AS_OF = datetime(2025, 12, 4, 23, 59, 59)


# The prompt's display names ("user features -> item features -> join -> derived -> write") and
# the step keys are both read; a step's key is its display name with underscores.
_STEP_ALIASES = {"user_feature": "user_features", "item_feature": "item_features",
                 "derived_features": "derived", "derived_feature": "derived"}
_ORDER_FORM = ("write the order as a list of the five step keys, e.g. [\"step_a\", \"step_b\", ...], or one "
               "string with arrows, \"step_a -> step_b -> ...\"; the keys are " + ", ".join(sorted(STEPS)))


def _step(item: str) -> str:
    key = words_key(item)
    key = re.sub(r"^the_", "", key)
    return _STEP_ALIASES.get(key, key)


def _steps(value) -> list[str]:
    """The steps in the order written. Raises Unreadable (naming the form) unless the answer
    lists each of the five steps exactly once."""
    items = split_items(value, r"\s*(?:->|→|=>|⇒|>|,|;|\n|\bthen\b)\s*")
    if items is None or not all(isinstance(v, str) for v in items):
        raise Unreadable(_ORDER_FORM)
    steps = [_step(v) for v in items]
    unknown = [v.strip() for v, s in zip(items, steps) if s not in STEPS]
    if unknown:
        raise Unreadable(f"unknown step(s) {', '.join(map(repr, unknown))}: {_ORDER_FORM}")
    if sorted(steps) != sorted(STEPS):
        twice = sorted({s for s in steps if steps.count(s) > 1})
        absent = sorted(set(STEPS) - set(steps))
        what = "; ".join(filter(None, [f"missing: {', '.join(absent)}" if absent else "",
                                       f"more than once: {', '.join(twice)}" if twice else ""]))
        raise Unreadable(f"use each of the five steps exactly once ({what}): {_ORDER_FORM}")
    return steps


def judge_entity_first(value) -> tuple[bool, str]:
    steps = _steps(value)
    late = [s for s in ("user_features", "item_features") if steps.index(s) > steps.index("join")]
    if late:
        return False, (
            f"{' and '.join(late)} after the join: computed on the joined grid, each user's events are "
            "repeated once per item (and each item's once per user), so entity counts multiply. Aggregate "
            "each entity to one row per (entity, as_of_ts) first, then join"
        )
    return True, ""


def judge_derived_then_write(value) -> tuple[bool, str]:
    steps = _steps(value)
    if steps[-1] != "write":
        return False, "write comes last: a row is written once every column of it is final (and written by key)"
    if steps.index("derived") < steps.index("join"):
        return False, (
            "derived before join: the derived step computes every derived column of the row the pipeline "
            "writes, and some combine user and item columns that first meet in the joined row (a cross "
            "feature such as user_ctr_7d - item_ctr_7d); a per-entity ratio like user_ctr_7d could be "
            "computed earlier, but it is a ratio of the entity's final counts, so the step comes after them"
        )
    return True, ""


def _ratio(clicks: int, impressions: int):
    return semantics.ctr(clicks, impressions)


def expected(dataset: Dataset, variables: dict) -> list[tuple]:
    """The oracle. At as_of T: deduplicated events in T - 7d < event_ts <= T give per-user and
    per-item counts (over ALL of the entity's events); the grid is the observed pairs, kept when
    the user signed up and the item was created by T (signup_ts <= T, created_ts <= T)."""
    as_of: datetime = variables["as_of_ts"]
    events = [e for e in semantics.dedup(dataset.rows("events")) if semantics.in_window(e[EVENT_TS], as_of)]
    user = defaultdict(lambda: [0, 0])
    item = defaultdict(lambda: [0, 0])
    for e in events:
        clicked = e[EVENT_TYPE] == "click"
        user[e[USER_ID]][0] += clicked
        user[e[USER_ID]][1] += 1
        item[e[ITEM_ID]][0] += clicked
        item[e[ITEM_ID]][1] += 1
    signed_up = {u for u, signup_ts, _ in dataset.rows("users") if signup_ts is not None and signup_ts <= as_of}
    created = {i for i, created_ts, _ in dataset.rows("items") if created_ts is not None and created_ts <= as_of}
    out = []
    for u, i in semantics.grid(events, as_of):
        if u in signed_up and i in created:
            (uc, ui), (ic, ii) = user[u], item[i]
            out.append((u, i, as_of, uc, ui, ic, ii, _ratio(uc, ui), _ratio(ic, ii)))
    return out


features_check = result_checks("ex03b", expected, COLUMNS, key=KEY)  # every ResultCheck of ex03b


EXERCISE = Exercise(
    id="ex03",
    title="Entity features, then the join",
    teaches="aggregate each entity first, join onto the observed grid with point-in-time dimensions, then derive",
    answers=[
        Answer("ex03", "structured", "dict: order (the five step keys in pipeline order), why (sentence)"),
        Answer("ex03b", "sql", "query at getvariable('as_of_ts'): " + ", ".join(COLUMNS)),
    ],
    checks=[
        ValueCheck(
            name="entity_features_before_join", answer="ex03", points=1, key="order", judge=judge_entity_first,
            fail="The entity feature steps must come before the join",
            passed="Entity features come before the join.",
        ),
        ValueCheck(
            name="derived_after_join_write_last", answer="ex03", points=1, key="order", judge=judge_derived_then_write,
            fail="derived comes after the join, and write comes last",
            passed="Join, then derived features, then the write.",
        ),
        ManualCheck(name="why_entity_first", answer="ex03", points=2, key="why", fail=""),
        features_check(
            "matches_reference_on_sample",
            Fixture("sample at 2025-12-04 23:59:59", load_seed(), {"as_of_ts": SAMPLE_AS_OF}),
            2,
            "On the workbook's sample tables your features differ from the definition",
            "Your features match the definition on the sample tables.",
        ),
        # Worth nothing by itself (the hidden checks score reading the variable): a warning before
        # hand-in that a timestamp written into the query (or now()) does not move with
        # getvariable('as_of_ts').
        features_check(
            "reads_as_of_on_sample",
            moved_to(MOVED_AS_OF)(Fixture("the sample moved to as_of_ts = 2026-02-11 23:59:59", load_seed(), {"as_of_ts": SAMPLE_AS_OF})),
            0,
            "With the sample moved in time to as_of_ts = 2026-02-11 23:59:59 (every timestamp shifted alike) "
            "your features should move with it: read the as-of time with getvariable('as_of_ts') wherever the "
            "query needs it (no timestamp or day written into the query, no now())",
            "Your features move with getvariable('as_of_ts') on the sample moved in time.",
            control=moved_to(SAMPLE_AS_OF), control_note="on the sample at its own as-of time", own_rows=True,
        ),
    ],
)
