"""Exercise 1: backfill vs incremental. Which situations call for a backfill (option keys),
plus one-sentence definitions read by the instructor."""

import re

from grader.engine.checks import ManualCheck, ValueCheck
from grader.engine.judges import Unreadable, split_items, words_key
from grader.engine.exercise import Answer, Exercise

# The situations shown in the notebook, keyed as the learner writes them.
OPTIONS = {
    "new_feature": "A new feature definition (say views_7d is added) must exist for the past year of training data.",
    "bug_fix": "A bug in ctr_7d was fixed; the rows already written for November hold wrong values.",
    "daily_run": "The scheduled 06:00 run after yesterday's events have landed.",
    "new_entities": "A new region's users and items are onboarded, with 6 months of their events already in `events`.",
    "missed_day": "Yesterday's run failed before it wrote anything; the watermark in the control table did not move.",
    "serving_refresh": "The serving store needs today's features for the latest as-of day.",
}
BACKFILL = {"new_feature", "bug_fix", "new_entities"}
INCREMENTAL = set(OPTIONS) - BACKFILL

WHY_BACKFILL = {
    "new_feature": "a new feature definition has no history yet: every past as-of day must be computed",
    "bug_fix": "repairing history means recomputing (and overwriting) the past as-of days the bug touched",
    "new_entities": "new entities need their past as-of days computed, not only the days from now on",
}
WHY_INCREMENTAL = {
    "daily_run": "the daily scheduled run computes one new as-of day after the watermark: incremental",
    "missed_day": "a failed run left the watermark where it was, so the next incremental run computes the "
    "missed day by itself (that is why the watermark moves only after a successful write)",
    "serving_refresh": "the newest as-of day is exactly what an incremental run adds",
}


def _situation_text(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("`", "")).strip().strip(".").lower()


_BY_TEXT = {_situation_text(text): key for key, text in OPTIONS.items()}


def _option(item: str) -> str | None:
    """The option key an item names: its key in any case, with spaces or hyphens for the
    underscores (`New feature`), or the situation's text as the table shows it."""
    key = words_key(item)
    if key in OPTIONS:
        return key
    return _BY_TEXT.get(_situation_text(item))


# A bullet or a number at an item's start ("- bug_fix", "2. bug_fix", "b) bug_fix"), and the
# words and signs that join keys within one item ("bug_fix and new_entities", "a / b", "a & b").
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\(?\d+[.)]|\(?[a-f]\))\s+")
_JOINS = re.compile(r"\s*(?:,|;|\band\b|&|/|\||\+)\s*", re.I)


def _items(items: list) -> list:
    """Items as written, each split further where it is keys joined by 'and', '&', '/', '|' or '+'
    and stripped of a bullet or number; an item is left whole unless every part is a key (a
    situation's own text has 'and' in it), so an unknown item is named as the student wrote it."""
    out = []
    for item in items:
        if not isinstance(item, str) or _option(item):
            out.append(item)
            continue
        parts = [_BULLET.sub("", p) for p in _JOINS.split(_BULLET.sub("", item)) if p.strip()]
        out.extend(parts if parts and all(_option(p) for p in parts) else [item])
    return out


def _marked(value: dict):
    """The situations a dict marks as backfills, or the dict itself when it is not such a mark-up."""
    def mark(v):
        if isinstance(v, bool):
            return v
        if isinstance(v, int) and v in (0, 1):
            return bool(v)
        if isinstance(v, str) and v.strip().lower() in ("backfill", "yes", "y", "true"):
            return True
        if isinstance(v, str) and v.strip().lower() in ("incremental", "no", "n", "false"):
            return False
        return None

    marks = {k: mark(v) for k, v in value.items()}
    if not marks or any(m is None for m in marks.values()) or not all(isinstance(k, str) for k in marks):
        return value
    return [k for k, m in marks.items() if m]


def chosen(value) -> set[str]:
    """The option keys in the answer (case, order and separators ignored). Raises Unreadable
    when the answer is not a choice among the options, or chooses none of them."""
    if isinstance(value, dict):  # each situation marked: {"new_feature": True} or {"new_feature": "backfill"}
        value = _marked(value)
    items = [value] if isinstance(value, str) and _option(value) else split_items(value)
    items = None if items is None else _items(items)
    if items is None or not all(isinstance(v, str) for v in items):
        raise Unreadable('write the chosen situations as a list of option keys, e.g. ["key_1", "key_2"] '
                         f"(the keys: {', '.join(OPTIONS)})")
    keys = {_option(v) for v in items}
    unknown = [v.strip() for v in items if _option(v) is None]
    if unknown:
        raise Unreadable(f"unknown option(s) {', '.join(map(repr, unknown))}; use the keys in the table's first "
                         f"column: {', '.join(OPTIONS)}")
    if not keys:
        raise Unreadable("the list is empty: choose the situations that call for a backfill, by key")
    return keys  # type: ignore[return-value]


def judge_history_changes(value) -> tuple[bool, str]:
    keys = chosen(value)
    missed = sorted(BACKFILL - keys)
    if missed:
        return False, "Not chosen but needs a backfill: " + "; ".join(f"{k}: {WHY_BACKFILL[k]}" for k in missed)
    if keys >= INCREMENTAL:
        # every situation chosen: nothing told apart, so neither half of the choice is shown
        return False, "Every situation is on your list: a backfill is for past as-of days only (see new_days_are_incremental)"
    return True, ""


def judge_new_days(value) -> tuple[bool, str]:
    keys = chosen(value)
    wrong = sorted(keys & INCREMENTAL)
    if wrong:
        return False, "Chosen but incremental: " + "; ".join(f"{k}: {WHY_INCREMENTAL[k]}" for k in wrong)
    return True, ""


EXERCISE = Exercise(
    id="ex01",
    title="Backfill vs incremental",
    teaches="a backfill recomputes a range of past as-of days; an incremental run adds the next one",
    answers=[Answer("ex01", "structured", "dict: backfill (option keys), backfill_definition, incremental_definition")],
    checks=[
        ValueCheck(
            name="backfill_when_history_changes", answer="ex01", points=1, key="backfill",
            judge=judge_history_changes,
            fail="Some situation that changes or adds past as-of days is missing from your backfill list",
            passed="Every situation that needs past as-of days recomputed is on your list.",
        ),
        ValueCheck(
            name="new_days_are_incremental", answer="ex01", points=1, key="backfill",
            judge=judge_new_days,
            fail="A situation an incremental run handles is on your backfill list",
            passed="No situation an incremental run handles is on your backfill list.",
        ),
        ManualCheck(name="backfill_definition", answer="ex01", points=1, key="backfill_definition", fail=""),
        ManualCheck(name="incremental_definition", answer="ex01", points=1, key="incremental_definition", fail=""),
    ],
)
