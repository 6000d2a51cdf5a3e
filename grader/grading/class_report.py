"""The class at a glance: one self-contained HTML report for the teaching team, the morning after
a deadline (`grader check ... --report class.html`, or `grader report results.json --out class.html`).

Built from the `--json` document only, so it can be re-made without grading again and data flows
one way (results -> JSON -> report). The page is a declared list of sections (SECTIONS), each a
function of the class; a test swaps one (or the picture step) without patching private names.
Inline CSS and inline SVG charts (grader/pictures/class_charts.py); no script, font or image is
fetched; every name and value a student wrote is escaped (class_page.e). A class of 1,000 stays
responsive: long lists are folded or paged in `<details>`, pictures drawn for the top groups only."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Callable

from grader.engine.results import HIDDEN_ROWS_WITHHELD, CheckResult, Table
from grader.grading import class_data
from grader.grading.class_data import CheckRate, MistakeGroup
from grader.grading.class_page import CSS, ce_table, data_table, e, names, paged, points, seconds_text
from grader.grading.lesson_links import markdown_html, paragraph_for
from grader.grading.report import NOTE_HEADINGS
from grader.pictures import class_charts, picture_for

OPEN_GROUPS = 12  # mistake groups shown open; the rest paged
PICTURED_GROUPS = 6  # groups whose representative counterexample is drawn
GROUP_PAGE = 25
FULL_GROUPS = 200  # groups drawn in full (students, counterexample, lesson); past it, one line each
STUDENT_PAGE = 100
CHART_CHECKS = 30  # checks with failures drawn as bars; every one is in the table below the chart
LOWEST = 10


@dataclass
class ClassView:
    """What every section reads: the JSON document and what is derived from it once."""

    doc: dict
    picture: Callable[[dict], str | None]
    subs: list[dict] = field(init=False)
    graded: list[dict] = field(init=False)
    rates: list[CheckRate] = field(init=False)
    groups: list[MistakeGroup] = field(init=False)
    shown: dict[str, str] = field(init=False)  # student key -> name to show
    titles: dict[str, str] = field(init=False)  # exercise id -> title
    hidden: dict[str, bool] = field(init=False)  # check id -> a hidden check

    def __post_init__(self) -> None:
        self.subs = list(self.doc.get("submissions", []))
        self.graded = [s for s in self.subs if s.get("status") == "graded"]
        self.rates = class_data.check_rates(self.subs)
        self.groups = class_data.mistake_groups(self.subs)
        self.shown = class_data.display_names(self.subs)
        self.titles = {ex["id"]: ex.get("title", "") for s in self.subs for ex in s.get("exercises", [])}
        self.hidden = {r.id: r.hidden for r in self.rates}

    def percent(self, s: dict) -> float:
        return 100 * float(s.get("score") or 0) / float(s["max_score"]) if s.get("max_score") else 0.0


def picture_for_check(check: dict) -> str | None:
    """The representative counterexample's picture (grader/pictures.picture_for), from its JSON form."""
    tables = [Table(t.get("caption", ""), list(t.get("columns", [])), [list(r) for r in t.get("rows", [])], t.get("picture"))
              for t in check.get("tables", [])]
    result = CheckResult(check["name"], check.get("status", "fail"), float(check.get("points") or 0),
                         float(check.get("max_points") or 0), check.get("message", ""), bool(check.get("hidden")), tables)
    return picture_for(result)


# ---------- sections ----------

