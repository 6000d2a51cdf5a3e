"""Grading commands started from the console run under glibc's larger per-thread cache of freed
blocks (grader/malloc_cache.py); nothing else about the command changes."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import textwrap

import pytest

from grader import cli, malloc_cache

GLIBC = ("glibc", "2.36")
WANT = f"{malloc_cache.TUNABLE}={malloc_cache.COUNT}"


def test_tunable_added_on_glibc():
    assert malloc_cache.tuned_environment({"PATH": "/bin"}, GLIBC) == {"PATH": "/bin", "GLIBC_TUNABLES": WANT}


def test_other_tunables_are_kept_beside_it():
    env = malloc_cache.tuned_environment({"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"}, GLIBC)
    assert env["GLIBC_TUNABLES"] == f"glibc.malloc.arena_max=2:{WANT}"


@pytest.mark.parametrize("already", [WANT, "glibc.malloc.tcache_count=0", f"glibc.malloc.arena_max=2:{WANT}"])
def test_a_count_already_set_is_left_alone(already):
    # an earlier start of this command, or the user's own choice: never started again
    assert malloc_cache.tuned_environment({"GLIBC_TUNABLES": already}, GLIBC) is None


@pytest.mark.parametrize("libc", [("", ""), ("musl", "1.2"), ("glibc", "2.17"), ("glibc", "unknown")])
def test_no_restart_without_a_glibc_that_has_the_cache(libc):
    assert malloc_cache.tuned_environment({}, libc) is None


def test_api_calls_never_restart_the_process(monkeypatch, tmp_path):
    restarts = []
    monkeypatch.setattr(os, "execve", lambda *a: restarts.append(a))
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    monkeypatch.setattr(malloc_cache.platform, "libc_ver", lambda: GLIBC)
    # called as Python (tests, notebooks): the command runs here, in this process
    assert cli.main(["check", str(tmp_path / "missing")]) != 0
    assert restarts == []
    # the patch is where the restart goes: calling it directly reaches it
    malloc_cache.restart_tuned()
    assert restarts and restarts[0][2]["GLIBC_TUNABLES"] == WANT


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc tunables only")
def test_console_grading_command_restarts_itself_tuned(tmp_path):
    # As `grader check` from a shell: the same process id comes back under the tunable, once.
    script = textwrap.dedent(f"""
        import os, sys
        print("start", os.getpid(), os.environ.get("GLIBC_TUNABLES"), flush=True)
        sys.argv = ["grader", "check", {str(tmp_path / "missing")!r}]
        from grader.cli import main
        sys.exit(main())
    """)
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    starts = [line.split() for line in out.stdout.splitlines() if line.startswith("start")]
    assert [s[2] for s in starts] == ["None", WANT]
    assert starts[0][1] == starts[1][1]  # replaced in place: the same process
    assert out.returncode != 0 and "missing" in out.stderr  # and the command itself ran, once


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc tunables only")
def test_console_report_command_is_not_restarted(tmp_path):
    script = textwrap.dedent(f"""
        import os, sys
        print("start", os.environ.get("GLIBC_TUNABLES"), flush=True)
        sys.argv = ["grader", "report", {str(tmp_path / "missing.json")!r}, "--out", {str(tmp_path / "r.html")!r}]
        from grader.cli import main
        sys.exit(main())
    """)
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert [line for line in out.stdout.splitlines() if line.startswith("start")] == ["start None"]
