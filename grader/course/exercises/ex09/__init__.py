"""Exercise 9: cost arithmetic for the feature table (full grid, observed pairs, partition scan).

The answer is a literal dict (read without running Python; arithmetic on numbers is fine):

    ex09 = {"a_gb": <number, GB>, "b_gb": <number, GB>, "c_fraction": <number in (0, 1]>,
            "c_why": "<a sentence or two>"}

GB means 10**9 bytes; an answer in GiB (2**30 bytes) is accepted. The public check only looks at
the answer's form and is worth no points: a form earns nothing by itself ({"a_gb": 1, ...} is
well formed), so all six points are on the values, judged by the hidden checks (hidden.py),
which name a wrong unit or a missing factor when they see one. The form check lists every part
that is not a number, once; the value checks point at it instead of repeating it."""

from __future__ import annotations

import math
from typing import Any

from grader.engine.checks import ManualCheck, ValueCheck, Verdict
from grader.engine.checks.value import find_key
from grader.engine.exercise import Answer, Exercise
from grader.engine.judges import is_number, number_form
from grader.engine.structured import is_unanswered

NUMBERS = {"a_gb": "GB", "b_gb": "GB", "c_fraction": "a fraction"}


def _parts(value: dict) -> dict:
    """The numbers' parts found as the value checks find them (`A_GB`, `a-gb`: any case, spaces or
    hyphens for the underscores), under their own names."""
    found = {k: find_key(value, k) for k in NUMBERS}
    return {k: value[f] for k, f in found.items() if f is not None}


class ShapeCheck(ValueCheck):
    """The dict has a number for each part: `missing` while any is still `...`."""

    def evaluate(self, answer, limits):
        value = answer.value
        if answer.kind == "structured" and isinstance(value, dict):
            parts = _parts(value)
            todo = [k for k in NUMBERS if k in parts and is_unanswered(parts[k])]
            if todo:
                return Verdict("missing", f"ex09: not answered yet: {', '.join(todo)}")
        return super().evaluate(answer, limits)


def shape(value: Any) -> tuple[bool, str]:
    """Every problem of form at once (each part that is absent, not a number, or out of range)."""
    if not isinstance(value, dict):
        return False, "ex09 should be a dict: {\"a_gb\": ..., \"b_gb\": ..., \"c_fraction\": ..., \"c_why\": \"...\"}"
    value = _parts(value)
    absent = [k for k in NUMBERS if k not in value]
    problems = [f"no key(s) {', '.join(absent)} (the keys are a_gb, b_gb, c_fraction and c_why)"] if absent else []
    for k, unit in NUMBERS.items():
        if k not in value:
            continue
        v = value[k]
        if not is_number(v):
            problems.append(number_form(f"ex09[{k!r}]", v, unit))
        elif v <= 0:
            problems.append(f"ex09[{k!r}] should be positive; got {v:g}")
        elif k == "c_fraction" and v > 1:
            problems.append(f"ex09['c_fraction'] should be a fraction between 0 and 1 (the share of the table "
                            f"scanned), not a percentage or a count; got {v:g}")
    return (False, "; ".join(problems)) if problems else (True, "")


# Each size's order of magnitude in GB (10**9 bytes): the decade it lies in, and no closer. The
# public check says how many decades off an answer is and which slips fit that, never the value.
DECADE = {"a_gb": 8, "b_gb": 2}
SLIPS = [  # (the factor an answer is off by, the slip that gives it)
    (1e9, "bytes, not GB (1 GB = 10^9 bytes)"),
    (1e3, "MB, not GB"),
    (60.0, "60 bytes per row applied twice"),
    (10.0, "a count off by ten (10M = 10^7, 1M = 10^6, 5M = 5 x 10^6)"),
    (0.1, "a count off by ten (10M = 10^7, 1M = 10^6, 5M = 5 x 10^6)"),
    (1 / 60, "rows, not bytes: times 60 bytes per row"),
    (30 / 365, "one month of as-of days instead of the year's 365 (a month is part c's read)"),
    (1 / 365, "off by about 365x: per day instead of per year (365 as-of days)"),
    (1e-3, "TB, not GB"),
    (1e-6, "PB, not GB"),
]


def magnitude(value: Any) -> tuple[bool, str]:
    """a_gb and b_gb in the right decade of GB; otherwise how far off and which slips fit."""
    if not isinstance(value, dict):
        return shape(value)
    problems = []
    value = _parts(value)
    for key, decade in DECADE.items():
        v = value.get(key)
        if not is_number(v) or v <= 0:
            continue  # answer_is_three_numbers says so
        off = math.log10(v) - decade  # log10 of the factor lies in (off - 1, off]
        if 0 <= off < 1:
            continue
        fits = [slip for factor, slip in SLIPS if off - 1 < math.log10(factor) <= off]
        low, high = (10 ** max(off - 1, 0), 10 ** off) if off > 0 else (10 ** -off, 10 ** (1 - off))
        way = "too large" if off > 0 else "too small"
        problems.append(f"ex09[{key!r}] = {v:.4g} GB is {way} by a factor between about {low:.2g} and {high:.2g}"
                        + (f": {'; or '.join(dict.fromkeys(fits))}?" if fits else ""))
    return (False, "; ".join(problems)) if problems else (True, "")


EXERCISE = Exercise(
    id="ex09",
    title="Cost arithmetic: grid size and partition pruning",
    teaches="sizing a feature table before building it; units (GB = 10^9 bytes); what partitioning saves",
    answers=[Answer("ex09", "structured",
                    'dict: {"a_gb": number, "b_gb": number, "c_fraction": number, "c_why": sentence}')],
    checks=[
        ShapeCheck(
            name="answer_is_three_numbers", answer="ex09", points=0, judge=shape, gate=True,
            fail="ex09 should hold a number for a_gb, b_gb and c_fraction",
            passed="ex09 has a number for each part (worth no points by itself: the values are judged when "
                   "your instructor grades).",
        ),
        ShapeCheck(
            name="sizes_in_the_right_decade", answer="ex09", points=0, judge=magnitude,
            fail="a_gb and b_gb should be sizes in GB (10^9 bytes) of the right order of magnitude",
            passed="a_gb and b_gb are of the right order of magnitude in GB (worth no points by itself: the "
                   "values are judged to 3% when your instructor grades).",
        ),
        ManualCheck(
            name="partitioning_explained", answer="ex09", points=1, key="c_why", min_words=8,
            fail="Explain in a sentence or two why partitioning by month reduces the scan",
        ),
    ],
)
