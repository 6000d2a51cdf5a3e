"""One backfill over the jobs' union, gated (`union_run`), which BackfillControlCheck (control.py)
and BackfillDaysCheck judge; BackfillDaysCheck: which as-of days of its range a backfill writes,
where a day has no event of its own but events in its window (a backfill that takes its days from
the events' dates skips it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from grader.domain import semantics
from grader.engine.checks import Verdict, days_text
from grader.engine.notebook import SubmittedAnswer
from grader.engine.sandbox import Limits
from grader.course.harness.backfill import BackfillCheck, Outcome, backfill_alone
from grader.course.harness.strips import backfill_strip
from grader.course.harness.workspace import AS_OF_COLUMN, Scenario, State, _statements, not_judged, written_days


def union_run(check: BackfillCheck, statements: list[str], limits: Limits) -> tuple[Verdict | None, Outcome | None, str]:
    """The check's gate, then one backfill over its jobs' union on its scenario: (a verdict when
    nothing more can be judged, else None; the outcome; what ran, in words)."""
    problem = check._gate(statements, limits)
    if problem:
        return not_judged(problem, check.first), None, ""
    union = check.union()
    out = backfill_alone(statements, check.scenario, union, limits)
    what = f"one backfill over [{union.start:%Y-%m-%d}, {union.end:%Y-%m-%d}] on {check.scenario.name}"
    if out.failed:
        return Verdict("fail", f"{check.fail}. In {what}: " + "; ".join(out.failed)), out, what
    return None, out, what


def quiet_days(sc: Scenario, days: list[datetime]) -> list[datetime]:
    """The as-of days among `days` on which no event happened (none in (T - 1 day, T]) but whose
    7-day window holds events: they have feature rows, and only a backfill that generates its
    days from the range, not from the events' dates, writes them."""
    on_a_day = {d for d in days for e in sc.events if d - semantics.DAY < e[3] <= d}
    filled = {r[AS_OF_COLUMN] for r in semantics.feature_rows(sc.events, days)}
    return sorted(d for d in days if d in filled and d not in on_a_day)


@dataclass
class BackfillDaysCheck(BackfillCheck):
    """One backfill over the jobs' union on `scenario`, where a day of the range has no event of
    its own but events in its window (`quiet_days`): each such day must be written. Only those
    days are judged (which days a backfill takes; not its values, its window or its range's ends,
    which other checks name), and only for a backfill that writes rows on `gate` and writes within
    its range here (one that writes other days ignores its range: other_days_left_as_they_were)."""

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        verdict, out, what = union_run(self, _statements(answer, self.answer), limits)
        if verdict is not None:
            return verdict
        union = self.union()
        quiet = quiet_days(self.scenario, union.days)
        wrote = written_days(State(self.scenario.initial_rows, None, None), State(out.rows, None, None))
        outside = [d for d in wrote if d not in union.days]
        if outside:
            return Verdict("pass", f"Not judged here: {what} wrote days outside its range ({days_text(outside)}), "
                                   "which is other_days_left_as_they_were's finding; this check judges which days "
                                   "of its range a backfill that keeps to its range writes.")
        skipped = [d for d in quiet if d not in wrote]
        if not skipped:
            return Verdict("pass", self.passed)
        expected = semantics.feature_rows(self.scenario.events, skipped)
        return Verdict("fail", (
            f"{self.fail}. In {what}: no rows for as-of day {days_text(skipped)}, on which no event happened but "
            f"whose 7-day window holds events ({len(expected)} key(s) expected); the days your backfill wrote: "
            f"{days_text(wrote)}"), [backfill_strip([union], out, "one backfill")])