def header(v: ClassView) -> str:
    grading = v.doc.get("grading") or {}
    bad = [s for s in v.subs if s.get("status") != "graded"]
    pending = sum(r.pending for r in v.rates)
    median = statistics.median([v.percent(s) for s in v.graded]) if v.graded else None
    failing = sum(1 for r in v.rates if r.failures and not r.written)
    cards = [
        (f"{len(v.graded):,}", f"graded of {len(v.subs):,} submissions", ""),
        (f"{median:.0f}%" if median is not None else "—", "median score", ""),
        (f"{len(v.groups):,}", "mistake groups", ""),
        (f"{failing}", "checks someone failed", ""),
        (f"{pending:,}", "written answers to score", "todo" if pending else ""),
        (f"{len(bad):,}", "not graded (invalid, timed out)", "warn" if bad else ""),
    ]
    when = f" on {e(grading['finished_at'])}" if grading.get("finished_at") else ""
    return ("<h1>Week 12 — the class at a glance</h1>"
            f'<p class="sub">{len(v.subs):,} submissions, graded{when}'
            + (f' in {e(seconds_text(grading["seconds"]))}' if grading.get("seconds") is not None else "") + ".</p>"
            '<div class="cards">' + "".join(f'<div class="card {cls}"><b>{val}</b><span>{e(label)}</span></div>'
                                            for val, label, cls in cards) + "</div>"
            '<nav><a href="#scores">Scores</a><a href="#mistakes">Common mistakes</a><a href="#checks">Checks</a>'
            '<a href="#written">Written answers</a><a href="#attention">Not graded &amp; notes</a>'
            '<a href="#students">Every student</a><a href="#timing">Grading time</a></nav>')


def scores(v: ClassView) -> str:
    if not v.graded:
        return ""
    spread: dict[str, list[float]] = {}
    for s in v.graded:
        for ex in s.get("exercises", []):
            if ex.get("max_score"):
                spread.setdefault(ex["id"], []).append(100 * float(ex.get("score") or 0) / float(ex["max_score"]))
    lowest = sorted(v.graded, key=v.percent)[:LOWEST]
    rows = "".join(f"<tr><td>{e(v.shown[class_data.student_key(s)])}</td><td class=\"num\">{v.percent(s):.0f}%</td>"
                   f"<td class=\"num\">{e(points(s.get('score')))} / {e(points(s.get('max_score')))}</td>"
                   f"<td>{e(', '.join(ex['id'] for ex in s.get('exercises', []) if _weak(ex)))}</td></tr>" for s in lowest)
    return ('<h2 id="scores">Scores</h2><div class="charts">'
            f'<div class="panel">{class_charts.score_histogram([v.percent(s) for s in v.graded])}</div>'
            f'<div class="panel">{class_charts.exercise_spread(dict(sorted(spread.items())))}</div></div>'
            f'<details class="panel"><summary>The {len(lowest)} lowest scores: who may need help first</summary>'
            + data_table(["student", "score", "points", "exercises under half"], rows, numeric=(1, 2)) + "</details>")


def _weak(ex: dict) -> bool:
    return bool(ex.get("max_score")) and float(ex.get("score") or 0) < float(ex["max_score"]) / 2


def mistakes(v: ClassView) -> str:
    if not v.groups:
        return '<h2 id="mistakes">Common mistakes</h2><p class="panel">No check failed for anyone.</p>'
    top = v.groups[:OPEN_GROUPS]
    rest = v.groups[OPEN_GROUPS:FULL_GROUPS]
    tail = v.groups[FULL_GROUPS:]
    out = ['<h2 id="mistakes">Common mistakes</h2><p class="muted">Students grouped by what they got wrong in an '
           "exercise: the same failing checks with the same wrong values. Largest groups first; each with one "
           "representative counterexample and where the lesson teaches it.</p>"]
    out.extend(_group(v, g, i < PICTURED_GROUPS) for i, g in enumerate(top))
    if rest:
        out.append(paged(rest, lambda g: _group(v, g, False), GROUP_PAGE, "smaller groups"))
    if tail:  # a class whose every answer is wrong its own way: one line per group keeps the page light
        out.append(f'<p class="muted">{len(tail):,} more groups, one line each (their counterexamples are in the JSON):</p>'
                   + paged(tail, lambda g: _group_line(v, g), 100, "groups",
                           lambda body: data_table(["students", "exercise", "failing checks", "who", "message"], body, (0,))))
    return "".join(out)


