"""The student's path in a real browser: JupyterLab, notebooks/ex06.ipynb, a wrong answer, check(),
a right answer, check() again. Headless Debian Chromium driven by Playwright (tests/browser.py);
skipped where /usr/bin/chromium is absent (`.ci/run` installs it, so CI always runs this).

Run it alone:  .venv/bin/python -m pytest -q tests/test_browser_notebook.py
Screenshots of every step are kept in build/screenshots/notebook-ex06/ (gitignored), among them
3c-wrong-answer-timeline.png: the timeline check() draws under a wrong answer's counterexample.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import chromium_available, chromium_page, screenshot_path

pytestmark = pytest.mark.skipif(not chromium_available(), reason="no Chromium (apt-get install chromium)")

WRONG = ("%%sql --save ex06\n"
         "SELECT user_id, item_id, as_of_ts,\n"
         "       count(*) FILTER (WHERE event_type = 'click') AS clicks_7d,\n"
         "       count(*) FILTER (WHERE event_type = 'view') AS views_7d,\n"
         "       count(*) AS impressions_7d\n"
         "FROM events\n"
         "JOIN (VALUES (TIMESTAMP '2025-12-02 23:59:59'), (TIMESTAMP '2025-12-03 23:59:59')) AS t(as_of_ts)\n"
         "  ON event_ts <= as_of_ts AND event_ts > as_of_ts - INTERVAL 7 DAY\n"
         "GROUP BY ALL")  # counts retried events twice: no deduplication on event_id
RIGHT = WRONG.replace("FROM events\n", "FROM (SELECT DISTINCT * FROM events) AS e\n")


# ---------- driving the notebook ----------

def cell(page, text: str):
    """The first code cell whose input contains `text`, held by its position (its text changes)."""
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    for i in range(cells.count()):
        if text in cells.nth(i).locator(".jp-InputArea").inner_text():
            return cells.nth(i)
    raise AssertionError(f"no cell holds {text!r}")


def run_cell(page, c, expect_output: str | None = None, timeout: float = 60_000):
    """Select a cell and run it (Shift+Enter); wait until its prompt shows a new execution count
    (never the previous run's output), then, if given, for `expect_output` in its output."""
    prompt = c.locator(".jp-InputPrompt").first
    before = prompt.inner_text()
    c.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        "([el, before]) => /\\[\\d+\\]/.test(el.textContent) && el.textContent.trim() !== before.trim()",
        arg=[prompt.element_handle(), before], timeout=timeout,
    )
    if expect_output:
        c.locator(".jp-OutputArea", has_text=expect_output).wait_for(timeout=timeout)


def replace_source(page, c, text: str) -> None:
    """Type a new source into a cell's editor, as a student pasting an answer would."""
    c.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)  # a paste: no auto-closed brackets or auto-indent added


def output_text(c) -> str:
    return c.locator(".jp-OutputArea").inner_text()


def test_the_student_path_in_jupyterlab(lab):
    shots = lambda step: str(screenshot_path("notebook-ex06", step))  # noqa: E731
    for old in Path(shots("x")).parent.glob("*.png"):  # this run's screenshots only
        old.unlink()
    with chromium_page(width=1400, height=1000) as page:
        page.set_default_timeout(60_000)
        page.goto(lab["url"])
        page.locator(".jp-Notebook .jp-Cell").first.wait_for()
        # the kernel is up when the status bar says "Python 3 (ipykernel) | Idle"
        page.locator(".jp-StatusBar-Widget", has_text="| Idle").first.wait_for(timeout=90_000)
        page.screenshot(path=shots("1-opened"))
        try:
            student_path(page, shots)
        except Exception:
            page.screenshot(path=shots("failed"))
            raise


