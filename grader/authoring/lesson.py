"""Read an exercise's lesson.md into notebook cells.

The format is Markdown with fenced code blocks whose info string says what each block becomes:

    ```sql                      -> a `%%sql` cell (explore the data)
    ```sql save=ex06 solution   -> the answer cell `%%sql --save ex06`, reference answer inside
    ```sql save=ex06 student    -> what students get in its place (else a standard placeholder)
    ```python                   -> a code cell (e.g. check("ex06"))
    ```python solution          -> a structured answer (`ex09 = {...}`), reference inside
    ```python student           -> the students' template for it
    ```markdown solution        -> explanation shown in the solution notebook only
Text between blocks becomes markdown cells; a line `+++` splits markdown into two cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.engine.placeholder import UNANSWERED

FIRST_CELL = "from grader.workbook import check, reset  # opens the course DuckDB and connects %%sql to it"

_FENCE = re.compile(r"^```(\w+)?([^\n`]*)\n(.*?)^```[ \t]*$\n?", re.M | re.S)


@dataclass
class Cell:
    kind: str  # "markdown" or "code"
    source: str
    role: str = ""  # "", "solution" or "student"
    save: str | None = None  # the answer name of a `save=` block
    language: str = ""

    @property
    def tags(self) -> list[str]:
        return [self.role] if self.role else []


@dataclass
class Lesson:
    cells: list[Cell] = field(default_factory=list)

    def solution_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.role != "student"]

    def student_cells(self) -> list[Cell]:
        """Solutions replaced by the student block that follows them, or a placeholder."""
        out: list[Cell] = []
        for i, c in enumerate(self.cells):
            if c.role == "student":
                continue
            if c.role != "solution":
                out.append(c)
                continue
            if c.kind == "markdown":
                continue
            nxt = self.cells[i + 1] if i + 1 < len(self.cells) else None
            if nxt is not None and nxt.role == "student":
                out.append(Cell(nxt.kind, nxt.source, "answer", nxt.save, nxt.language))
            else:
                out.append(Cell(c.kind, placeholder(c), "answer", c.save, c.language))
        return out


def placeholder(c: Cell) -> str:
    if c.save:
        return (
            f"%%sql --save {c.save}\n"
            "-- YOUR ANSWER HERE: replace this line with your SQL, then run the cell.\n"
            f"SELECT '{UNANSWERED}' AS todo"
        )
    return "# YOUR ANSWER HERE\n..."


def parse(text: str) -> Lesson:
    lesson = Lesson()

    def add_markdown(chunk: str) -> None:
        for part in re.split(r"^\+\+\+[ \t]*$", chunk, flags=re.M):
            if part.strip():
                lesson.cells.append(Cell("markdown", part.strip()))

    pos = 0
    for m in _FENCE.finditer(text):
        add_markdown(text[pos : m.start()])
        pos = m.end()
        lang = (m.group(1) or "").lower()
        attrs = m.group(2).split()
        body = m.group(3).rstrip("\n")
        role = "solution" if "solution" in attrs else "student" if "student" in attrs else ""
        save = next((a.split("=", 1)[1] for a in attrs if a.startswith("save=")), None)
        if lang == "markdown":
            lesson.cells.append(Cell("markdown", body.strip(), role))
        elif lang == "sql":
            magic = f"%%sql --save {save}" if save else "%%sql"
            lesson.cells.append(Cell("code", f"{magic}\n{body}", role, save, "sql"))
        elif lang in ("python", "py", ""):
            lesson.cells.append(Cell("code", body, role, save, "python"))
        else:
            raise ValueError(f"lesson block language {lang!r} is not one of sql, python, markdown")
    add_markdown(text[pos:])
    return lesson


def read(path: Path) -> Lesson:
    return parse(path.read_text(encoding="utf-8"))