def _group_line(v: ClassView, g: MistakeGroup) -> str:
    return (f'<tr><td class="num">{g.size:,}</td><td>{e(g.exercise)}</td><td>{e(", ".join(g.checks))}</td>'
            f'<td>{e(", ".join(v.shown[k] for k in g.students[:20]))}{" …" if g.size > 20 else ""}</td>'
            f"<td>{e(class_data.one_line(_message(g.example)))}</td></tr>")


def _group(v: ClassView, g: MistakeGroup, pictured: bool) -> str:
    c = g.example
    checks = " · ".join(f"<code>{e(i)}</code>" for i in g.ids[:4])
    if len(g.ids) > 4:  # an answer that cannot run fails every check of its exercise alike
        checks += (f" <details><summary>and {len(g.ids) - 4} more checks</summary>"
                   + " · ".join(f"<code>{e(i)}</code>" for i in g.ids[4:]) + "</details>")
    table = "".join(ce_table(t) for t in c.get("tables", [])[:4])
    picture = v.picture(c) if pictured and c.get("tables") else None
    first = v.shown[g.students[0]]
    title = v.titles.get(g.exercise, "")
    return (f'<section class="group"><span class="lost">−{g.points_lost:g} point{"s" if g.points_lost != 1 else ""} each</span>'
            f'<h3><span class="size">{g.size:,}</span> student{"s" if g.size != 1 else ""} · {e(g.exercise)}'
            f'{" — " + e(title) if title else ""}</h3><div class="fails">fail: {checks}</div>'
            f'<p class="msg">{e(_message(c))}</p>'
            f"{names([v.shown[k] for k in g.students])}"
            + (f'<details{" open" if pictured else ""}><summary>Representative counterexample ({e(first)}, '
               f'<code>{e(c["name"])}</code>)</summary>{picture and f"<div class=picture>{picture}</div>" or ""}{table}</details>'
               if table else "")
            + f"{_taught(v, g)}</section>")


def _message(c: dict) -> str:
    """The check's message for the teaching team: the note to students that a hidden check's rows
    are withheld is said once per group, with how to see them."""
    message = str(c.get("message", ""))
    if HIDDEN_ROWS_WITHHELD in message:
        message = message.replace(HIDDEN_ROWS_WITHHELD, "").rstrip() + (
            " [hidden check: its rows are withheld; grade with --feedback-hidden-rows to see them here]")
    return message


def _taught(v: ClassView, g: MistakeGroup) -> str:
    """The lesson paragraphs of the group's checks, the most specific first: hidden checks before
    public ones (each hidden check isolates one mistake), later-declared before earlier (an
    exercise declares its broad check on the sample first); one shown, the rest folded."""
    names_ = sorted(reversed(g.checks), key=lambda n: not v.hidden.get(class_data.check_id(g.exercise, n), False))
    found = []
    for n in names_:
        lesson = paragraph_for(class_data.check_id(g.exercise, n))
        if lesson and lesson not in found:
            found.append(lesson)

    def one(lesson) -> str:
        where = f"§ {e(lesson.heading)}" if lesson.heading else "introduction"
        return (f'<div class="lesson"><span class="where">Taught in {e(lesson.exercise)}, {where}</span>'
                f"{markdown_html(lesson.text)}</div>")

    if not found:
        return ""
    more = (f"<details><summary>{len(found) - 1} more lesson paragraph{'s' if len(found) > 2 else ''} for these checks"
            f"</summary>{''.join(one(x) for x in found[1:])}</details>") if len(found) > 1 else ""
    return one(found[0]) + more


