"""The feedback page a student receives: total first, failures first with counterexamples,
unanswered exercises folded, self-contained, everything a student wrote escaped."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from grader.grading import feedback, report
from grader.grading.feedback import page
from grader.grading.grade import grade_path
from test_hostile import reference_sql

# ex06 without deduplication: fails the public sample check (with a counterexample) and the
# hidden retries check; ex01 and ex10 answered (ex10's `how` as three bullets); the rest not.
LEAKY = reference_sql().replace("SELECT DISTINCT event_id", "SELECT event_id")
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def failing_notebook(path: Path, student: str | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    if student:
        nb.metadata["student"] = student
    nb.cells = [nbformat.v4.new_code_cell(s) for s in (
        "%%sql --save ex06\n" + LEAKY,
        "ex01 = {'backfill': ['new_feature', 'bug_fix', 'new_entities'], "
        f"'backfill_definition': {HOSTILE + ' A backfill recomputes past as-of days for a repair.'!r}, "
        "'incremental_definition': 'An incremental run computes only the next day after the watermark.'}",
        "ex10 = {'next_as_of_ts': '2025-12-03 23:59:59', 'leaves_alone': ['2025-12-01', '2025-12-02'], "
        "'how': ['read the watermark 12-02 and compute 12-03 only', "
        "'MERGE 12-03 on the full key so the partial write is overwritten', "
        "'advance the control row only after the write commits']}",
    )]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return grade_path(failing_notebook(tmp_path_factory.mktemp("fb") / "ada.ipynb"))


def test_page_leads_with_the_total_then_one_line_per_exercise(result):
    html = page(result)
    total = html.index('id="total"')
    summary = html.index('id="summary"')
    first_section = html.index("<section")
    assert total < summary < first_section
    assert f"{report.fmt_points(result.score)} / {report.fmt_points(result.max_score)}" in html[total:summary]
    summary_html = html[summary:first_section]
    for e in result.exercises:  # every exercise is named in the summary
        assert e.id in summary_html


def test_failing_checks_come_first_with_their_counterexample(result):
    html = page(result)
    ex06 = html[html.index('<section id="ex06"'):]
    ex06 = ex06[:ex06.index("</section>")]
    first_fail = ex06.index('class="check fail"')
    assert 'class="passed"' in ex06 and first_fail < ex06.index('class="passed"')
    assert "matches_reference_on_sample" in ex06[first_fail:first_fail + 400]
    assert "<table>" in ex06 and "expected" in ex06 and "got" in ex06  # the rows that show the mistake


def test_exercises_not_handed_in_fold_to_one_line(result):
    html = page(result)
    missing = [e.id for e in result.exercises if all(c.status == "missing" for c in e.checks)]
    assert missing, "the fixture leaves most exercises unanswered"
    folded = re.findall(r'<tr class="notin"[^>]*>.*?</tr>', html)
    assert len(folded) == 1 and all(i in folded[0] for i in missing)
    assert not any(f'<section id="{i}"' in html for i in missing)


def test_the_page_fetches_nothing_and_runs_nothing(result):
    html = page(result).lower()
    # inline SVG pictures name XML namespaces (identifiers, never fetched) and clip paths inside
    # the page itself (url(#id)); nothing else may point anywhere
    html = re.sub(r'\sxmlns(:\w+)?="http://www\.w3\.org/[^"]*"', "", html)
    html = re.sub(r"url\(#[\w-]+\)", "", html)
    for needle in ("http://", "https://", "<link", "<script", " src=", "@import", "url("):
        assert needle not in html, needle


def test_everything_a_student_wrote_is_escaped(tmp_path):
    r = grade_path(failing_notebook(tmp_path / f"x{HOSTILE[:8]}.ipynb", student=HOSTILE), only=["ex01", "ex06"])
    r.notes.append(HOSTILE)
    r.exercises[0].checks[0].message = HOSTILE  # a message quoting a student's text
    html = page(r)
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;" in html


def with_hidden_counterexample(result):
    """The result with a failing hidden check carrying fixture rows (whatever the grader's
    hidden checks keep today, the page's rule must hold for one that has them)."""
    import copy

    from grader.engine.results import CheckResult, Table

    r = copy.deepcopy(result)
    ex06 = next(e for e in r.exercises if e.id == "ex06")
    ex06.checks.append(CheckResult("secret_fixture_check", "fail", 0.0, 2.0, "Your answer differs on hidden data",
                                   hidden=True, tables=[Table("events", ["event_id"], [[424242]])]))
    return r


def test_hidden_checks_rows_are_withheld_unless_the_instructor_opts_in(result):
    result = with_hidden_counterexample(result)
    hidden_with_rows = [c.name for e in result.exercises for c in e.checks if c.hidden and c.tables]

    def block(html: str, name: str) -> str:  # the one check's box on the page
        return next(b for b in html.split('<div class="check ') if f"<code>{name}</code>" in b)

    for name in hidden_with_rows:
        assert "<table>" not in block(page(result), name) and "424242" not in page(result)
        assert "<table>" in block(page(result, hidden_rows=True), name)


def test_written_answers_waiting_show_as_to_be_scored_not_zero(result):
    html = page(result)
    assert "to be scored" in html and "–/3" in html  # ex10's bullets: worth 3, not yet scored
    assert "0/3" not in html


def test_write_feedback_uses_this_page(result, tmp_path):
    (path,) = feedback.write_feedback(tmp_path, [result])
    assert path.read_text(encoding="utf-8") == page(result)


def test_browser_shows_the_summary_and_a_counterexample(result, tmp_path):
    from browser import chromium_page, screenshot_path

    html_path = tmp_path / "ada.html"
    html_path.write_text(page(result), encoding="utf-8")
    with chromium_page(1100, 1400) as p:
        p.goto(html_path.as_uri())
        assert p.locator("#total").is_visible()
        assert p.locator("#summary").is_visible()
        assert p.locator("#summary tr", has_text="ex06").is_visible()
        failing = p.locator("#ex06 .check.fail").first
        assert failing.is_visible() and "matches_reference_on_sample" in failing.inner_text()
        got = failing.locator("tr.got").first
        assert got.is_visible()  # the counterexample row is on screen, not folded away
        p.screenshot(path=str(screenshot_path("feedback", "ada")), full_page=True)


def test_browser_shows_a_timeline_and_a_day_strip_under_their_tables(result, tmp_path):
    """What a student sees of the pictures on the page: kept as build/screenshots/feedback/
    timeline.png (a wrong ex06's counterexample) and daystrip.png (a job that moves its
    watermark before writing: the crash that loses a day)."""
    from browser import chromium_page, screenshot_path
    from dataclasses import replace

    from helpers import grade
    from test_pictures import CONTROL_FIRST

    job = grade("ex08", CONTROL_FIRST, hidden=False)
    html_path = tmp_path / "ada.html"
    html_path.write_text(page(replace(result, exercises=list(result.exercises) + [job])), encoding="utf-8")
    with chromium_page(1100, 1400) as p:
        p.goto(html_path.as_uri())
        timeline = p.locator("#ex06 .check.fail .picture svg").first
        assert timeline.is_visible() and 900 >= timeline.bounding_box()["width"] > 500  # legible, inside the page
        p.locator("#ex06 .check.fail").first.screenshot(path=str(screenshot_path("feedback", "timeline")))
        strip = p.locator(".check.fail:has-text('control_updated_after_write') .picture svg").first
        assert strip.is_visible() and "lost" in strip.text_content()
        p.locator(".check.fail:has-text('control_updated_after_write')").first.screenshot(
            path=str(screenshot_path("feedback", "daystrip")))


def test_counterexample_tables_scroll_inside_the_message_and_keep_timestamps_on_one_line():
    # ex03b's table was 1,310 px wide in a 968 px pane and cut the message; timestamps wrapped
    from datetime import datetime

    from grader.engine.results import CheckResult, Table
    from grader.grading.report import check_html

    wide = Table("wrong values", [f"column_{i}" for i in range(12)], [[datetime(2025, 12, 2, 23, 59, 59)] + [1] * 11])
    page = check_html(CheckResult("x", "fail", 0, 1, "message", False, [wide]))
    assert 'width:0;min-width:100%;overflow-x:auto' in page
    assert '<td style="white-space:nowrap">2025-12-02 23:59:59</td>' in page


def test_the_folded_line_claims_nothing_answered_not_nothing_handed_in(result):
    # a student whose newest upload is the untouched template did hand it in: the line must stay true
    folded = re.findall(r'<tr class="notin"[^>]*>.*?</tr>', page(result))[0]
    assert "nothing answered" in folded and "handed in" not in folded


def test_a_passed_check_with_no_message_shows_no_dangling_colon(result):
    from dataclasses import replace

    silent = replace(result, exercises=[replace(e, checks=[replace(c, status="pass", message="") for c in e.checks])
                                        for e in result.exercises[:1]])
    html = page(silent)
    assert "</code> " in html and not re.search(r"</code> [^<]*:\s*</li>", html)
