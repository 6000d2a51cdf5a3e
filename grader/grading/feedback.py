"""The feedback page a student receives (`grader check --feedback DIR`): one self-contained HTML
file per submission.

It leads with the total and one line per exercise, then each handed-in exercise with its
failing checks first (with their counterexamples), written answers waiting for the instructor
next, passed checks last and folded. Exercises the student did not hand in take one line.
Inline CSS only: no script, font, image or stylesheet is fetched, so the page reads the same
from an LMS, an e-mail attachment or a laptop offline. Everything that comes from a student
(name, path, messages quoting their SQL, table cells) is escaped.

Hidden checks' fixture rows are the hidden data itself: by default a student sees a hidden
check's message only (`hidden_rows=False`); an instructor may opt in (`--feedback-hidden-rows`).
A check's picture (a timeline or day strip under its tables) is drawn from those same tables,
so a hidden check's rows withheld means no picture either.
That rule, and the bounds on every text, are results.bound_submission's: one mechanism for the
page, the JSON and the platforms.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from grader.grading.report import atomic_write, feedback_names, fmt, fmt_points, picture_html, points_text
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult, Table, bound_submission

# Failing first: what the student can act on. Then what waits for a person, then what passed.
ORDER = {"fail": 0, "error": 1, "timeout": 2, "missing": 3, "manual": 4, "pass": 5}
LABEL = {"pass": "passed", "fail": "failed", "error": "error", "timeout": "timed out", "missing": "missing",
         "manual": "to be scored"}
ICON = {"pass": "✔", "fail": "✘", "error": "⚠", "missing": "…", "manual": "✎", "timeout": "⏱"}

CSS = """
:root { color-scheme: light; }
body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1f2328; background: #fff; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; padding-bottom: .25rem; border-bottom: 1px solid #d0d7de;
     display: flex; flex-wrap: wrap; align-items: baseline; column-gap: 1rem; }
