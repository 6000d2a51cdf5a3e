"""Mistakes students make, as text edits on a reference answer: what both generated classes
(gradebench.py's repeating class, distinct.py's exercises without a matrix) apply to a solution."""

from __future__ import annotations

import random
import re
from pathlib import Path

import nbformat

# (pattern, replacement), applied where they match.
MUTATIONS = [
    (r"\bDISTINCT\b", ""),  # retries counted twice
    (r"<=", "<"),  # window edge
    (r"NULLIF\(([^,]+),\s*0\)", r"\1"),  # ctr without NULLIF
    (r"\bAND\s+e\.event_ts\s*<=\s*a\.as_of_ts", ""),  # leakage
]


def mutate(source: str, rng: random.Random) -> str:
    """`source` with one of the MUTATIONS that match it, chosen by `rng` (unchanged if none does)."""
    options = [(p, r) for p, r in MUTATIONS if re.search(p, source)]
    if not options:
        return source
    pattern, repl = rng.choice(options)
    return re.sub(pattern, repl, source, count=1)


def student_notebooks(solutions: list[Path]):
    """(path, notebook) for each solution notebook with its outputs cleared: the start of a
    generated student's hand-in, which the bench then answers its own way."""
    for path in solutions:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        yield path, nb