def student_path(page, shots) -> None:

    # 1. the first cell: it says what was loaded
    first = cell(page, "from grader.workbook import check")
    run_cell(page, first, expect_output="Course tables loaded")
    assert "events" in output_text(first) and "feature_job_control" in output_text(first)
    first.screenshot(path=shots("2-first-cell"))

    # 2. a wrong answer (retries counted twice), then check("ex06")
    answer = cell(page, "YOUR ANSWER HERE")
    replace_source(page, answer, WRONG)
    run_cell(page, answer)
    checker = cell(page, 'check("ex06")')
    run_cell(page, checker, expect_output="ex06")
    feedback = checker.locator(".jp-OutputArea")
    text = feedback.inner_text()
    assert "matches_reference_on_sample" in text and "fail" in text
    assert "fewest rows" in text  # the counterexample: the events on which the answer goes wrong
    assert "expected" in text and "got" in text
    checker.scroll_into_view_if_needed()
    page.screenshot(path=shots("3-wrong-answer-checked"), full_page=False)
    feedback.screenshot(path=shots("3b-wrong-answer-feedback"))
    # the counterexample's timeline, under its table: inline SVG, the window shaded, the retry stacked
    picture = feedback.locator("svg[role=img]").first
    assert "7-day window" in picture.locator("title").text_content()
    assert "retry" in picture.text_content() and "yours:" in picture.text_content()
    picture.scroll_into_view_if_needed()
    picture.screenshot(path=shots("3c-wrong-answer-timeline"))

    # 3. the right answer, check again
    replace_source(page, answer, RIGHT)
    run_cell(page, answer)
    run_cell(page, checker, expect_output="Public checks passed")
    text = checker.locator(".jp-OutputArea").inner_text()
    assert "pass" in text and "fail" not in text.replace("necessary", "")
    checker.locator(".jp-OutputArea").screenshot(path=shots("4-right-answer-feedback"))

    # 4. the answer cell renamed by a typo and run: check() no longer passes on the old snippet
    replace_source(page, answer, RIGHT.replace("--save ex06", "--save ex6"))
    run_cell(page, answer)
    run_cell(page, checker, expect_output="did you mean ex06?")
    text = checker.locator(".jp-OutputArea").inner_text()
    assert "missing" in text and "Public checks passed" not in text
    checker.locator(".jp-OutputArea").screenshot(path=shots("5-renamed-answer-feedback"))

    # 5. a SQL error: DuckDB's message in a few lines, and the cell fails
    replace_source(page, answer, "%%sql --save ex06\nSELECT user_id,\n  no_such_column\nFROM events")
    run_cell(page, answer, expect_output="no_such_column")
    err = answer.locator(".jp-OutputArea").inner_text()
    assert "LINE 2" in err and "Traceback" not in err and "--with" not in err
    assert len(err.strip().splitlines()) <= 10
    answer.screenshot(path=shots("6-sql-error"))

    # 6. the cell edited and saved but not run: graded as saved, and check() says so
    replace_source(page, answer, RIGHT)
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')", timeout=30_000)  # saved: the tab's dot gone
    run_cell(page, checker, expect_output="edited and not run again")
    text = checker.locator(".jp-OutputArea").inner_text()
    assert "Public checks passed" in text  # the saved version is the right answer
    checker.locator(".jp-OutputArea").screenshot(path=shots("7-edited-not-run-feedback"))

    # 7. run it and save: what JupyterLab saved is what the kernel ran, so no note any more
    run_cell(page, answer)
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')", timeout=30_000)
    run_cell(page, checker, expect_output="Public checks passed")
    assert "graded the cell as saved" not in checker.locator(".jp-OutputArea").inner_text()

    # 8. restart the kernel, run only the first cell, then check: "run your answer cell first"
    page.keyboard.press("Escape")
    page.keyboard.press("0")
    page.keyboard.press("0")
    page.locator(".jp-Dialog button", has_text="Restart").click()
    page.locator(".jp-StatusBar-Widget", has_text="| Idle").first.wait_for(timeout=90_000)
    run_cell(page, first, expect_output="Course tables loaded")
    run_cell(page, checker, expect_output="run your answer cell first")
    text = checker.locator(".jp-OutputArea").inner_text()
    assert "missing" in text and "Public checks passed" not in text
    checker.locator(".jp-OutputArea").screenshot(path=shots("8-after-restart-feedback"))
