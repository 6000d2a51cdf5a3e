"""Day strips as data: which as-of days each run, crash trial or backfill wrote, where the
watermark stood, which day was lost or duplicated. Each is a Table (its rows say it in words,
for copying and screen readers) whose `picture` holds the same as structured data that
grader/pictures/daystrip.py draws: {"kind": "days", "days": [...], "rows": [{"label", "cells":
{ISO day: state}, "watermark", "from", "crash", "note"}]}. States: done, planned, wrote, missing
(lost), duplicated, wrong, changed."""

from __future__ import annotations

from datetime import date, datetime

from grader.domain.semantics import next_as_of
from grader.domain.tables import FEATURE_COLUMNS, FEATURE_KEY
from grader.engine import compare
from grader.engine.results import Table
from grader.course.harness.workspace import AS_OF_COLUMN, Runs, short, written_days

MAX_ROWS = 12
COLUMNS = ["row", "days", "watermark, note"]


def iso(value) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, date) else None


def _words(cells: dict) -> str:
    said = {"wrote": "", "done": " (done before)", "planned": " (in range)", "missing": " LOST", "duplicated": " ×2",
            "wrong": " wrong", "changed": " CHANGED"}
    return ", ".join(f"{d[5:]}{said.get(s, '')}" for d, s in sorted(cells.items())) or "none"


def strip_table(caption: str, rows: list[dict], days: list) -> Table:
    """The rows as a Table with its picture; days and watermarks as ISO dates."""
    rows = rows[:MAX_ROWS]
    text_rows = [[r["label"] + (f" ({r['crash']})" if r.get("crash") else ""), _words(r["cells"]), _last(r)] for r in rows]
    data = {"kind": "days", "days": sorted({d for d in map(iso, days) if d}), "rows": rows}
    return Table(caption, COLUMNS, text_rows, data)


def _last(r: dict) -> str:
    """The watermark a row left (and where it came from), then its note; "" when neither."""
    watermark = (r.get("watermark") or "") + (f" (from {r['from']})" if r.get("from") and r.get("from") != r.get("watermark") else "")
    return "; ".join(part for part in (watermark, r.get("note") or "") if part)


def diff_states(d: compare.Diff) -> dict[str, str]:
    """Per as-of day, what a difference says of it: duplicated, missing (lost) or wrong."""
    out: dict[str, str] = {}
    pos = d.columns.index("as_of_ts") if "as_of_ts" in d.columns else AS_OF_COLUMN
    for rows, state in ((d.unexpected, "wrong"), ([e for e, _ in d.changed], "wrong"), (d.missing, "missing"),
                        (d.duplicated, "duplicated")):
        for r in rows:
            day = iso(r[pos]) if len(r) > pos else None
            if day:
                out[day] = state
    return out


def crash_strip(trials: list, watermark: datetime, targets: list[datetime]) -> dict:
    """The picture of a crash exploration (the crash points table says it in words): one row
    before the run, then one per crash point: the days whose rows survived the crash, the days
    the watermark passed without their rows (lost), where the watermark stood, and what the
    reruns made of it."""
    rows = [{"label": "before the run", "cells": {iso(watermark): "done"}, "watermark": iso(watermark)}]
    for t in trials[: MAX_ROWS - 1]:
        cells = {iso(d): "wrote" for d in t.days}
        cells.update({iso(d): "missing" for d in list(t.ahead) + list(getattr(t, "lost", []))})
        cells.update({iso(d): "duplicated" for d in getattr(t, "duplicated", [])})
        rows.append({"label": f"crash after statement {t.crash_after}", "crash": short(t.statement, 40),
                     "cells": cells, "watermark": iso(t.watermark), "from": iso(watermark), "note": short(t.outcome, 46)})
    return strip_table("", rows, [watermark, *targets]).picture


def runs_strip(r: Runs, caption: str) -> Table:
    """One row before the runs (the days already there), then one per run: the days it wrote
    (a finished day rewritten is CHANGED), the day after the watermark it found (in range when
    it holds no rows: a quiet day), where it left the watermark."""
    first = r.inputs[0]
    rows = [{"label": "before the runs", "cells": {iso(d): "done" for d in {x[AS_OF_COLUMN] for x in first.rows}},
             "watermark": iso(first.watermark)}]
    for n, (i, o) in enumerate(zip(r.inputs, r.outputs), 1):
        cells: dict[str, str] = {}
        if i.watermark is not None:
            cells[iso(next_as_of(i.watermark))] = "planned"
        for d in written_days(i, o):
            cells[iso(d)] = "changed" if i.watermark is not None and d <= i.watermark and i.day(d) else "wrote"
        stuck = "watermark did not move" if o.watermark == i.watermark else ""
        rows.append({"label": f"run {n}", "cells": cells, "watermark": iso(o.watermark), "from": iso(i.watermark),
                     "note": stuck})
    days = [d for row in rows for d in row["cells"]] + [row["watermark"] for row in rows if row["watermark"]]
    return strip_table(caption, rows, days)


def backfill_strip(jobs: list, out, schedule_words: str) -> Table:
    """One row per backfill (the range it was given), then the table the schedule left: each
    day written, lost, duplicated or wrong (the difference the check found)."""
    rows = _ranges(jobs)
    days = {d for r in rows for d in r["cells"]}
    rows.append({"label": "table at the end", "cells": _final(out.rows, out.diff, days), "note": short(schedule_words, 46)})
    return strip_table(f"the days each backfill covers, and the table after {short(schedule_words, 80)} (day strip)",
                       rows, sorted(days))


def schedules_strip(jobs: list, outcomes: list[tuple[str, list[tuple], list[tuple]]]) -> Table:
    """The backfills' ranges, then one row per schedule (label, the rows it left, the rows
    expected: one backfill of the days its jobs cover): each day written, lost, duplicated or
    wrong."""
    rows = _ranges(jobs)
    days = {d for r in rows for d in r["cells"]}
    for label, got, expected in outcomes[: MAX_ROWS - len(rows)]:
        d = compare.diff(expected, FEATURE_COLUMNS, got, FEATURE_COLUMNS, FEATURE_KEY)
        rows.append({"label": short(label, 40), "cells": _final(got, d, days)})
    return strip_table("the days each schedule left in feature_table (day strip)", rows, sorted(days))


def _ranges(jobs: list) -> list[dict]:
    return [{"label": f"backfill {job}", "cells": {iso(d): "planned" for d in job.days}} for job in jobs]


def _final(rows: list[tuple], d: compare.Diff, days: set) -> dict[str, str]:
    final = {iso(r[AS_OF_COLUMN]): "wrote" for r in rows if iso(r[AS_OF_COLUMN]) in days}
    final.update({day: state for day, state in diff_states(d).items() if day in days})
    return final


__all__ = ["backfill_strip", "crash_strip", "schedules_strip", "diff_states", "iso", "runs_strip", "strip_table"]
