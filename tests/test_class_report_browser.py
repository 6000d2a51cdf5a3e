"""The class report in a real browser: a generated class of 100 (built as JSON, not graded) plus a
small really graded class, opened from disk in headless Chromium. The charts and mistake groups
are there, nothing is fetched besides the file itself, and the page logs no console error.
Screenshots: build/screenshots/class-report/ (gitignored).

Run it alone:  .venv/bin/python -m pytest -q tests/test_class_report_browser.py
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser import chromium_available, chromium_page, screenshot_path

from grader.grading import class_report, report
from grader.scale import classgen

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not chromium_available(), reason="no Chromium (apt-get install chromium)")


def open_report(page, path: Path) -> tuple[list[str], list[str]]:
    """Load `path`; return (every URL the page asked for besides itself, console errors)."""
    requests, errors = [], []
    url = path.as_uri()
    page.on("request", lambda r: requests.append(r.url) if r.url != url else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
    page.goto(url)
    page.wait_for_load_state("load")
    return requests, errors


def test_a_generated_class_of_100_reads_offline_with_charts_and_groups(tmp_path):
    doc = classgen.generate(100)
    path = tmp_path / "class100.html"
    path.write_text(class_report.page(doc), encoding="utf-8")
    with chromium_page(width=1280, height=1000) as page:
        requests, errors = open_report(page, path)
        assert requests == [] and errors == []
        assert page.locator("svg[role=img] title", has_text="Score distribution").count() == 1
        assert page.locator("svg[role=img] title", has_text="Each exercise's spread").count() == 1
        assert page.locator("svg[role=img] title", has_text="Pass rate per check").count() == 1
        groups = page.locator("section.group")
        assert groups.count() >= 7
        sizes = [int(t.replace(",", "")) for t in page.locator("section.group .size").all_text_contents()]
        assert sizes == sorted(sizes, reverse=True)
        first = groups.first
        assert first.locator(".lesson").count() == 1  # the lesson paragraph it maps to
        assert page.locator("section.group .picture svg").count() >= 1  # a representative counterexample drawn
        # a hostile name is shown as text, never run: no <img> element came out of it
        assert page.locator("img").count() == 0
        assert "<img src=x onerror=alert(1)>" in page.locator("main").text_content()
        page.screenshot(path=screenshot_path("class-report", "class-of-100-top"))
        page.screenshot(path=screenshot_path("class-report", "class-of-100-full"), full_page=True)


def test_a_really_graded_class_reads_offline(tmp_path):
    from grader.grading.grade import grade_many
    from grader.scale import gradebench

    folders = gradebench.generate(tmp_path / "class", 4)
    results = grade_many(folders, workers=1)
    doc = json.loads(report.to_json(results, {"seconds": 1.0, "workers": 1}))
    path = tmp_path / "class4.html"
    path.write_text(class_report.page(doc), encoding="utf-8")
    with chromium_page(width=1280, height=1000) as page:
        requests, errors = open_report(page, path)
        assert requests == [] and errors == []
        assert page.locator("h2#written").count() == 1  # written answers counted apart
        assert page.locator("svg[role=img]").count() >= 2
        page.screenshot(path=screenshot_path("class-report", "graded-class-of-4"), full_page=True)
