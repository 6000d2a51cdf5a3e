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
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
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


# ---------- JupyterLab, for the tests that drive a notebook ----------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab on a free local port, offline as `make lab` runs it, serving a copy of
    notebooks/ex06.ipynb (the repository's copy is never written). One server per test process
    (registered in tests/conftest.py), shared by the tests that drive a notebook: starting it
    costs seconds; a test that needs a notebook nobody else touched opens its own copy
    (`open_copy`)."""
    work = tmp_path_factory.mktemp("lab")
    (work / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "ex06.ipynb", work / "notebooks" / "ex06.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "PLOOMBER_STATS_ENABLED": "false", "JUPYTER_CONFIG_DIR": str(work / "config"),
           "JUPYTER_RUNTIME_DIR": str(work / "runtime"), "JUPYTER_DATA_DIR": str(work / "data"),
           "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    env.pop("JPY_SESSION_NAME", None)
    cmd = [str(BIN / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={work / 'notebooks'}", f"--LabApp.workspaces_dir={work / 'workspaces'}",
           f"--LabApp.user_settings_dir={work / 'settings'}",
           # as mk/lab.mk: no news feed, no update check, no extension manager calls to PyPI
           "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(work / "lab.log", "wb")
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (work / "lab.log").read_text()[-3000:])
                time.sleep(0.5)
        yield {"url": f"{base}/lab/tree/ex06.ipynb?token={token}", "dir": work / "notebooks",
               "base": base, "token": token}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def open_copy(lab: dict, source: Path, name: str) -> tuple[Path, str]:
    """Copy `source` into the lab's folder as `name`: (its path, its URL in a workspace of its
    own, so no tab another test left open is restored beside it)."""
    path = lab["dir"] / name
    shutil.copy(source, path)
    return path, f"{lab['base']}/lab/workspaces/{path.stem}/tree/{name}?token={lab['token']}"
