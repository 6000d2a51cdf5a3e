"""WatermarkSourceCheck: the day a run writes and the watermark it leaves come from the control row,
never from the data (max(as_of_ts) sticks on an empty day and jumps ahead over a backfill)."""

from __future__ import annotations

from dataclasses import dataclass

from grader.domain import semantics
from grader.engine.checks import Verdict, day_text, days_text
from grader.engine.notebook import SubmittedAnswer
from grader.engine.sandbox import Limits
from grader.course.harness.strips import runs_strip
from grader.course.harness.gated import GatedCheck
from grader.course.harness.workspace import Scenario, input_tables, job_runs, targets, written_days


def _offsets_text(offsets: set) -> str:
    """The as-of times a run writes, relative to its watermark, in words (whole days, or the exact step:
    a job that writes the next day's midnight writes watermark + 0:00:01)."""
    if not offsets:
        return "nothing"

    def text(k) -> str:
        if not k:
            return "its watermark's own day"
        return f"watermark + {k.days} day(s)" if not k % semantics.DAY else f"watermark + {k}"

    return " and ".join(text(k) for k in sorted(offsets))


@dataclass
class WatermarkSourceCheck(GatedCheck):
    """The day a run writes and the watermark it leaves must come from the control row, not from
    the data. Two scenarios show a data-derived watermark: `empty_day`, where the next day's
    window holds no events (no row records that it was done: max(as_of_ts) sticks), and
    `backfilled`, where feature_table already holds later days a backfill wrote
    (max(as_of_ts) jumps ahead). Judged against the job's own behaviour on `sample`: each run
    must write the day(s) it writes there relative to its watermark, and when its control update
    is right on the sample it must be right here too."""

    empty_day: Scenario = None  # type: ignore[assignment]
    backfilled: Scenario = None  # type: ignore[assignment]

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        statements, not_yet = self.gated(answer, limits)
        if not_yet:
            return not_yet
        own = job_runs(statements, self.sample, limits, self.runs, fed=True)
        # the exact step from the watermark (not whole days: a job writing the next day's 00:00:00 is 1 s
        # after its watermark, and must be held to that step here, not to the watermark's own day)
        offsets = {d - i.watermark for i, o in zip(own.inputs, own.outputs) for d in written_days(i, o)
                   if i.watermark is not None}
        natural = job_runs(statements, self.sample, limits, self.runs)
        control_right = natural.after.watermark == targets(self.sample, self.runs)[-1] and not natural.failure()
        for sc in (self.empty_day, self.backfilled):
            said = self._days(statements, sc, limits, offsets)
            if said:
                strip = runs_strip(job_runs(statements, sc, limits, self.runs, fed=True),
                                   f"the days each run wrote on {sc.name} (day strip)")
                return Verdict("fail", f"{self.fail}. On {sc.name}: {said}", input_tables(sc) + [strip])
            if control_right:
                r = job_runs(statements, sc, limits, self.runs)
                last = targets(sc, self.runs)[-1]
                if r.failure():
                    return Verdict("fail", f"{self.fail}. On {sc.name}: {r.failure()}", input_tables(sc))
                if r.after.watermark != last:
                    if r.after.watermark is None:  # neither behind nor ahead: no day at all
                        how = "NULL: the watermark is lost, and the next run has no day to compute"
                    else:
                        how = "stuck" if r.after.watermark < last else "ahead"
                    return Verdict("fail", (
                        f"{self.fail}. On {sc.name}: after {self.runs} runs from watermark {day_text(sc.watermark)} "
                        f"last_as_of_ts is {day_text(r.after.watermark)}, expected {day_text(last)} ({how})"),
                        input_tables(sc) + [runs_strip(r, f"the days each run wrote on {sc.name} (day strip)")])
        note = "" if control_right else (" (its control update is judged by watermark_advances_to_day_written, "
                                         "where it is wrong already)")
        return Verdict("pass", (self.passed or "Each run wrote the day after its watermark, whatever the data held.") + note)

    def _days(self, statements: list[str], sc: Scenario, limits: Limits, offsets: set) -> str:
        r = job_runs(statements, sc, limits, self.runs, fed=True)
        if r.failure():
            return r.failure() or ""
        for n, (i, o) in enumerate(zip(r.inputs, r.outputs), 1):
            if i.watermark is None:
                continue
            should = sorted(i.watermark + k for k in offsets)
            wrote = written_days(i, o)
            # a day the run added beyond its own: a watermark jumped ahead. Rows it changed on days already
            # there (earlier ones, or later days a backfill wrote) are finished_days_left_alone's finding
            extra = [d for d in wrote if d not in should and d > i.watermark and not i.day(d)]
            empty = [d for d in should if semantics.feature_rows(sc.events, [d]) and not o.day(d)]
            if empty and not extra and wrote and all(i.day(d) for d in wrote):
                # it changed rows of days already there instead of adding its own (a MERGE keyed without
                # as_of_ts updates another day's row of the pair): finished_days_left_alone's finding
                continue
            if extra or empty:
                said = f"run {n} found watermark {day_text(i.watermark)} and wrote day(s) {days_text(wrote)}"
                if empty:
                    said += f", not {days_text(empty)}"
                return said + f" (on {self.sample.name} each run writes {_offsets_text(offsets)})"
        return ""