/* a long title wraps its score to a line of its own, inside the heading (a float overlapped the first check) */
h2 .pts { float: none; margin-left: auto; }
.total { font-size: 2.4rem; font-weight: 700; margin: .5rem 0 0; }
.total small { font-size: 1rem; font-weight: 400; color: #57606a; }
.note { color: #57606a; font-size: .95rem; margin: .25rem 0; }
.invalid { border-left: 4px solid #cf222e; background: #fff5f5; padding: .75rem 1rem; }
table { border-collapse: collapse; }
.summary { width: 100%; margin: 1rem 0; }
.summary th.num { text-align: right; }
.summary th, .summary td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #eaeef2; vertical-align: top; }
.summary td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; width: 6rem; height: .55rem; background: #eaeef2; border-radius: .3rem; vertical-align: middle; }
.bar span { display: block; height: 100%; background: #1a7f37; border-radius: .3rem; }
.check { margin: .75rem 0; padding: .6rem .9rem; border-left: 4px solid #d0d7de; background: #f6f8fa; }
.check.fail, .check.error, .check.timeout { border-color: #cf222e; background: #fff8f8; }
.check.missing { border-color: #8c959f; }
.check.manual { border-color: #0969da; background: #f3f8ff; }
.check .head { font-weight: 600; }
.check .head code { font-weight: 600; }
.status { display: inline-block; min-width: 6.5rem; margin-right: .6rem; }
.status.fail, .status.error, .status.timeout { color: #cf222e; }
.status.pass { color: #1a7f37; }
.status.manual { color: #0969da; }
.status.missing { color: #57606a; }
.pts { float: right; font-variant-numeric: tabular-nums; color: #57606a; }
.msg { margin: .3rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.tag { font-size: .75rem; border: 1px solid #d0d7de; border-radius: 1rem; padding: 0 .45rem; color: #57606a; margin-left: .4rem; font-weight: 400; }
.ce { margin: .6rem 0 .2rem; overflow-x: auto; }
.ce .caption { font-size: .9rem; color: #57606a; margin-bottom: .2rem; }
.ce table { font: .85rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #fff; }
.ce th, .ce td { border: 1px solid #d0d7de; padding: .15rem .5rem; text-align: left; white-space: nowrap; }
.ce th { background: #f6f8fa; }
.ce tr.expected td:first-child { color: #1a7f37; font-weight: 600; }
.ce tr.got td:first-child { color: #cf222e; font-weight: 600; }
details.passed { margin: .75rem 0; }
details.passed summary { cursor: pointer; color: #1a7f37; }
details.passed ul { margin: .3rem 0; padding-left: 1.2rem; }
.notin { color: #57606a; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .92em; }
"""


def handed_in(e: ExerciseResult) -> bool:
    """Whether the student answered anything of this exercise (every check `missing` = no)."""
    return any(c.status != "missing" for c in e.checks)


def _bar(score: float, max_score: float) -> str:
    width = 0 if not max_score else max(0, min(100, round(100 * score / max_score)))
    return f'<span class="bar" aria-hidden="true"><span style="width:{width}%"></span></span>'


def _table(t: Table) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in t.columns)
    rows = []
    for row in t.rows:
        first = str(row[0]) if row else ""
        cls = f' class="{first}"' if first in ("expected", "got") else ""
        rows.append(f"<tr{cls}>" + "".join(f"<td>{escape(fmt(v))}</td>" for v in row) + "</tr>")
    return (f'<div class="ce"><div class="caption">{escape(t.caption)}</div>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _check(c: CheckResult) -> str:
    tags = '<span class="tag">hidden check</span>' if c.hidden else ""
    if c.scored_by:
        tags += f'<span class="tag">scored by your {escape(c.scored_by)}</span>'
    return (
        f'<div class="check {escape(c.status)}"><div class="head">'
        f'<span class="status {escape(c.status)}">{ICON.get(c.status, "")} {escape(LABEL.get(c.status, c.status))}</span>'
        f'<code>{escape(c.name)}</code>{tags}<span class="pts">{escape(points_text(c))}</span></div>'
        f'<p class="msg">{escape(c.message)}</p>{"".join(_table(t) for t in c.tables)}{picture_html(c)}</div>'
    )


def _score(r) -> str:
    pending = f" (+{fmt_points(r.manual_pending)} written, to be scored)" if r.manual_pending else ""
    return f"{fmt_points(r.score)} / {fmt_points(r.max_score)}{pending}"


def _exercise(e: ExerciseResult) -> str:
    checks = sorted(e.checks, key=lambda c: ORDER.get(c.status, 9))  # stable: declaration order within a status
    open_ = [c for c in checks if c.status != "pass"]
    passed = [c for c in checks if c.status == "pass"]
    body = "".join(_check(c) for c in open_)
    if passed:
        items = "".join(f"<li><code>{escape(c.name)}</code> {escape(points_text(c))}"
                        f"{': ' + escape(c.message) if c.message.strip() else ''}</li>" for c in passed)
        body += (f'<details class="passed"{" open" if not open_ else ""}><summary>✔ {len(passed)} check(s) passed'
                 f"</summary><ul>{items}</ul></details>")
    return (f'<section id="{escape(e.id)}"><h2>{escape(e.id)} — {escape(e.title)} '
            f'<span class="pts">{escape(_score(e))}</span></h2>{body}</section>')


def _summary_row(e: ExerciseResult) -> str:
    failing = sum(c.status in ("fail", "error", "timeout", "missing") for c in e.checks)
    waiting = sum(c.status == "manual" for c in e.checks)
    parts = [f"{failing} to fix" if failing else "all checks passed"]
    if waiting:
        parts.append(f"{waiting} written answer(s) to be scored")
    state = escape(", ".join(parts))
    link = f'<a href="#{escape(e.id)}">{escape(e.id)}</a>'
    return (f"<tr><td>{link}</td><td>{escape(e.title)}</td><td class=\"num\">{escape(_score(e))}</td>"
            f"<td>{_bar(e.score, e.max_score)}</td><td>{state}</td></tr>")


def page(r: SubmissionResult, hidden_rows: bool = False, title: str = "Week 12 workbook") -> str:
    """The whole feedback page for one submission."""
    r = bound_submission(r, show_hidden_rows=hidden_rows)  # hidden rows withheld unless opted in; texts bounded
    who = escape(r.student)
    head = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{who}: {escape(_score(r))} — {escape(title)}</title><style>{CSS}</style></head><body><main>")
    parts = [head, f"<h1>{escape(title)}: feedback for {who}</h1>"]
    if r.status == "invalid":
        parts.append(f'<div class="invalid"><b>This submission could not be graded.</b> {escape(r.reason or "")}'
                     "<br>Nothing in it was scored; fix the file and hand it in again.</div>")
    else:
        parts.append(f'<p class="total" id="total">{fmt_points(r.score)} / {fmt_points(r.max_score)}'
                     + (f' <small>+ {fmt_points(r.manual_pending)} points of written answers, to be scored by your instructor</small>'
                        if r.manual_pending else "") + "</p>")
        parts.append('<p class="note">Includes the hidden checks your instructor grades with (other data, other traps).</p>'
                     if any(c.hidden for e in r.exercises for c in e.checks) else
                     '<p class="note">Public checks only.</p>')
    parts.extend(f'<p class="note">{escape(n)}</p>' for n in r.notes)
    if r.exercises:
        done = [e for e in r.exercises if handed_in(e)]
        missing = [e for e in r.exercises if not handed_in(e)]
        rows = "".join(_summary_row(e) for e in done)
        if missing:  # folded: one line for every exercise with no answer at all
            # no notebook for them, or one whose cells were left untouched: either way, nothing answered
            ids = ", ".join(e.id for e in missing)
            rows += (f'<tr class="notin" id="not-handed-in"><td colspan="2">nothing answered: {escape(ids)}</td>'
                     f'<td class="num">0 / {fmt_points(sum(e.max_score for e in missing))}</td><td></td>'
                     '<td>no answer found (no notebook, or its answer cells untouched)</td></tr>')
        parts.append('<table class="summary" id="summary"><thead><tr><th>exercise</th><th>title</th>'
                     f'<th class="num">points</th><th></th><th>state</th></tr></thead><tbody>{rows}</tbody></table>')
        parts.extend(_exercise(e) for e in done)
    parts.append("</main></body></html>")
    return "".join(parts)


def write_feedback(folder: str | Path, results: list[SubmissionResult], hidden_rows: bool = False) -> list[Path]:
    """One page per submission, named by report.feedback_names; hidden checks' fixture rows only if `hidden_rows`."""
    folder = Path(folder)
    out = []
    for name, r in zip(feedback_names(results), results):
        path = folder / f"{name}.html"
        atomic_write(path, page(bound_submission(r, hidden_rows), hidden_rows=hidden_rows))
        out.append(path)
    return out
