"""A larger per-thread cache of freed memory blocks in glibc's allocator, for grading commands.

Grading runs thousands of tiny DuckDB statements, and DuckDB plans each one with many small
C++ allocations: glibc's malloc and free took about a sixth of a grading process's CPU time
(perf on a generated class of distinct answers). glibc keeps at most 7 freed blocks of each size
per thread by default; with 1,000, most allocations skip malloc's slow path. Measured on 30
distinct submissions (`grader check`, two workers, three pairs): 5-6% less CPU, 7 MB more at the
peak; over a batch of 1,000 a worker holds about 20-30 MB more. No result changes: this is where
freed memory waits, nothing else.

glibc reads its tunables only when a process starts, so a grading command started from the
console runs itself again (the same process id, arguments and descriptors) with the tunable
added. Elsewhere (not glibc, already tuned, the tunable set by the user, the API called from
Python) nothing happens."""

from __future__ import annotations

import os
import platform
import sys
from typing import Mapping

TUNABLE = "glibc.malloc.tcache_count"
COUNT = 1000


def tuned_environment(environ: Mapping[str, str], libc: tuple[str, str] | None = None) -> dict[str, str] | None:
    """The environment to start again with, or None when there is nothing to add: not glibc
    (or one older than 2.26, which has no per-thread cache), or the tunable already set, by an
    earlier start or by the user (whose value is kept)."""
    name, version = libc if libc is not None else platform.libc_ver()
    if name != "glibc" or _version(version) < (2, 26):
        return None
    current = environ.get("GLIBC_TUNABLES", "")
    if TUNABLE in current:
        return None
    env = dict(environ)
    env["GLIBC_TUNABLES"] = f"{current}:{TUNABLE}={COUNT}" if current else f"{TUNABLE}={COUNT}"
    return env


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(".")[:2])
    except ValueError:
        return (0,)


def restart_tuned() -> None:
    """Replace this process with the same command under the tunable; returns only when there
    is nothing to add or the restart failed (then the command runs as it is)."""
    env = tuned_environment(os.environ)
    if env is None or not sys.orig_argv or not sys.executable:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(sys.executable, sys.orig_argv, env)
    except OSError:
        return
