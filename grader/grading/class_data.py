"""A class's results, read for its teaching team: which checks failed for whom, which written
answers wait for a score, and which students made the same mistake.

Everything here reads the `--json` shape (plain dicts), so the terminal summary, the JSON's
`checks_across_class` and the HTML class report (`grader report results.json`) are built from
the same data, and a report can be re-made from a saved JSON without grading again."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

FAILED = ("fail", "error", "timeout")  # what a student got wrong; `missing` is not a mistake, `manual` not yet judged
STATUSES = ("pass", "fail", "error", "timeout", "missing", "manual")


def check_id(exercise: str, name: str) -> str:
    """The stable machine name of a check: `ex06.window_edges` (a check's name is unique in its exercise)."""
    return f"{exercise}.{name}"


def student_key(sub: dict) -> str:
    """What tells two submissions apart: the path (two `alice` in different folders are two students)."""
    return str(sub.get("path") or sub.get("student"))


def display_names(subs: list[dict]) -> dict[str, str]:
    """Student key -> the name to show: the student, with the path when two share a name."""
    counts: dict[str, int] = defaultdict(int)
    for s in subs:
        counts[str(s.get("student"))] += 1
    return {student_key(s): (str(s.get("student")) if counts[str(s.get("student"))] == 1
                             else f"{s.get('student')} ({s.get('path')})") for s in subs}


@dataclass
class CheckRate:
    """One check across the class."""

    exercise: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)  # status -> submissions
    failed_by: list[str] = field(default_factory=list)  # student keys, in class order
    written: bool = False  # a written answer (some student's is `manual`, or scored by the instructor)
    hidden: bool = False
    max_points: float = 0.0
    order: int = 0  # first appearance: exercise order, then declaration order

    @property
    def id(self) -> str:
        return check_id(self.exercise, self.name)

    @property
    def failures(self) -> int:
        return sum(self.counts.get(s, 0) for s in FAILED)

    @property
    def pending(self) -> int:
        return self.counts.get("manual", 0)

    @property
    def judged(self) -> int:
        """Submissions with a verdict on this check: a written answer waiting for its score has none yet."""
        return sum(self.counts.values()) - self.pending

    @property
    def pass_rate(self) -> float | None:
        return self.counts.get("pass", 0) / self.judged if self.judged else None


def check_rates(subs: Iterable[dict]) -> list[CheckRate]:
    """Every check seen in the class, in exercise and declaration order."""
    rates: dict[str, CheckRate] = {}
    for s in subs:
        for e in s.get("exercises", []):
            for c in e.get("checks", []):
                cid = check_id(e["id"], c["name"])
                r = rates.get(cid)
                if r is None:
                    r = rates[cid] = CheckRate(e["id"], c["name"], hidden=bool(c.get("hidden")))
                status = c.get("status", "missing")
                r.counts[status] = r.counts.get(status, 0) + 1
                r.max_points = max(r.max_points, float(c.get("max_points") or 0))
                if status == "manual" or c.get("scored_by") == "instructor":
                    r.written = True
                if status in FAILED:
                    r.failed_by.append(student_key(s))
    ordered = sorted(rates.values(), key=lambda r: r.exercise)  # stable: declaration order within an exercise
    for i, r in enumerate(ordered):
        r.order = i
    return ordered


def ranked(rates: list[CheckRate]) -> list[CheckRate]:
    """Checks with failures first, most failures first (the common mistake tops the list); then the rest in order."""
    return sorted(rates, key=lambda r: (r.failures == 0, -r.failures, r.order))


# ---------- mistakes: students grouped by what they got wrong ----------

@dataclass
class MistakeGroup:
    """Students who, in one exercise, failed the same checks with the same counterexamples."""

    exercise: str
    checks: tuple[str, ...]  # check names, in declaration order
    students: list[str]  # student keys
    example: dict  # the representative: first failing check (with a counterexample, if any) of the first student
    points_lost: float

    @property
    def ids(self) -> list[str]:
        return [check_id(self.exercise, c) for c in self.checks]

    @property
    def size(self) -> int:
        return len(self.students)


def _evidence(c: dict) -> Any:
    """What a failing check showed: its counterexample tables, else its message (a hidden check's
    message names the wrong values, e.g. `expected NULL, got NaN`)."""
    if c.get("tables"):
        return [(t.get("caption"), t.get("columns"), t.get("rows")) for t in c["tables"]]
    return c.get("message", "")


def mistake_groups(subs: Iterable[dict]) -> list[MistakeGroup]:
    """One group per (exercise, failing checks, what they showed), largest first. Two students
    whose answers fail the same checks with the same wrong values are one group; the same checks
    with different wrong values are two (two different bugs, or one bug seen on different rows)."""
    groups: dict[str, MistakeGroup] = {}
    for s in subs:
        if s.get("status") != "graded":
            continue
        for e in s.get("exercises", []):
            # a written answer you scored below full marks is your verdict, shown with the written answers
            failed = [c for c in e.get("checks", []) if c.get("status") in FAILED and c.get("scored_by") != "instructor"]
            if not failed:
                continue
            key = json.dumps([e["id"], [(c["name"], c["status"], _evidence(c)) for c in failed]],
                             sort_keys=True, default=str)
            g = groups.get(key)
            if g is None:
                example = next((c for c in failed if c.get("tables")), failed[0])
                lost = sum(float(c.get("max_points") or 0) for c in failed)
                g = groups[key] = MistakeGroup(e["id"], tuple(c["name"] for c in failed), [], example, lost)
            g.students.append(student_key(s))
    return sorted(groups.values(), key=lambda g: (-g.size, -g.points_lost, g.exercise, g.checks))


_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)\.\s")


def one_line(text: str, limit: int = 110) -> str:
    """A message's first sentence, on one line, cut to `limit` characters."""
    line = " ".join(str(text).split())
    end = _SENTENCE_END.search(line)
    if end and end.start() > 20:
        line = line[: end.start() + 1]
    return line if len(line) <= limit else line[: limit - 1] + "…"


# ---------- the JSON's class table ----------

def checks_across_class(subs: list[dict]) -> list[dict]:
    """The rows of `checks_across_class` in `--json`: each check's stable `id`, counts per status,
    the students who failed it (`failed_by`, by student name) and, for written answers, how many
    wait for a score (`manual`: never counted as failures, and left out of `pass_rate`)."""
    names = display_names(subs)  # two students of one name are told apart by their paths
    rows = []
    for r in ranked(check_rates(subs)):
        row: dict[str, Any] = {"id": r.id, "exercise": r.exercise, "check": r.name,
                               **{s: r.counts[s] for s in STATUSES if s in r.counts}}
        if r.written:
            row["written"] = True
        row["pass_rate"] = None if r.pass_rate is None else round(r.pass_rate, 4)
        if r.failed_by:
            row["failed_by"] = [names[k] for k in r.failed_by]
        rows.append(row)
    return rows
