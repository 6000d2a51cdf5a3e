import os

os.environ.setdefault("PLOOMBER_STATS_ENABLED", "false")

# One JupyterLab per test process, shared by the tests that drive a notebook (tests/browser.py).
from browser import lab  # noqa: E402,F401
