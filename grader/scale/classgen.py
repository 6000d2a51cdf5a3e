"""A generated class's results, without grading: the `--json` document of N students, built from
the exercises' declared checks (names, points, hidden or not, written answers) and a handful of
common mistakes with the counterexamples grading shows for them. For measuring and testing the
class report at any size in seconds (grading 1,000 real notebooks takes many minutes).

    .venv/bin/python -m grader.scale.classgen --students 1000 --out class1000.json
    .venv/bin/grader report class1000.json --out class1000.html
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from grader.course import exercises
from grader.engine.checks import ManualCheck
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult, Table

EVENTS = ["event_id", "user_id", "item_id", "event_ts", "event_type"]
COUNTS = ["", "user_id", "item_id", "as_of_ts", "clicks_7d", "views_7d", "impressions_7d"]


def _events_table(rows: list[list]) -> Table:
    return Table("events: the fewest rows on which your answer and the reference differ", EVENTS, rows)


def _wrong(expected: list, got: list) -> Table:
    return Table("wrong values", COUNTS, [["expected", *expected], ["got", *got]])


# (exercise, failing checks, message, tables): the mistakes a class makes, as grading reports them
MISTAKES = [
    ("ex06", ("matches_reference_on_sample", "retries_deduplicated"),
     "On the workbook's sample tables your counts differ from the course's definition (1 row(s) with wrong values in impressions_7d, views_7d)",
     [_events_table([[5, 102, 201, "2025-12-02 11:00:00", "view"], [5, 102, 201, "2025-12-02 11:00:00", "view"]]),
      _wrong([102, 201, "2025-12-02 23:59:59", 0, 1, 1], [102, 201, "2025-12-02 23:59:59", 0, 2, 2])]),
    ("ex06", ("matches_reference_on_sample", "window_edges"),
     "On the workbook's sample tables your counts differ from the course's definition (1 row(s) with wrong values in clicks_7d, impressions_7d)",
     [_events_table([[6, 103, 202, "2025-12-02 23:59:59", "click"]]),
      _wrong([103, 202, "2025-12-02 23:59:59", 1, 0, 1], [103, 202, "2025-12-02 23:59:59", 0, 0, 0])]),
    ("ex06", ("no_leakage",),
     "Events after the as-of time were counted: the window must end at as_of_ts (event_ts <= as_of_ts).", []),
    ("ex07", ("zero_impressions_give_null_ctr",),
     "1 row(s) with wrong values in ctr_7d (e.g. expected NULL, got NaN). ctr_7d for zero impressions must be NULL.", []),
    ("ex08", ("control_updated_after_write", "crash_rerun_recovers"),
     "Killed after statement 2, the control row already said 2025-12-03 while its rows were never written: "
     "the rerun starts at 2025-12-04 and 2025-12-03 is lost.", []),
    ("ex11", ("grid_not_all_time",), "Pairs active only long ago are in your grid: filter the window first.", []),
    ("ex09", ("full_grid_size_gb",), "a_gb is 1,000 times the answer: GB is 10^9 bytes, not 10^6.", []),
]
# SQL errors: one per column a student misspells, so the same check fails with different messages
ERRORS = ["Binder Error: Referenced column \"{}\" not found in FROM clause!".format(c)
          for c in ("event_time", "as_of", "impressions", "evnt_ts", "user", "ts")]
HOSTILE = ["<img src=x onerror=alert(1)>", "[bold]rich[/bold]", "=HYPERLINK(\"x\")", "Zoë O'Brien & co"]


def student(i: int, rng: random.Random) -> SubmissionResult:
    name = f"{HOSTILE[i // 10]} {i}" if i % 10 == 3 and i // 10 < len(HOSTILE) else f"student{i:04d}"
    path = f"submissions/{name}"
    roll = rng.random()
    if roll < 0.01:
        return SubmissionResult(path, name, "invalid", [], reason="not JSON: Expecting value: line 1 column 1 (char 0)")
    mistakes = [m for m in MISTAKES if rng.random() < 0.25]
    if mistakes and mistakes[0][0] == "ex06" and mistakes[0][3] and rng.random() < 0.4:  # same checks, other wrong values
        ex_id, checks, msg, (events, wrong) = mistakes[0]
        got = [*wrong.rows[1][:-2], wrong.rows[1][-2] + 1, wrong.rows[1][-1] + 1]
        mistakes[0] = (ex_id, checks, msg, [events, Table(wrong.caption, wrong.columns, [wrong.rows[0], got])])
    if rng.random() < 0.15:
        mistakes.append(("ex11", ("matches_reference_on_sample",), "ex11: " + rng.choice(ERRORS), []))
    weak = rng.random() < 0.1  # some students leave whole exercises out
    out = []
    for ex in exercises.all_exercises():
        skipped = weak and rng.random() < 0.5
        bad = {name: (msg, tables) for ex_id, names, msg, tables in mistakes if ex_id == ex.id for name in names}
        checks = []
        for c in ex.all_checks():
            if skipped:
                checks.append(CheckResult(c.name, "missing", 0.0, c.points, "no answer found", c.hidden))
            elif isinstance(c, ManualCheck):
                checks.append(CheckResult(c.name, "manual", 0.0, c.points, "to be scored by your instructor", c.hidden))
            elif c.name in bad:
                msg, tables = bad[c.name]
                status = "error" if "Error:" in msg else "fail"
                checks.append(CheckResult(c.name, status, 0.0, c.points, msg, c.hidden, [] if c.hidden else list(tables)))
            else:
                checks.append(CheckResult(c.name, "pass", c.points, c.points, "passed", c.hidden))
        out.append(ExerciseResult(ex.id, ex.title, checks))
    if roll > 0.995:
        return SubmissionResult(path, name, "timeout", out, reason="over its 60 s budget", seconds=60.0)
    return SubmissionResult(path, name, "graded", out, seconds=round(0.1 + rng.random() * 0.3, 3))


def generate(n: int, seed: int = 12) -> dict:
    """The `--json` document of a generated class of `n` (same seed, same class)."""
    from grader.grading.report import to_json

    rng = random.Random(seed)
    results = [student(i, rng) for i in range(n)]
    grading = {"seconds": round(sum(r.seconds for r in results) / 2, 1), "submissions": n, "workers": 2,
               "finished_at": "2026-12-06 06:00 UTC", "budget_s": 60.0, "timeout_s": 5.0, "hidden_checks": True}
    doc = json.loads(to_json(results, grading))
    doc["notes"] = [{"kind": "debris", "message": "__MACOSX/._student0001.ipynb: macOS metadata, not a notebook"},
                    {"kind": "copy", "message": "student0002/ex06-Copy1.ipynb: a JupyterLab copy of ex06.ipynb; ex06.ipynb graded"}]
    return doc


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=100)
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    Path(args.out).write_text(json.dumps(generate(args.students, args.seed), ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
