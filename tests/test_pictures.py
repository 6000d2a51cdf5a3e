"""Pictures of a failed check (grader.pictures.picture_for): drawn from the check's own tables,
never raising on odd data, escaped, offline, fast, and only where there is something to draw."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest

from grader.engine.results import CheckResult, Table, bound_check
from grader.pictures import picture_for, timeline_from_tables

EVENTS = ["event_id", "user_id", "item_id", "event_ts", "event_type"]
COUNTS = ["user_id", "item_id", "as_of_ts", "clicks_7d", "views_7d", "impressions_7d"]
AS_OF = datetime(2025, 12, 3, 23, 59, 59)


def failed(*tables: Table, status: str = "fail", hidden: bool = False) -> CheckResult:
    return CheckResult("window_edges", status, 0, 2, "differs", hidden, list(tables))


def edge_case() -> CheckResult:
    """An answer that counts the event exactly at as_of_ts - 7 days (window closed at its start)."""
    return failed(
        Table("events: the fewest rows on which your answer fails this check", EVENTS,
              [[5, 2, 11, datetime(2025, 11, 26, 23, 59, 59), "view"], [15, 2, 11, datetime(2025, 12, 1, 12), "click"]]),
        Table("wrong values", ["", *COUNTS], [["expected", 2, 11, AS_OF, 1, 0, 1], ["got", 2, 11, AS_OF, 1, 1, 2]]),
    )


def assert_safe_svg(svg: str) -> None:
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    ET.fromstring(svg)  # well-formed XML: nothing a student wrote broke out of its text node
    assert not re.search(r"<(script|img|foreignObject|a)\b", svg, re.I)
    refs = re.findall(r"https?://[^\s\"'<>)]+", svg)
    assert all(r.startswith("http://www.w3.org/") for r in refs), refs  # XML namespaces only: nothing fetched


def test_failed_check_with_events_and_as_of_time_gets_a_timeline():
    svg = picture_for(edge_case())
    assert_safe_svg(svg)
    assert "course: 1 click, 0 views, 1 impression" in svg  # the course's counts from the events shown
    assert "yours: 1 click, 1 view, 2 impressions" in svg  # the answer's row, as the table says
    assert "2025-11-26 23:59:59" in svg  # the window's open left edge, named


def test_timeline_is_the_same_bytes_every_time():
    assert picture_for(edge_case()) == picture_for(edge_case())


def test_timeline_fits_the_notebook_pane():
    svg = picture_for(edge_case())
    width = float(re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg).group(1)) * 96 / 72
    assert width <= 900 and "max-width:100%" in svg


def test_passed_checks_and_tables_without_events_get_no_picture():
    assert picture_for(CheckResult("x", "pass", 2, 2, "ok", False, edge_case().tables)) is None
    assert picture_for(failed(Table("wrong values", ["", "a"], [["expected", 1], ["got", 2]]))) is None
    assert picture_for(failed()) is None
    # events but no as-of time anywhere: no window to draw, so no timeline
    assert picture_for(failed(edge_case().tables[0])) is None


def test_hidden_check_rows_withheld_means_no_picture():
    hidden = edge_case()
    hidden.hidden = True
    assert picture_for(bound_check(hidden)) is None
    assert picture_for(bound_check(hidden, show_hidden_rows=True)) is not None


def test_bounded_tables_with_timestamps_as_text_still_draw():
    """JSON and bound_check turn timestamps into text: the picture reads them back."""
    svg = picture_for(bound_check(edge_case()))
    assert svg and "yours: 1 click, 1 view, 2 impressions" in svg


def test_control_checks_never_claim_the_answer_agreed_with_the_course():
    c = edge_case()
    c.tables[1] = Table("wrong values", ["", *COUNTS], [["your answer with the edges moved", 2, 11, AS_OF, 1, 0, 1],
                                                          ["got", 2, 11, AS_OF, 1, 1, 2]])
    c.tables.append(Table("events", EVENTS, []))
    other = Table("events", EVENTS, [[1, 3, 30, datetime(2025, 12, 2), "view"]])
    svg = timeline_from_tables([Table(c.tables[0].caption, EVENTS, c.tables[0].rows + other.rows), c.tables[1]])
    assert "same as the course" not in svg  # pair (3, 30) is not in the difference: unknown, not "same"


HOSTILE_CELLS = [None, "", "<script>alert(1)</script>", "$\\frac{1}{0}$", "\x00\x1b[31m", "\ud800", float("nan"),
                 float("inf"), -(10**40), 10**40, True, b"bytes", ["a"], {"k": 1}, object(), "9999-12-31 23:59:59",
                 "0001-01-01 00:00:00", datetime(9999, 12, 31, 23, 59, 59), datetime(1, 1, 1), "x" * 10_000]


@pytest.mark.parametrize("i", range(len(HOSTILE_CELLS)))
def test_hostile_values_never_raise_and_stay_escaped(i):
    v = HOSTILE_CELLS[i]
    rows = [[v, v, v, v, v], [1, v, 11, datetime(2025, 12, 1, 10), v], [v, 2, v, AS_OF, "click"],
            [3, 2, 11, v, "view"], ["short"], "not a row", None]
    diff = [["got", v, 11, v, v, v, v], ["expected", 2, v, AS_OF, v, 1, v], [v] * 7, ["got", 2, 11, AS_OF, 1, 1, 2]]
    well_formed = [Table("events", EVENTS, rows[:4]), Table("wrong values", ["", *COUNTS], diff)]
    checks = [failed(*well_formed), bound_check(failed(*well_formed)),  # values as the grader and JSON give them
              # and tables a grader never makes: the picture still must not raise
              failed(Table("events", EVENTS, rows), Table("wrong values", ["", *COUNTS], diff)),
              failed(Table("events", [v] * 5, rows), Table(v, COUNTS, v)),
              failed(Table("events", EVENTS, v), Table("returned but not expected", COUNTS, [[v] * 6]))]
    for check in checks:
        # the drawer itself, not only picture_for's last line of defence, copes with every value
        svg = timeline_from_tables(check.tables)
        if svg is not None:
            assert_safe_svg(svg)


def test_odd_objects_instead_of_tables_give_no_picture():
    class Odd:
        status = "fail"
        tables = [None, 3, "x", Table("events", EVENTS, [[1, 1, 1, AS_OF, "view"]])]

    assert picture_for(Odd()) is None or picture_for(Odd()).startswith("<svg")
    assert picture_for(None) is None


# ---------- where pictures are shown ----------

from helpers import grade, sql_cell  # noqa: E402

CLOSED_AT_START = sql_cell("ex06", """
SELECT e.user_id, e.item_id, a.as_of_ts,
       count(*) FILTER (WHERE event_type = 'click') AS clicks_7d,
       count(*) FILTER (WHERE event_type = 'view') AS views_7d, count(*) AS impressions_7d
