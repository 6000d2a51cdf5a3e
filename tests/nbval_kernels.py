"""A pytest plugin for `make test`'s two nbval runs (solutions/ strict, notebooks/ lax), which run
at the same time: `pytest -p tests.nbval_kernels --nbval ...`.

A Jupyter kernel's five TCP ports are picked by binding port 0 and letting go; the kernel binds
them for real only once it has started. Two kernels started at the same moment by two processes
can therefore be handed the same port, and one of them dies before it answers ("Kernel died
before replying to kernel_info", seen in a clean-clone run when the notebooks ran on two
workers). Here each notebook's kernel is started holding a lock file that every run started
from this checkout shares, until the kernel has answered and its client is connected: by then
its ports are bound, and no other kernel can be handed them. Only the start is serialised; the
notebooks' cells run side by side."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest
from nbval.plugin import IPyNbFile

LOCK = Path(__file__).resolve().parent.parent / "build" / "nbval-kernel-start.lock"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    notebook = item.parent
    # nbval starts a notebook's kernel in the setup of its first cell (IPyNbFile.setup)
    if not isinstance(notebook, IPyNbFile) or notebook.kernel is not None:
        yield
        return
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
