"""The tables lessons show (crash_table, schedules_table, days_table) and job_dataset for fixtures."""

from __future__ import annotations

import time
from typing import Callable
from datetime import datetime

from grader.engine import sandbox
from grader.domain import semantics
from grader.engine.checks import day_text, days_text
from grader.domain.tables import JOB_KEY, Dataset
from grader.engine.sandbox import Limits
from grader.course.harness.strips import schedules_strip
from grader.course.harness.workspace import AS_OF_COLUMN, Scenario, Workspace, _same, expected_after, read_state, run_job
from grader.course.harness.crash import explore, trials_table
from grader.course.harness.backfill import BackfillCheck


# A lesson names the learner's job by the snippet it saved ("ex08"). Only the kernel holds
# jupysql's store, so the notebook's first cell installs its lookup here (look_up_snippets_with);
# without one (tests, grading) the text given is the SQL itself.
_lookup: list[Callable[[str], "str | None"]] = []


def look_up_snippets_with(lookup: Callable[[str], "str | None"]) -> None:
    """Use `lookup(name) -> SQL or None` to resolve the names lessons pass to the tables below."""
    _lookup[:] = [lookup]


def snippet(name_or_sql: str) -> str:
    """The SQL saved under `name_or_sql` (via the installed lookup), or the text itself."""
    found = _lookup[0](name_or_sql) if _lookup else None
    return name_or_sql if found is None else found


class NotYet:
    """What a lesson table shows instead of a traceback when there is nothing to run yet."""

    def __init__(self, message: str):
        self.message = message

    def __repr__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        import html

        return f'<div style="color:#9a6700">{html.escape(self.message)}</div>'


def not_yet(name_or_sql: str) -> NotYet | None:
    """A snippet name not saved yet (its answer cell not run), or the untouched placeholder."""
    from grader.engine.placeholder import UNANSWERED

    sql = snippet(name_or_sql)
    if sql == name_or_sql and name_or_sql.isidentifier():
        return NotYet(f"No snippet {name_or_sql} saved yet: run your answer cell (`%%sql --save {name_or_sql}`) "
                      "first, then this cell again.")
    if UNANSWERED in sql:
        return NotYet(f"{name_or_sql} is not answered yet (the cell still holds the placeholder): write your "
                      "answer, run its cell, then this cell again.")
    return None


def crash_table(name_or_sql: str, scenario: Scenario, limits: Limits = Limits()):
    """The crash exploration as a DataFrame: one row per crash point, what survived, and what
    the reruns made of it. Deterministic, so it can live in a committed notebook."""
    import pandas as pd

    if not_yet(name_or_sql):
        return not_yet(name_or_sql)
    trials = explore(sandbox.split_statements(snippet(name_or_sql)), scenario, limits)
    t = trials_table(trials, "")
    df = pd.DataFrame(t.rows, columns=t.columns)
    df["watermark ahead of data?"] = ["yes: day " + days_text(x.ahead) + " lost" if x.ahead else "no" for x in trials]
    return df.set_index("crash after")


def schedules_table(name_or_sql: str, checks: list[BackfillCheck], limits: Limits = Limits()):
    """Every schedule the backfill checks try, and how the learner's backfill came out of it."""
    import pandas as pd

    if not_yet(name_or_sql):
        return not_yet(name_or_sql)
    statements = sandbox.split_statements(snippet(name_or_sql))
    rows, said = [], set()
    for check in checks:
        for out in check.outcomes(statements, limits):
            result = "; ".join(out.failed + ([] if out.diff.equal else [out.diff.summary()])) or "the reference table"
            result = _once(result, said)
            result = next((n for n in out.notes if n.startswith("ends as ")), result)
            retried = "yes" if any(n.endswith("retried") for n in out.notes) else "no"
            rows.append([check.name, check.describe(out), retried, result])
    return pd.DataFrame(rows, columns=["check", "schedule", "a task retried?", "final table"])


