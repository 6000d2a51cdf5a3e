"""Checks about feature_job_control, which holds one row per job: an incremental job reads and
advances its own row (job_key = 'user_item_features_daily') and no other; a backfill touches none.

The scenarios hold other jobs' rows, with watermarks before and after this job's, so a job that
reads `max(last_as_of_ts)` over the table, or updates it without a WHERE, shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from grader.domain.tables import JOB_KEY, columns as table_columns
from grader.engine.checks import Verdict, day_text
from grader.engine.judges import as_of_text
from grader.engine.notebook import SubmittedAnswer
from grader.engine.results import Table
from grader.engine.sandbox import Limits
from grader.course.harness.backfill import BackfillCheck
from grader.course.harness.union import union_run
from grader.course.harness.gated import GatedCheck
from grader.course.harness.workspace import Scenario, _statements, input_tables, job_runs, targets, written_days


def _ts(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else ("NULL" if value is None else str(value))


def control_changes(before: list[tuple], after: list[tuple], keys: set[str] | None = None) -> list[str]:
    """What changed in feature_job_control, row by row, in words (only `keys`' rows when given)."""
    was, now = {r[0]: r for r in before}, {r[0]: r for r in after}
    said = []
    for key in sorted(set(was) | set(now)):
        if keys is not None and key not in keys:
            continue
        if key not in now:
            said.append(f"the row of {key} was deleted")
        elif key not in was:
            said.append(f"a row for {key} was added")
        elif was[key] != now[key]:
            moved = [f"last_as_of_ts {_ts(was[key][1])} -> {_ts(now[key][1])}"] if was[key][1] != now[key][1] else []
            moved += ["last_run_ts set"] if was[key][2] != now[key][2] else []  # now(): no time in a verdict
            said.append(f"{key}: " + ", ".join(moved))
    return said


def control_tables(before: list[tuple], after: list[tuple]) -> list[Table]:
    """Both states of the control table; a last_run_ts the run set shows as such (its value is
    the clock's, and a verdict is the same whenever it is given)."""
    cols = table_columns("feature_job_control")
    was = {r[0]: r for r in before}
    shown = [[k, w, run if k in was and was[k][2] == run else "(set by the run)"] for k, w, run in sorted(after)]
    return [Table("feature_job_control before", cols, [list(r) for r in sorted(before)]),
            Table("feature_job_control after", cols, shown)]


@dataclass
class OwnControlRowCheck(GatedCheck):
    """An incremental job on `scenario`, whose control table holds other jobs' rows. aspect:
    - "reads": with the other jobs' rows added to `sample` (the same watermark, the same events),
      each run writes the days it writes on `sample`, and the job's own watermark ends where it
      ends there: what a job does must not depend on other jobs' rows;
    - "others": after the runs the other jobs' rows are exactly as they were (none moved,
      deleted or added).
    Judged only for a job whose clean runs on `sample` write rows."""

    scenario: Scenario = None  # type: ignore[assignment]
    aspect: str = "reads"

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        statements, not_yet = self.gated(answer, limits)
        if not_yet:
            return not_yet
        sc = self.scenario
        before = sorted(sc.dataset.rows("feature_job_control"))
        if self.aspect == "others":
            r = job_runs(statements, sc, limits, self.runs)
            if r.failure():
                return Verdict("fail", f"{self.fail}. On {sc.name}: {r.failure()}", input_tables(sc))
            others = {row[0] for row in before if row[0] != JOB_KEY} | {row[0] for row in r.after.control if row[0] != JOB_KEY}
            changed = control_changes(before, r.after.control, others)
            if not changed:
                return Verdict("pass", self.passed or "The other jobs' control rows are exactly as they were.")
            return Verdict("fail", f"{self.fail}. After {self.runs} run(s) on {sc.name}: " + "; ".join(changed),
                           control_tables(before, r.after.control))
        said = self._days(statements, limits)
        if said:
            return Verdict("fail", f"{self.fail}. On {sc.name}: {said}", input_tables(sc))
        natural = job_runs(statements, self.sample, limits, self.runs)
        r = job_runs(statements, sc, limits, self.runs)
        if r.failure() and not natural.failure():
            return Verdict("fail", f"{self.fail}. On {sc.name}: {r.failure()}", input_tables(sc))
        # judged when the job's control update is right on the sample (the clock's now() never repeats)
        if natural.after.watermark == targets(self.sample, self.runs)[-1] and r.after.watermark != natural.after.watermark:
            return Verdict("fail", (
                f"{self.fail}. On {sc.name}: after {self.runs} runs from watermark {day_text(sc.watermark)} your "
                f"job's last_as_of_ts is {day_text(r.after.watermark)}; without the other jobs' rows it ends on "
                f"{day_text(natural.after.watermark)}"), control_tables(before, r.after.control))
        return Verdict("pass", self.passed or "Each run read its own control row and wrote the day after it.")

    def _days(self, statements: list[str], limits: Limits) -> str:
        """The first run that writes other days here than on the sample (the same tables without
        the other jobs' rows, the same watermark), in words; "" when every run writes the same."""
        sc = self.scenario
        own = job_runs(statements, self.sample, limits, self.runs, fed=True)
        r = job_runs(statements, sc, limits, self.runs, fed=True)
        if r.failure() and not own.failure():
            return r.failure() or ""
        for n, (i, o, si, so) in enumerate(zip(r.inputs, r.outputs, own.inputs, own.outputs), 1):
            wrote, should = written_days(i, o), written_days(si, so)
            if wrote != should:
                others = ", ".join(f"{row[0]} at {day_text(row[1])}" for row in sorted(i.control) if row[0] != JOB_KEY)
                return (f"run {n} found its own watermark at {day_text(i.watermark)} and wrote as-of day "
                        f"{_days_text(wrote)}; without the other jobs' rows ({others}) it writes {_days_text(should)}")
        return ""


def _days_text(days: list[datetime]) -> str:
    return ", ".join(as_of_text(d) for d in days) if days else "no rows"


@dataclass
class BackfillControlCheck(BackfillCheck):
    """One backfill over the jobs' union on `scenario`, whose control table holds this job's row
    and other jobs' rows: it must change none of them (the watermark is the incremental job's)."""

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        verdict, out, what = union_run(self, _statements(answer, self.answer), limits)
        if verdict is not None:
            return verdict
        before = sorted(self.scenario.dataset.rows("feature_job_control"))
        changed = control_changes(before, out.control)
        if not changed:
            return Verdict("pass", self.passed or "The backfill left every control row as it was.")
        return Verdict("fail", f"{self.fail}. After {what}: " + "; ".join(changed), control_tables(before, out.control))
