"""Reading a saved cell strips its comments exactly as jupysql does (sqlparse.format with
strip_comments), and the fast path for a heading of comment lines gives the same text: the
course's own cells, the declared answers, students' variants of them, and the shapes where
sqlparse's rules differ (a comment after indentation, a hint, `#`, `/* */`, CRLF)."""

from __future__ import annotations

import random

import nbformat
import pytest
import sqlparse

from grader.authoring.release import SOLUTIONS
from grader.engine.snippets import _without_comments, _without_heading
from grader.scale.distinct import declared_answers, unique_cell


def _bodies() -> list[str]:
    """Every %%sql cell body of the solutions and of the declared right and wrong answers."""
    cells = [c.source for path in sorted(SOLUTIONS.glob("ex*.ipynb"))
             for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    cells += [c for pool in declared_answers().values() for kind in ("right", "wrong") for answer in pool[kind] for c in answer]
    return list(dict.fromkeys(c.split("\n", 1)[1] for c in cells if c.startswith("%%sql") and "\n" in c))


BODIES = _bodies()
SAMPLE = random.Random(12).sample(BODIES, 16)

# (how a student writes it, whether the fast path takes it)
SHAPES = [
    (lambda b: b, None),  # as declared: fast unless the body has comments of its own
    (lambda b: "-- my answer\n" + b, None),
    (lambda b: "-- Exercise 6\n-- 7-day window\n" + b.strip() + "\n", None),
    (lambda b: unique_cell("%%sql --save x\n" + b, 37).split("\n", 1)[1], None),  # a student's variant
    (lambda b: "-- a\n\n-- b\n\n" + b, None),  # empty lines inside and after the heading
    (lambda b: "-- a\n \n" + b, None),  # a line of spaces ends the heading, and stays
    (lambda b: "  -- indented\n" + b, False),
    (lambda b: "--+ hint\n" + b, False),
    (lambda b: "# hash\n" + b, False),
    (lambda b: "/* block */\n" + b, False),
    (lambda b: b.rstrip("\n") + " -- note\n", False),  # a comment after SQL on its line
    (lambda b: "-- crlf\r\n" + b.replace("\n", "\r\n"), False),
    (lambda b: b.rstrip("\n; ") + "\nUNION ALL SELECT '--not a comment'", False),  # (the fast path is conservative)
]
EDGES = ["", "-- only a comment", "-- only a comment\n", "-- c\n;", "-- c\n;SELECT 1", "SELECT 1;  \n\n  select 2 ; ",
         "-- c\nSELECT 1 AS a;\nSELECT 2 AS b;   \n", "-- c\n\n\nSELECT 1", "-- c\n(SELECT 1)", "--\nSELECT 1"]


def _cases():
    for i, body in enumerate(SAMPLE):
        for j, (shape, fast) in enumerate(SHAPES):
            yield f"{i}-{j}", shape(body), fast
    for k, text in enumerate(EDGES):
        yield f"edge{k}", text, None


CASES = list(_cases())


def test_the_corpus_holds_the_course_cells():
    assert len(BODIES) > 100 and len(CASES) > 200


@pytest.mark.parametrize("chunk", range(4))
def test_comments_are_stripped_exactly_as_jupysql_strips_them(chunk):
    for name, text, fast in CASES[chunk::4]:
        want = sqlparse.format(text, strip_comments=True)
        assert _without_comments.__wrapped__(text) == want, name
        took = _without_heading(text) is not None
        if fast is False:
            assert not took, name
        if took:
            assert _without_heading(text) == want, name


def test_the_fast_path_takes_a_heading_over_plain_sql():
    plain = [b for b in SAMPLE if not any(m in b for m in ("--", "#", "/*", "\r"))]
    assert plain
    for body in plain:
        for text in (body, "-- my answer\n" + body, unique_cell("%%sql --save x\n" + body, 5).split("\n", 1)[1]):
            assert _without_heading(text) is not None, text


PIECES = ["-- note\n", "--\n", "\n", "\n\n", " ", "\t", "  -- indented\n", "--+ hint\n", "# hash\n", "/* block */",
          "SELECT 1", "select a, b FROM t", ";", "(", ")", "'--in a string'", "WITH x AS (SELECT 1) SELECT * FROM x",
          " -- trailing\n", "\r\n", "--x", "-- end"]


def test_random_cells_strip_the_same_either_way():
    rng = random.Random(23)
    took = 0
    for _ in range(4000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 7)))
        assert _without_comments.__wrapped__(text) == sqlparse.format(text, strip_comments=True), repr(text)
        took += _without_heading(text) is not None
    assert took > 400  # the fast path was exercised, not only the fallback
