"""CPU time this process spent handing DuckDB work, by purpose, for `grader bench profile`: what
running the learner's statements costs against building the databases they run on. A
profiler cannot say it (DuckDB's calls are charged to whichever Python function made them), so
the few places that hand DuckDB work add their own time here; each costs one clock read at
either end, about a microsecond against the millisecond of the statement."""

from __future__ import annotations

import time
from collections import Counter

LEARNER = "the learner's statements"  # everything under a Deadline: with a write check's read of its table
BUILDING = "building databases"
LOADING = "loading the kept fixture"
READING = "reading a job's state"
PURPOSES = (LEARNER, BUILDING, LOADING, READING)

SPENT: Counter = Counter()  # purpose -> CPU seconds, in this process, since the last clear()
HANDED: Counter = Counter()  # purpose -> times work was handed over (statements, databases, loads, reads)
clock = time.process_time


def add(purpose: str, started: float) -> None:
    SPENT[purpose] += clock() - started
    HANDED[purpose] += 1


def clear() -> None:
    SPENT.clear()
    HANDED.clear()
