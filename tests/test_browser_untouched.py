"""A generated notebook opened in JupyterLab and left alone stays unchanged: no "unsaved changes"
mark (closing it asks nothing). When JupyterLab does mark it, the test saves it and names what
JupyterLab changed (a metadata field the generator should write as the kernel reports it).

Runs where the real-browser test runs (tests/browser.py; skipped without Chromium)."""

from __future__ import annotations

import json

import pytest

from browser import ROOT, chromium_available, chromium_page, open_copy, screenshot_path

pytestmark = pytest.mark.skipif(not chromium_available(), reason="no Chromium (apt-get install chromium)")


def _changes(before: dict, after: dict) -> list[str]:
    out = [f"metadata.{k}: {before['metadata'].get(k)!r} -> {after['metadata'].get(k)!r}"
           for k in sorted(set(before["metadata"]) | set(after["metadata"]))
           if before["metadata"].get(k) != after["metadata"].get(k)]
    for b, a in zip(before["cells"], after["cells"]):
        for k in sorted(set(b) | set(a)):
            if b.get(k) != a.get(k):
                out.append(f"cell {b.get('id')}: {k}: {b.get(k)!r} -> {a.get(k)!r}")
    if before.get("nbformat_minor") != after.get("nbformat_minor"):
        out.append(f"nbformat_minor: {before.get('nbformat_minor')} -> {after.get('nbformat_minor')}")
    return out


def test_an_untouched_notebook_is_not_marked_changed(lab):
    # its own copy: the JupyterLab is shared, and the student-path test edits and saves ex06.ipynb
    path, url = open_copy(lab, ROOT / "notebooks" / "ex06.ipynb", "ex06-untouched.ipynb")
    before = json.loads(path.read_text())
    with chromium_page() as page:
        page.set_default_timeout(60_000)
        page.goto(url)
        page.locator(".jp-Notebook .jp-Cell").first.wait_for()
        page.locator(".jp-StatusBar-Widget", has_text="| Idle").first.wait_for(timeout=90_000)
        page.wait_for_timeout(3000)  # the mark came a second after opening
        dirty = page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count() > 0
        page.screenshot(path=str(screenshot_path("notebook-untouched", "opened")))
        if dirty:
            page.keyboard.press("Control+s")
            page.wait_for_timeout(2000)
    assert not dirty, _changes(before, json.loads(path.read_text()))