FROM (SELECT DISTINCT * FROM events) e
JOIN (VALUES (TIMESTAMP '2025-12-02 23:59:59'), (TIMESTAMP '2025-12-03 23:59:59')) a(as_of_ts)
  ON e.event_ts <= a.as_of_ts AND e.event_ts >= a.as_of_ts - INTERVAL 7 DAY
GROUP BY ALL""")


def test_check_html_shows_the_timeline_under_the_table_and_text_is_unchanged():
    from grader.grading import report

    result = grade("ex06", CLOSED_AT_START, hidden=False)
    html = report.exercise_html(result)
    assert html.count("<svg") == 1 and html.index("<table", html.index("wrong") if "wrong" in html else 0) < html.index("<svg")
    assert "<svg" not in report.exercise_text(result)


def test_feedback_page_draws_hidden_checks_only_when_their_rows_are_shown():
    from grader.engine.results import SubmissionResult
    from grader.grading.feedback import page

    result = grade("ex06", CLOSED_AT_START, hidden=True)
    hidden_failing = [c for c in result.checks if c.hidden and c.status == "fail" and c.tables]
    assert hidden_failing  # window_edges fails on a hidden fixture
    sub = SubmissionResult("alice.ipynb", "alice", "graded", [result])
    public_only = page(sub).count("<svg")
    with_hidden = page(sub, hidden_rows=True).count("<svg")
    assert public_only == sum(1 for c in result.checks if not c.hidden and picture_for(c))
    assert with_hidden > public_only


# ---------- day strips (jobs) ----------

from grader.pictures import daystrip  # noqa: E402

CONTROL_FIRST = sql_cell("ex08", """BEGIN;
CREATE OR REPLACE TEMP TABLE run AS SELECT last_as_of_ts + INTERVAL 1 DAY AS as_of_ts
  FROM feature_job_control WHERE job_key = 'user_item_features_daily';
UPDATE feature_job_control SET last_as_of_ts = (SELECT as_of_ts FROM run), last_run_ts = now()
  WHERE job_key = 'user_item_features_daily';
COMMIT;
INSERT INTO feature_table
SELECT e.user_id, e.item_id, r.as_of_ts, count(*) FILTER (WHERE event_type = 'click'),
       count(*) FILTER (WHERE event_type = 'view'), count(*),
       count(*) FILTER (WHERE event_type = 'click')::DOUBLE / count(*)
