"""The class report's page furniture: CSS, escaped cells, counterexample tables, folded lists.
No script: folding and paging are `<details>`, so the page works from disk, offline, anywhere."""

from __future__ import annotations

from html import escape
from typing import Any, Callable, Sequence

CSS = """
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1f2328; background: #f6f8fa; margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1.25rem 1.25rem 4rem; }
h1 { font-size: 1.55rem; margin: 0 0 .15rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; }
h3 { font-size: 1.02rem; margin: 0 0 .3rem; }
.sub { color: #57606a; margin: 0 0 1rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(10.5rem, 1fr)); gap: .6rem; margin: .8rem 0; }
.card { background: #fff; border: 1px solid #d0d7de; border-radius: .5rem; padding: .55rem .8rem; }
.card b { display: block; font-size: 1.5rem; line-height: 1.2; font-variant-numeric: tabular-nums; }
.card span { color: #57606a; font-size: .85rem; }
.card.warn { border-color: #cf222e; } .card.warn b { color: #cf222e; }
.card.todo b { color: #0969da; }
.panel { background: #fff; border: 1px solid #d0d7de; border-radius: .5rem; padding: .8rem 1rem; margin: .6rem 0; overflow-x: auto; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: .6rem; }
.group { background: #fff; border: 1px solid #d0d7de; border-left: 5px solid #D55E00; border-radius: .5rem;
         padding: .7rem 1rem; margin: .7rem 0; }
.group .size { font-size: 1.35rem; font-weight: 700; color: #D55E00; margin-right: .4rem; }
.group .lost { float: right; color: #57606a; font-size: .9rem; }
.fails { font-size: .85rem; color: #57606a; overflow-wrap: anywhere; }
.msg { margin: .25rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.who { margin: .35rem 0; overflow-wrap: anywhere; }
.who .name { display: inline-block; background: #eef1f4; border-radius: .8rem; padding: 0 .5rem; margin: .1rem .15rem; font-size: .88rem; }
.lesson { border-left: 3px solid #56B4E9; background: #f3f9fd; margin: .5rem 0 .2rem; padding: .35rem .75rem; font-size: .93rem; }
.lesson .where { color: #57606a; font-size: .82rem; display: block; }
.picture { margin: .4rem 0; }
.ce { margin: .4rem 0; overflow-x: auto; }
.ce .caption { font-size: .85rem; color: #57606a; }
.ce table, table.data { border-collapse: collapse; }
.ce table { font: .82rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.ce th, .ce td { border: 1px solid #d0d7de; padding: .1rem .45rem; white-space: nowrap; text-align: left; }
.ce th { background: #f6f8fa; }
.ce tr.expected td:first-child { color: #1a7f37; font-weight: 600; }
.ce tr.got td:first-child { color: #cf222e; font-weight: 600; }
table.data { width: 100%; font-size: .9rem; }
table.data th, table.data td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #eaeef2; vertical-align: top; }
table.data td.num, table.data th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.data tr.bad td { color: #cf222e; }
details { margin: .4rem 0; }
details > summary { cursor: pointer; color: #0969da; }
details.page > summary { color: #57606a; }
.tag { font-size: .72rem; border: 1px solid #d0d7de; border-radius: 1rem; padding: 0 .4rem; color: #57606a; margin-left: .3rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; overflow-wrap: anywhere; }
.muted { color: #57606a; }
nav a { margin-right: .9rem; }
svg { display: block; }
"""


def e(value: Any) -> str:
    """Any value as HTML text: everything a student wrote goes through here."""
    return escape("" if value is None else str(value))


def cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def ce_table(t: dict) -> str:
    """A counterexample table from the JSON (caption, columns, rows); expected/got rows marked."""
    head = "".join(f"<th>{e(c)}</th>" for c in t.get("columns", []))
    rows = []
    for row in t.get("rows", []):
        first = str(row[0]) if row else ""
        cls = f' class="{first}"' if first in ("expected", "got") else ""
        rows.append(f"<tr{cls}>" + "".join(f"<td>{e(cell(v))}</td>" for v in row) + "</tr>")
    return (f'<div class="ce"><div class="caption">{e(t.get("caption", ""))}</div>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def names(items: Sequence[str], shown: int = 40) -> str:
    """Student names as chips; past `shown`, the rest folded."""
    chips = [f'<span class="name">{e(n)}</span>' for n in items]
    if len(chips) <= shown:
        return f'<div class="who">{"".join(chips)}</div>'
    return (f'<div class="who">{"".join(chips[:shown])}<details><summary>and {len(chips) - shown:,} more</summary>'
            f'{"".join(chips[shown:])}</details></div>')


def paged(items: Sequence[Any], render: Callable[[Any], str], size: int, what: str, wrap: Callable[[str], str] = str) -> str:
    """Items in folded pages of `size` (`<details>`): the browser lays out only the page opened."""
    out = []
    for start in range(0, len(items), size):
        chunk = items[start:start + size]
        out.append(f'<details class="page"><summary>{what} {start + 1:,}–{start + len(chunk):,} of {len(items):,}'
                   f'</summary>{wrap("".join(render(x) for x in chunk))}</details>')
    return "".join(out)


def data_table(header: Sequence[str], body: str, numeric: Sequence[int] = ()) -> str:
    ths = "".join(f'<th class="num">{e(h)}</th>' if i in numeric else f"<th>{e(h)}</th>" for i, h in enumerate(header))
    return f'<table class="data"><thead><tr>{ths}</tr></thead><tbody>{body}</tbody></table>'


def points(x: Any) -> str:
    """`12`, `7.5`: points as a person writes them (the JSON may say 12.0); anything else as it is."""
    return f"{x:g}" if isinstance(x, (int, float)) and not isinstance(x, bool) else str(x)


def seconds_text(s: float | None) -> str:
    if s is None:
        return "not recorded"
    if s < 90:
        return f"{s:.1f} s"
    return f"{int(s // 60)} min {s % 60:02.0f} s"