def checks(v: ClassView) -> str:
    auto = [r for r in v.rates if not r.written]
    failing = class_data.ranked([r for r in auto if r.failures])
    clean = [r for r in auto if not r.failures and r.counts.get("pass")]
    unanswered = [r for r in auto if not r.failures and not r.counts.get("pass")]
    out = ['<h2 id="checks">Checks across the class</h2>']
    if failing:
        bars = [(r.id, r.counts) for r in failing[:CHART_CHECKS]]
        out.append(f'<div class="panel">{class_charts.pass_rate_bars(bars)}'
                   + (f'<p class="muted">The {CHART_CHECKS} checks with most failures; all {len(failing)} are in the table.</p>'
                      if len(failing) > CHART_CHECKS else "") + "</div>")
        rows = "".join(_rate_row(v, r) for r in failing)
        out.append('<div class="panel">' + data_table(["check", "pass", "fail", "error", "timeout", "missing", "pass rate",
                                                        "who failed"], rows, numeric=(1, 2, 3, 4, 5, 6)) + "</div>")
    if clean:
        items = "".join(f"<li><code>{e(r.id)}</code> {r.counts.get('pass', 0):,} passed"
                        + (f", {r.counts['missing']:,} not answered" if r.counts.get("missing") else "") + "</li>" for r in clean)
        out.append(f'<details class="panel"><summary>{len(clean)} checks nobody failed</summary><ul>{items}</ul></details>')
    if unanswered:
        items = "".join(f"<li><code>{e(r.id)}</code></li>" for r in unanswered)
        out.append(f'<details class="panel"><summary>{len(unanswered)} checks nobody answered</summary><ul>{items}</ul></details>')
    return "".join(out)


def _rate_row(v: ClassView, r: CheckRate) -> str:
    rate = "—" if r.pass_rate is None else f"{100 * r.pass_rate:.0f}%"
    who = [v.shown[k] for k in r.failed_by]
    folded = f"<details><summary>{len(who):,} students</summary>{names(who, shown=200)}</details>"
    tag = '<span class="tag">hidden</span>' if r.hidden else ""
    return (f"<tr><td><code>{e(r.id)}</code>{tag}</td>"
            + "".join(f'<td class="num">{r.counts.get(s, 0):,}</td>' for s in ("pass", "fail", "error", "timeout", "missing"))
            + f'<td class="num">{rate}</td><td>{folded}</td></tr>')


def written(v: ClassView) -> str:
    rows = [r for r in v.rates if r.written]
    if not rows:
        return ""
    body = "".join(f"<tr><td><code>{e(r.id)}</code></td><td class=\"num\">{r.pending:,}</td>"
                   f"<td class=\"num\">{r.counts.get('pass', 0):,}</td><td class=\"num\">{r.counts.get('fail', 0):,}</td>"
                   f"<td class=\"num\">{r.counts.get('missing', 0):,}</td></tr>" for r in rows)
    return ('<h2 id="written">Written answers</h2><div class="panel"><p class="muted">Answers waiting for your score are '
            "counted apart: never as failures, and out of every pass rate above. Export them with "
            "<code>grader manual export</code>, fill in <code>score</code>, and grade again with <code>--manual</code>.</p>"
            + data_table(["answer", "to score", "scored: full", "scored: less", "not answered"], body,
                         numeric=(1, 2, 3, 4)) + "</div>")


