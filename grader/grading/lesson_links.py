"""Where the lesson teaches what a check tests: the paragraph the class report quotes beside a
mistake.

Each exercise declares it (exNN/lesson_map.py: check name -> (a `## ` heading of its lesson.md,
a phrase of the paragraph, or "" for the section's first paragraph)). Lookups are exact, never
fuzzy: a heading or phrase that no longer matches the lesson is an error `tests/test_class_report.py`
reports for every check of every exercise, so a renamed heading cannot silently point elsewhere."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_ITEM = re.compile(r"^(?:[-*]|\d+\.)\s+")
EXERCISES = Path(__file__).resolve().parents[1] / "course" / "exercises"


@dataclass(frozen=True)
class LessonParagraph:
    exercise: str
    heading: str
    text: str  # Markdown, as the lesson writes it


def sections(lesson: str) -> dict[str, list[str]]:
    """A lesson's `## ` sections -> their prose paragraphs (fenced code and `+++` cell breaks left out)."""
    out: dict[str, list[str]] = {}
    heading = ""
    para: list[str] = []
    fenced = False

    def flush() -> None:
        if para:
            out.setdefault(heading, []).append(" ".join(line.strip() for line in para))
            para.clear()

    for line in lesson.splitlines():
        if line.startswith("```"):
            flush()
            fenced = not fenced
            continue
        if fenced:
            continue
        if line.startswith("## "):
            flush()
            heading = line[3:].strip()
            out.setdefault(heading, [])
        elif line.startswith("# ") or not line.strip() or line.strip() == "+++":
            flush()
        elif _ITEM.match(line):  # a list item is a paragraph of its own, without its marker
            flush()
            para.append(_ITEM.sub("", line))
        else:
            para.append(line)
    flush()
    return out


@lru_cache(maxsize=None)
def declared(exercise: str) -> dict[str, tuple[str, str]]:
    """The exercise's lesson_map (check name -> (heading, phrase)); empty when it has none. Read
    as data (its SECTIONS literal), without importing the exercise: a report needs no sandbox."""
    path = EXERCISES / exercise / "lesson_map.py"
    if not path.is_file():
        return {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "SECTIONS" for t in node.targets):
            return {name: tuple(where) for name, where in ast.literal_eval(node.value).items()}
    raise LookupError(f"{path}: no SECTIONS = {{...}}")


@lru_cache(maxsize=None)
def _lesson(exercise: str) -> dict[str, list[str]] | None:
    path = EXERCISES / exercise / "lesson.md"
    return sections(path.read_text(encoding="utf-8")) if path.is_file() else None


def resolve(exercise: str, heading: str, phrase: str) -> LessonParagraph:
    """The paragraph a declaration names; LookupError when the heading or phrase is not in the lesson."""
    lesson = _lesson(exercise)
    if lesson is None:
        raise LookupError(f"{exercise} has no lesson.md")
    if heading not in lesson:
        raise LookupError(f"{exercise}: no section '## {heading}' in lesson.md")
    paragraphs = [p for p in lesson[heading] if phrase in p] if phrase else lesson[heading][:1]
    if len(paragraphs) != 1:
        raise LookupError(f"{exercise} '## {heading}': {len(paragraphs)} paragraphs hold {phrase!r} (one expected)")
    return LessonParagraph(exercise, heading, paragraphs[0])


def paragraph_for(check_id: str) -> LessonParagraph | None:
    """The lesson paragraph that teaches `ex06.window_edges`, or None where none is declared or
    the lesson is not here (a student bundle ships no lesson.md)."""
    exercise, _, name = check_id.partition(".")
    where = declared(exercise).get(name)
    if where is None or _lesson(exercise) is None:
        return None
    return resolve(exercise, *where)


_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_EM = re.compile(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])")


def markdown_html(text: str) -> str:
    """The few inline forms lessons use (`code`, **bold**, *emphasis*) as HTML; everything else escaped."""
    from html import escape

    out = escape(text, quote=False)
    out = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", out)
    out = _BOLD.sub(r"<b>\1</b>", out)
    return _EM.sub(r"<i>\1</i>", out)
