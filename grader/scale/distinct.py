"""A generated class whose answers all differ, as real hand-ins do: every exercise's answer is
drawn from its declared right and wrong answers (the solution, the correct formulations and
the matrix of known-wrong answers, each exercise folder's matrix.py, read through
grader.course.exercises) and then made textually unique per student without changing its
meaning, so no two students share an answer's text and nothing is reused between them. About
half of the answers are wrong."""

from __future__ import annotations

import random
import re
from pathlib import Path

import nbformat

from grader.authoring.release import SOLUTIONS
from grader.course import exercises
from grader.scale.mutations import mutate, student_notebooks


def declared_answers(matrices: dict | None = None) -> dict[str, dict[str, list[tuple[str, ...]]]]:
    """exercise id -> {"wrong": [cells...], "right": [cells...]}: each entry is the cells a student
    would hand in for that exercise. Wrong: every MATRIX entry. Right: each CORRECT formulation
    (a SQL text) put in place of the one SQL cell of the exercise's first matrix entry (its other
    cells are right by declaration). `matrices`: exercise id -> its matrix module (default: every
    exercise folder's, exercises.matrices()); empty where none ships (a student release)."""
    out: dict[str, dict[str, list[tuple[str, ...]]]] = {}
    for module in (exercises.matrices() if matrices is None else matrices).values():
        matrix = getattr(module, "MATRIX", None)
        if not isinstance(matrix, dict) or not matrix:
            continue
        for _, w in sorted(matrix.items()):
            out.setdefault(w.exercise, {"wrong": [], "right": []})["wrong"].append(tuple(w.cells))
        template = next(iter(matrix.values()))
        sql_at = [i for i, c in enumerate(template.cells) if c.startswith("%%sql")]
        correct = getattr(module, "CORRECT", None)
        if len(sql_at) == 1 and isinstance(correct, dict):
            first = template.cells[sql_at[0]].split("\n", 1)[0]
            for _, sql in sorted(correct.items()):
                if isinstance(sql, str):
                    cells = list(template.cells)
                    cells[sql_at[0]] = f"{first}\n{sql}"
                    out[template.exercise]["right"].append(tuple(cells))
    return out


def unique_sql(body: str, n: int) -> str:
    """The same SQL, told apart by student number n: each continuation line's indentation grows
    by one of n's base-5 digits (outside string literals), and an uppercase keyword turns
    lowercase on odd n. Comments would not do: they are stripped before grading."""
    lines = body.strip("\n").split("\n")
    out, digits, quotes = [], n, 0
    for i, line in enumerate(lines):
        if i > 0 and line.strip() and quotes % 2 == 0:
            line = " " * (digits % 5) + line
            digits //= 5
        quotes += line.count("'")
        out.append(line)
    text = "\n".join(out)
    space, quote = text.find(" "), text.find("'")
    if digits and space > 0 and (quote < 0 or space < quote):
        # too few lines for n: the rest widens the first space (before any string literal)
        text = text[:space] + " " * digits + text[space:]
    if n % 2:
        text = re.sub(r"\bSELECT\b", "select", text, count=1)
    return text


def unique_cell(source: str, n: int) -> str:
    first, _, body = source.partition("\n")
    if first.lstrip().startswith("%%sql"):
        if not body.strip():
            return source
        return f"{first}\n-- student {n}\n{unique_sql(body, n)}"
    if source.lstrip().startswith("%%"):
        return source
    return f"# student {n}\n{source}"


def _mutable(nb) -> list[int]:
    return [i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and "solution" in c.get("metadata", {}).get("tags", [])]


def generate_distinct(out: Path, n: int, seed: int = 7, wrong_share: float = 0.5,
                      declared: dict | None = None) -> list[Path]:
    """n student folders with every exercise's notebook; per exercise, a right answer (the solution
    or a correct formulation) or, with probability `wrong_share`, a declared wrong one (an
    exercise without a matrix: the solution with a typical mistake, or blank); every SQL cell
    then made unique to its student."""
    rng = random.Random(seed)
    declared = declared_answers() if declared is None else declared
    solutions = sorted(SOLUTIONS.glob("ex*.ipynb"))
    folders = []
    for s in range(n):
        folder = out / f"student{s:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        for path, nb in student_notebooks(solutions):
            pool = declared.get(path.stem, {})
            tagged = _mutable(nb)
            wrong = rng.random() < wrong_share
            choices = pool.get("wrong" if wrong else "right", []) + ([] if wrong else [None])
            pick = rng.choice(choices) if choices else None
            if pick is not None:  # declared cells replace the solution's answer cells
                at = tagged[0] if tagged else len(nb.cells)
                nb.cells = [c for i, c in enumerate(nb.cells) if i not in tagged]
                nb.cells[at:at] = [nbformat.v4.new_code_cell(c) for c in pick]
                tagged = list(range(at, at + len(pick)))
            elif wrong:  # no declared wrong answer: a typical slip, or nothing
                for i in tagged:
                    cell = nb.cells[i]
                    if rng.random() < 0.7:
                        cell.source = mutate(cell.source, rng)
                    else:
                        head = cell.source.split("\n", 1)[0]
                        cell.source = head + "\n" if head.startswith("%%sql") else "\n"
            for i in tagged:
                if nb.cells[i].source.strip() and "\n" in nb.cells[i].source:
                    nb.cells[i].source = unique_cell(nb.cells[i].source, s + 1)
            nb.metadata["student"] = folder.name
            nbformat.write(nb, folder / path.name)
        folders.append(folder)
    return folders