def schedules_strip_table(name_or_sql: str, checks: list[BackfillCheck], limits: Limits = Limits()):
    """The sequences the backfill checks try (A then B, B then A, A twice...) as a day strip's
    table: each backfill's range, then the days each schedule left (lost, duplicated, wrong)."""
    statements = sandbox.split_statements(snippet(name_or_sql))
    jobs, outcomes, seen = [], [], set()
    for check in checks:
        if check.interleave or len(check.jobs) < 2 and not any(len(o) > 1 for o in check.orders):
            continue  # one backfill alone, or interleavings: the schedules table lists those
        jobs += [j for j in check.jobs if j not in jobs]
        by_label = {j.label: j for j in check.jobs}
        for out in check.outcomes(statements, limits):
            label = check.describe(out)
            if label not in seen:
                seen.add(label)
                days = sorted({d for lbl in out.schedule for d in by_label[lbl].days})
                outcomes.append((label.replace(" then ", " → "), out.rows, expected_after(check.scenario, days)))
    return schedules_strip(jobs, outcomes) if outcomes else None


MEANS = "(what this means here: "


def _once(text: str, said: set[str]) -> str:
    """`text` with each "(what this means here: ...)" explanation said in full only the first
    time in a table: a plain INSERT fails every schedule with the same few hundred characters."""
    out, rest = [], text
    while MEANS in rest:
        head, _, tail = rest.partition(MEANS)
        depth, end = 1, len(tail)
        for i, ch in enumerate(tail):
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if depth == 0:
                end = i
                break
        meaning = tail[:end]
        out.append(head + (MEANS + meaning + ")" if meaning not in said else "(what this means here: as above)"))
        said.add(meaning)
        rest = tail[end + 1:]
    return "".join(out) + rest


def days_table(name_or_sql: str, scenario: Scenario, runs: int = 1, limits: Limits = Limits()):
    """Rows per as-of day before and after `runs` clean runs of the job, and which changed."""
    import pandas as pd

    if not_yet(name_or_sql):
        return not_yet(name_or_sql)
    statements = sandbox.split_statements(snippet(name_or_sql))
    with Workspace(scenario, limits) as ws:
        db = ws.scratch()
        try:
            before = read_state(db)
            failures = [run_job(db, statements, scenario.variables, limits) for _ in range(runs)]
            after = read_state(db)
        finally:
            db.close()
    rows = []
    for day in sorted({r[AS_OF_COLUMN] for r in before.rows + after.rows}):
        old, new = before.day(day), after.day(day)
        same = _same(old, new)
        marks = [w for w, ts in (("before", before.watermark), ("after", after.watermark)) if ts == day]
        rows.append([day_text(day), len(old), len(new), "no" if same else ("written" if not old else "CHANGED"),
                     " and ".join(marks)])
    df = pd.DataFrame(rows, columns=["as_of_ts", "rows before", "rows after", "changed?", "watermark"])
    problems = [f.describe() for f in failures if f]
    return df if not problems else (df, problems)


# ---------- fixtures ----------

def job_dataset(events: list[tuple], watermark: datetime | None = None, feature_rows: list[tuple] = (),
                last_run: datetime | None = None) -> Dataset:
    """A job fixture whose dimensions are consistent with its events: every user and item has a
    row in users / items, signed up / created a month before its first event (a learner's
    point-in-time join to users or items keeps every event)."""
    first_user: dict[int, datetime] = {}
    first_item: dict[int, datetime] = {}
    for e in events:
        first_user[e[1]] = min(first_user.get(e[1], e[3]), e[3])
        first_item[e[2]] = min(first_item.get(e[2], e[3]), e[3])
    month = semantics.DAY * 30
    regions, categories = ("North", "South", "East", "West"), ("A", "B", "C")
    tables: dict[str, list[tuple]] = {
        "events": list(events),
        "users": [(u, ts - month, regions[i % 4]) for i, (u, ts) in enumerate(sorted(first_user.items()))],
        "items": [(it, ts - month, categories[i % 3]) for i, (it, ts) in enumerate(sorted(first_item.items()))],
        "feature_table": list(feature_rows),
    }
    if watermark is not None:
        tables["feature_job_control"] = [(JOB_KEY, watermark, last_run or watermark + semantics.DAY / 4)]
    return Dataset(tables)