def attention(v: ClassView) -> str:
    bad = [s for s in v.subs if s.get("status") != "graded"]
    notes = list(v.doc.get("notes") or [])
    noted = [s for s in v.subs if s.get("notes")]
    out = ['<h2 id="attention">Not graded, ignored files and notes</h2>']
    if bad:
        rows = "".join(f'<tr class="bad"><td>{e(v.shown[class_data.student_key(s)])}</td><td>{e(s.get("status"))}</td>'
                       f'<td>{e(s.get("reason", ""))}</td><td><code>{e(s.get("path"))}</code></td></tr>' for s in bad)
        out.append('<div class="panel">' + data_table(["student", "status", "reason", "path"], rows) + "</div>")
    else:
        out.append('<p class="panel">Every submission was read and graded.</p>')
    if notes:  # the intake's notes, {"kind", "message"}: grouped by kind, each folded past a few
        by_kind: dict[str, list[str]] = {}
        for n in notes:
            kind, message = (n.get("kind", ""), n.get("message", "")) if isinstance(n, dict) else ("", n)
            by_kind.setdefault(str(kind), []).append(str(message))
        parts = []
        for kind, messages in by_kind.items():
            items = "".join(f"<li>{e(m)}</li>" for m in messages)
            parts.append(f"<details{' open' if len(messages) <= 5 else ''}><summary>{len(messages):,} "
                         f"{e(NOTE_HEADINGS.get(kind, kind or 'notes'))}</summary><ul>{items}</ul></details>")
        out.append(f'<div class="panel"><b>What was handed in but not graded as such</b>{"".join(parts)}</div>')
    if noted:
        rows = "".join(f"<tr><td>{e(v.shown[class_data.student_key(s)])}</td><td>{'<br>'.join(e(n) for n in s['notes'])}</td></tr>"
                       for s in noted)
        out.append(f'<details class="panel"><summary>Notes on {len(noted):,} submission{"" if len(noted) == 1 else "s"}</summary>'
                   + data_table(["student", "notes"], rows) + "</details>")
    return "".join(out)


def students(v: ClassView) -> str:
    ids = sorted({ex["id"] for s in v.subs for ex in s.get("exercises", [])})
    ordered = sorted(v.subs, key=lambda s: v.shown[class_data.student_key(s)].lower())

    def row(s: dict) -> str:
        by = {ex["id"]: ex for ex in s.get("exercises", [])}
        cells = "".join(f'<td class="num">{by[i]["score"]:g}/{by[i]["max_score"]:g}</td>' if i in by else "<td>-</td>" for i in ids)
        pending = f" +{s['manual_pending']:g} to score" if s.get("manual_pending") else ""
        cls = "" if s.get("status") == "graded" else ' class="bad"'
        return (f"<tr{cls}><td>{e(v.shown[class_data.student_key(s)])}</td>{cells}"
                f'<td class="num">{e(points(s.get("score")))}/{e(points(s.get("max_score")))}{e(pending)}</td>'
                f'<td>{e(s.get("status"))}</td></tr>')

    header_row = ["student", *ids, "total", "status"]
    wrap = lambda body: data_table(header_row, body, numeric=tuple(range(1, len(ids) + 2)))  # noqa: E731
    return (f'<h2 id="students">Every student</h2><div class="panel">'
            + paged(ordered, row, STUDENT_PAGE, "students", wrap) + "</div>")


def timing(v: ClassView) -> str:
    grading = v.doc.get("grading") or {}
    per = sorted(((float(s.get("seconds") or 0), s) for s in v.subs), key=lambda x: -x[0])
    facts = [f"The whole run took {e(seconds_text(grading.get('seconds')))}"
             + (f" on {e(grading['workers'])} worker process(es)" if grading.get("workers") else "") + "."]
    if per and any(t for t, _ in per):
        times = [t for t, _ in per]
        facts.append(f"Per submission: median {statistics.median(times):.2f} s, slowest {times[0]:.2f} s "
                     f"({e(v.shown[class_data.student_key(per[0][1])])}).")
    if grading.get("budget_s"):
        facts.append(f"Budget per submission: {e(grading['budget_s'])} s; per statement: {e(grading.get('timeout_s'))} s.")
    return f'<h2 id="timing">Grading time</h2><div class="panel">{"<br>".join(facts)}</div>'


SECTIONS: list[Callable[[ClassView], str]] = [header, scores, mistakes, checks, written, attention, students, timing]


def page(doc: dict, picture: Callable[[dict], str | None] = picture_for_check,
         sections: list[Callable[[ClassView], str]] | None = None) -> str:
    """The whole report for a `--json` document."""
    view = ClassView(doc, picture)
    body = "".join(section(view) for section in (sections or SECTIONS))
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Week 12 — class report ({len(view.subs):,} submissions)</title><style>{CSS}</style></head>"
            f"<body><main>{body}</main></body></html>")
