"""The exercise table in README.md, produced from the exercise declarations (never by hand)."""

from __future__ import annotations

from pathlib import Path

from grader.course import exercises
from grader.engine.checks import ManualCheck

START, END = "<!-- exercises:start -->", "<!-- exercises:end -->"
README = Path(__file__).resolve().parents[2] / "README.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def exercise_table() -> str:
    lines = [
        "| # | title | answers | public checks | hidden checks | points |",
        "|---|---|---|---|---|---|",
    ]
    for ex in exercises.all_exercises():
        answers = "<br>".join(f"`{a.name}` ({a.kind}): {_cell(a.what)}" for a in ex.answers)
        public = ", ".join(f"`{c.name}`" for c in ex.checks)
        hidden = ", ".join(f"`{c.name}`" for c in ex.hidden) or "—"
        written = sum(c.points for c in ex.all_checks() if isinstance(c, ManualCheck))
        points = f"{ex.max_points():g}" + (f" ({written:g} written)" if written else "")
        lines.append(f"| {ex.id} | {_cell(ex.title)} | {answers} | {public} | {hidden} | {points} |")
    return "\n".join(lines)


def render_readme(text: str) -> str:
    if START not in text or END not in text:
        raise ValueError(f"README.md lacks the {START} ... {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{exercise_table()}\n{END}{tail}"


def update_readme(path: Path = README) -> bool:
    """Rewrite the table in place; True when it changed."""
    old = path.read_text(encoding="utf-8")
    new = render_readme(old)
    if new != old:
        path.write_text(new, encoding="utf-8")
    return new != old
