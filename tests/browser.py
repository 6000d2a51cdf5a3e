"""A headless Chromium for tests that look at what a person sees (the notebook, feedback pages).

    from tests.browser import chromium_page   # or `from browser import ...` inside tests/

    def test_something(tmp_path):
        with chromium_page() as page:
            page.goto(url)
            page.screenshot(path=screenshot_path("feedback", "1-opened"))

Debian's `chromium` package (`apt-get install chromium`) driven by Playwright from PyPI through
its executable path: Playwright never downloads a browser (`playwright install` is never run).
Without /usr/bin/chromium (or WEEK12_CHROMIUM) the test is skipped, not failed; `.ci/run`
installs the package and sets WEEK12_REQUIRE_BROWSER=1, so in CI these tests always run.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "screenshots"  # test artifacts; /build/ is gitignored
CHROMIUM = os.environ.get("WEEK12_CHROMIUM", "/usr/bin/chromium")
# Offline and quiet: no GPU in containers, no sandbox as root, no calls home of any kind.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_available() -> bool:
    """True when Chromium is here; where CI demands the browser tests (WEEK12_REQUIRE_BROWSER=1,
    set by .ci/run), its absence is an error, so a CI run can never skip them silently."""
    found = Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)
    if not found and os.environ.get("WEEK12_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"WEEK12_REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}")
    return found


def screenshot_path(group: str, step: str) -> Path:
    """build/screenshots/<group>/<step>.png (folder created): where a test keeps what it saw."""
    folder = SCREENSHOTS / _safe(group)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / (_safe(step) + ".png")


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]", "_", name)


@contextmanager
def chromium_page(width: int = 1280, height: int = 900) -> Iterator["object"]:
    """A Playwright page in headless Debian Chromium; the test is skipped when Chromium or
    Playwright is absent. The browser is closed on exit, whatever happened."""
    if not chromium_available():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set WEEK12_CHROMIUM)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (see pyproject.toml)")
    # Playwright must never fetch its own browsers, even if something asks it to.
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            yield page
        finally:
            browser.close()