FROM (SELECT DISTINCT * FROM events) e, run r
WHERE e.event_ts <= r.as_of_ts AND e.event_ts > r.as_of_ts - INTERVAL 7 DAY GROUP BY ALL;""")


def test_a_job_that_moves_the_watermark_before_writing_gets_a_day_strip_showing_the_lost_day():
    result = grade("ex08", CONTROL_FIRST, hidden=False)
    check = next(c for c in result.checks if c.name == "control_updated_after_write")
    assert check.status == "fail"
    strip = next(t for t in check.tables if t.picture)  # the crash points table, its day strip as data
    assert any(r.get("cells", {}).get("2025-12-03") == "missing" for r in strip.picture["rows"])
    assert any("never written" in str(row[-1]) for row in strip.rows)  # the table says it in words
    svg = picture_for(check)
    assert_safe_svg(svg)
    assert "12-03 lost" in svg and "crash after statement" in svg
    assert '"kind": "days"' in __import__("json").dumps(check.to_dict())  # the data is in --json too


HOSTILE_STRIPS = [
    {"kind": "days"}, {"kind": "days", "rows": "x"}, {"kind": "days", "rows": [None, 3, {"cells": None}]},
    {"kind": "days", "rows": [{"label": "<script>x</script>\x00", "cells": {"2025-12-03": "wrote", "<b>": "wrote",
                                                                          "2025-12-04": "<img>", None: None},
                               "watermark": "9999-12-31", "from": "0001-01-01", "crash": "$\\x$" * 100}]},
    {"kind": "days", "days": ["0001-01-01", "9999-12-31"], "rows": [{"label": 1, "cells": {"0001-01-01": "missing"}}]},
    {"kind": "days", "rows": [{"label": "r", "cells": {f"2025-{m:02d}-01": "wrote" for m in range(1, 13)}}] * 40},
]


@pytest.mark.parametrize("i", range(len(HOSTILE_STRIPS)))
def test_hostile_day_strip_data_never_raises_and_stays_escaped(i):
    svg = daystrip.draw(HOSTILE_STRIPS[i])
    if svg is not None:
        assert_safe_svg(svg)
        assert "<script>" not in svg


# ---------- the lessons' pictures ----------

def test_the_lessons_plain_insert_strip_draws_the_insert_the_lesson_shows():
    from pathlib import Path

    from grader.course.exercises.ex12 import PLAIN_INSERT_BACKFILL

    lesson = (Path(__file__).resolve().parents[1] / "grader/course/exercises/ex12/lesson.md").read_text()
    assert PLAIN_INSERT_BACKFILL.strip() in lesson


def test_plain_insert_schedules_strip_shows_the_second_jobs_days_lost():
    from grader.course.exercises import ex12
    from grader.course.harness import BackfillCheck, schedules_strip_table

    table = schedules_strip_table(ex12.PLAIN_INSERT_BACKFILL, [c for c in ex12.EXERCISE.checks if isinstance(c, BackfillCheck)])
    words = {row[0]: row[1] for row in table.rows}
    assert "12-06 LOST" in words["A [12-01..12-05] → B [12-03..12-07]"]
    svg = daystrip.draw(table.picture)
    assert_safe_svg(svg) and "lost" in svg


def test_a_grid_answer_reading_as_of_from_a_variable_gets_its_window():
    """Exercise 11's answers read getvariable('as_of_ts'): the events table names that time."""
    result = grade("ex11", sql_cell("ex11", "SELECT DISTINCT user_id, item_id FROM events "
                                            "WHERE event_ts > getvariable('as_of_ts') - INTERVAL 7 DAY"), hidden=False)
    check = next(c for c in result.checks if c.status == "fail")
    svg = picture_for(check)
    assert_safe_svg(svg)
    assert "yours: returned the pair" in svg and "course: no row" in svg


def test_schedule_strips_before_the_backfill_is_written_says_what_to_do(monkeypatch):
    from sql.store import store

    from grader.engine.placeholder import UNANSWERED
    from grader.kernel.pictures import schedule_strips

    # Another test in this process may have saved an ex12b snippet: this one is about none saved.
    monkeypatch.setattr(store, "_data", {k: v for k, v in store._data.items() if k != "ex12b"})

    assert "run your `%%sql --save ex12b` cell first" in repr(schedule_strips("ex12b"))
    assert "placeholder" in repr(schedule_strips(f"-- {UNANSWERED}\nSELECT 1"))
    assert schedule_strips("ex12b").svg is None
