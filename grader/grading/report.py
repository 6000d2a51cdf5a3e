"""Results -> what people read: HTML (notebook and feedback pages), terminal tables (rich),
JSON (the --json schema) and the CSV gradebook. Nothing here grades."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import tempfile
import re
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult, Table, bound_submission
from grader.pictures import picture_for

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
ICON = {"pass": "✔", "fail": "✘", "error": "⚠", "missing": "…", "manual": "✎", "timeout": "⏱"}
COLOR = {"pass": "#1a7f37", "fail": "#cf222e", "error": "#bc4c00", "missing": "#6e7781", "manual": "#0969da", "timeout": "#bc4c00"}
RICH_STYLE = {"pass": "green", "fail": "red", "error": "dark_orange", "missing": "grey50", "manual": "blue", "timeout": "dark_orange"}


def fmt(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        if value != value:
            return "NaN"
        return f"{value:.6g}"
    return str(value)


def fmt_points(x: float) -> str:
    return f"{x:g}"


def points_text(c: CheckResult) -> str:
    """`2/3`, or `–/3` for a written answer still to be scored (never a 0 nobody gave)."""
    if not c.max_points:
        return "—"
    return f"{'–' if c.pending else fmt_points(c.points)}/{fmt_points(c.max_points)}"


def pending_text(r) -> str:
    """' (+3 written, to be scored)' for a result with written answers waiting, else ''."""
    return f" (+{fmt_points(r.manual_pending)} written, to be scored)" if r.manual_pending else ""


# ---------- HTML ----------

def _cell_html(v: Any) -> str:
    # a timestamp on one line: wrapped, 2025-12-02 23:59:59 took three
    nowrap = ' style="white-space:nowrap"' if isinstance(v, (datetime, date)) or _TIMESTAMP.match(str(v)) else ""
    return f"<td{nowrap}>{html.escape(fmt(v))}</td>"


def _table_html(t: Table) -> str:
    head = "".join(f'<th style="white-space:nowrap">{html.escape(str(c))}</th>' for c in t.columns)
    body = "".join("<tr>" + "".join(_cell_html(v) for v in row) + "</tr>" for row in t.rows)
    # width:0 + min-width:100%: the table never widens the message column past the pane; a wide
    # table scrolls sideways inside it instead of pushing the message out of view
    return (
        f'<div style="margin:4px 0 8px 24px"><div style="font-size:90%;color:#57606a">{html.escape(t.caption)}</div>'
        f'<div style="width:0;min-width:100%;overflow-x:auto">'
        f'<table style="font-size:85%;border-collapse:collapse"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        f"</div></div>"
    )


def check_html(c: CheckResult) -> str:
    color = COLOR.get(c.status, "#000")
    pts = points_text(c)
    tables = "".join(_table_html(t) for t in c.tables)
    picture = picture_html(c)
    if picture:  # a row of its own under the check's, as wide as the whole table: legible, not squeezed
        picture = f'<tr class="picture-row" style="background:transparent"><td></td><td colspan="3" style="text-align:left">{picture}</td></tr>'
    return (
        f'<tr><td style="color:{color};font-weight:bold;white-space:nowrap">{ICON.get(c.status, "")} {c.status}</td>'
        f'<td style="white-space:nowrap"><code>{html.escape(c.name)}</code></td><td style="white-space:nowrap">{pts}</td>'
        f'<td style="text-align:left">{html.escape(c.message)}{tables}</td></tr>{picture}'
    )


def picture_html(c: CheckResult) -> str:
    """The check's picture (a timeline or a day strip, grader/pictures) under its tables, which
    stay for copying and for screen readers; '' when there is nothing to draw."""
    svg = picture_for(c)
    return f'<div class="picture" style="margin:4px 0 8px 0;max-width:900px">{svg}</div>' if svg else ""


def exercise_html(r: ExerciseResult, footer: str = "") -> str:
    rows = "".join(check_html(c) for c in r.checks)
    return (
        f'<div><b>{html.escape(r.id)} — {html.escape(r.title)}</b>: {fmt_points(r.score)} / {fmt_points(r.max_score)}{pending_text(r)}'
        f'<table style="text-align:left"><thead><tr><th>status</th><th>check</th><th>points</th><th style="text-align:left">message</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        + (f'<div style="color:#57606a;font-size:90%">{html.escape(footer)}</div>' if footer else "")
        + "</div>"
    )


def submission_html(r: SubmissionResult) -> str:
    title = f"{html.escape(r.student)}: {fmt_points(r.score)} / {fmt_points(r.max_score)}"
    if r.status == "invalid":
        body = f"<p><b>This submission could not be graded:</b> {html.escape(r.reason or '')}</p>"
    else:
        body = "".join(exercise_html(e) for e in r.exercises)
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in r.notes)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body style='font-family:sans-serif'><h1>{title}</h1>"
        + (f"<ul>{notes}</ul>" if notes else "")
        + body
        + "</body></html>"
    )


# ---------- text ----------

def exercise_text(r: ExerciseResult, footer: str = "") -> str:
    lines = [f"{r.id} — {r.title}: {fmt_points(r.score)} / {fmt_points(r.max_score)}{pending_text(r)}"]
    for c in r.checks:
        lines.append(f"  {ICON.get(c.status, '')} {c.status:<7} {c.name}: {c.message}")
        for t in c.tables:
            lines.append(f"      {t.caption}")
            lines.append("        " + " | ".join(t.columns))
            for row in t.rows:
                lines.append("        " + " | ".join(fmt(v) for v in row))
    if footer:
        lines.append(footer)
    return "\n".join(lines)


FOLD_STUDENTS = 40  # past this many submissions the per-student table folds: the report and the JSON hold every row
TOP_MISTAKES = 5


def print_summary(results: list[SubmissionResult], console=None, report_path: str | None = None,
                  json_path: str | None = None) -> None:
    """Per-student table (the first FOLD_STUDENTS rows in a large class, with a pointer to the
    rest), then the five most common mistakes, one line each: how many students, the checks,
    what went wrong (grader/grading/class_data.py groups them)."""
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    from grader.grading import class_data

    console = console or Console()
    ids = sorted({e.id for r in results for e in r.exercises})
    shown = results if len(results) <= FOLD_STUDENTS else results[:FOLD_STUDENTS]
    t = RichTable(title="Submissions", show_lines=False)
    t.add_column("student", no_wrap=True)
    for i in ids:
        t.add_column(i, justify="right")
    t.add_column("total", justify="right", style="bold")
    t.add_column("status")
    for r in shown:
        by_id = {e.id: e for e in r.exercises}
        cells = [f"{fmt_points(by_id[i].score)}/{fmt_points(by_id[i].max_score)}" if i in by_id else "-" for i in ids]
        status = Text(r.status) if r.status == "graded" else Text.assemble((r.status, "red"), f": {r.reason or ''}")
        if r.late:  # Canvas marked the upload LATE
            status.append(" (late)", "yellow")
        # names and reasons are shown as written, never read as rich markup (`[/oops]`)
        pending = f" +{fmt_points(r.manual_pending)} to score" if r.manual_pending else ""  # written answers
        t.add_row(Text(r.student), *cells, f"{fmt_points(r.score)}/{fmt_points(r.max_score)}{pending}", status)
    console.print(t)
    if len(shown) < len(results):
        where = " and ".join(f"{what} {p}" for what, p in (("the class report", report_path), ("the JSON", json_path)) if p)
        console.print(Text(f"… {len(results) - len(shown):,} more submissions: every row is in "
                           + (where or "the class report (--report FILE.html) and the JSON (--json FILE)")))
    subs = [r.to_dict() for r in results]
    groups = class_data.mistake_groups(subs)
    pending = sum(r.pending for r in class_data.check_rates(subs))
    if groups:
        mt = RichTable(title=f"Most common mistakes (top {min(TOP_MISTAKES, len(groups))} of {len(groups):,} groups)")
        mt.add_column("students", justify="right")
        mt.add_column("check", no_wrap=True)
        mt.add_column("what went wrong", no_wrap=True, overflow="ellipsis")  # one line each
        for g in groups[:TOP_MISTAKES]:
            more = f" +{len(g.checks) - 1}" if len(g.checks) > 1 else ""
            mt.add_row(str(g.size), Text(class_data.check_id(g.exercise, g.example["name"]) + more),
                       Text(class_data.one_line(g.example.get("message", ""))))
        console.print(mt)
        if report_path and len(groups) > TOP_MISTAKES:
            console.print(Text(f"All {len(groups):,} groups, with their students, counterexamples and lessons: {report_path}"))
    else:
        console.print(Text("No mistakes: no check failed for anyone."))
    if pending:
        console.print(Text(f"{pending:,} written answers wait for your score (not counted as failures; "
                           "grader manual export)."))


# ---------- files (written atomically: a crash mid-write leaves the previous file whole) ----------

def atomic_write(path: str | Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_json(results: list[SubmissionResult], grading: dict | None = None, notes: list[dict] | None = None) -> str:
    """Strict JSON (no bare NaN or Infinity, which strict readers reject: they become strings),
    every text writable as UTF-8 (a lone surrogate becomes a visible escape). Beside each
    check's display `name`, its stable `id` (`ex06.window_edges`); each submission's grading
    `seconds`; `checks_across_class` (grader/grading/class_data.py); `grading`, what the run
    says of itself (seconds, workers...), when given. `notes`: what the intake did with the
    delivery ({"kind", "message"}: debris skipped, copies ignored, files grouped, zips or
    members refused, identities unmatched)."""
    from grader.grading import class_data

    subs = [_strict(_with_ids(r)) for r in results]
    doc: dict[str, Any] = {"submissions": subs, "checks_across_class": class_data.checks_across_class(subs)}
    if grading:
        doc["grading"] = _strict(grading)
    if notes is not None:
        doc["notes"] = _strict(notes[:MAX_JSON_NOTES]) + (
            [{"kind": "more", "message": f"… and {len(notes) - MAX_JSON_NOTES:,} more notes"}]
            if len(notes) > MAX_JSON_NOTES else [])
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)


def _with_ids(r: SubmissionResult) -> dict:
    d = r.to_dict()
    d["seconds"] = round(r.seconds, 3)
    for e in d["exercises"]:
        e["checks"] = [{"id": f"{e['id']}.{c['name']}", **c} for c in e["checks"]]
    return d


MAX_JSON_NOTES = 2_000
NOTE_HEADINGS = {"debris": "skipped (not a student's work)", "copy": "ignored (scratch copies, older uploads)",
                 "grouped": "grouped into one student's submission", "split": "class folders split by student",
                 "refused": "refused (unsafe, unreadable or misplaced), each with its reason",
                 "link": "links not followed", "scope": "graded on some exercises only (the scope of a submission)",
                 "unmatched": "submissions the roster or worksheet does not know",
                 "same_name": "names shared by several submissions (graded apart)"}


def _clip(message: str, width: int = 200) -> str:
    """A note for the terminal: long ones end in an ellipsis, never mid-word without a sign
    (the whole note is in --json notes and the class report)."""
    return message if len(message) <= width else message[: width - 1].rstrip() + "…"


def notes_summary(notes, shown: int = 2) -> list[str]:
    """A few lines for the terminal: per kind of note, how many and the first ones."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for n in notes:
        by_kind[n.kind].append(n.message)
    lines = []
    for kind, messages in by_kind.items():
        if kind in ("split", "link", "refused"):  # said as they happened
            continue
        head = f"{len(messages)} {NOTE_HEADINGS.get(kind, kind)}: " if len(messages) > 1 else ""
        rest = f" (… {len(messages) - shown} more in --json notes)" if len(messages) > shown else ""
        lines.append(head + "; ".join(_clip(m) for m in messages[:shown]) + rest)
    return lines


def _strict(value: Any) -> Any:
    import math

    from grader.engine.results import safe_text

    if isinstance(value, dict):
        return {_strict(k): _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, str):
        return safe_text(value, paths=False)
    return value


GRADEBOOK_FIXED = ["student", "path"]


def csv_cell(value) -> str:
    """A CSV cell a spreadsheet shows as text, never runs: text starting with = + - @ (or a
    tab/CR) gets a leading apostrophe (OWASP's CSV-injection rule); numbers stay numbers.
    For every cell that can carry what a student wrote (a name, a file name, an answer)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def relative_path(path: str, base: str | Path | None) -> str:
    """A submission's path relative to the graded folder (what an instructor can share and
    re-run from anywhere); unchanged when it is not under `base`."""
    if base is None:
        return str(path)
    try:
        return Path(path).resolve().relative_to(Path(base).resolve()).as_posix() or "."
    except ValueError:
        return str(path)


def graded_folder(paths) -> Path:
    """The folder a `grader check PATH...` run graded: the common folder of its arguments."""
    dirs = [Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent for p in paths]
    return Path(os.path.commonpath([str(d) for d in dirs])) if dirs else Path.cwd()


def merge_gradebook(existing_csv: str | None, results: list[SubmissionResult], base: str | Path | None = None) -> str:
    """The gradebook after this run: rows for these submissions replace their earlier rows
    (matched by path, relative to `base`, the graded folder), other rows are kept. One row per
    student, one column per exercise; `manual_pending` holds the points of written answers
    still to be scored (left out of total and max, never counted as 0)."""
    ids = sorted({e.id for r in results for e in r.exercises})
    rows: dict[str, dict] = {}
    header: list[str] = []
    if existing_csv:
        reader = csv.DictReader(io.StringIO(existing_csv))
        header = list(reader.fieldnames or [])
        for row in reader:
            rows[row.get("path", "")] = row
    for r in results:
        by_id = {e.id: e for e in r.exercises}
        row = {"student": csv_cell(r.student), "path": csv_cell(relative_path(r.path, base))}
        for i in ids:
            row[i] = fmt_points(by_id[i].score) if i in by_id else ""
        row["total"] = fmt_points(r.score)
        row["max"] = fmt_points(r.max_score)
        row["manual_pending"] = fmt_points(r.manual_pending) if r.manual_pending else ""
        row["status"] = csv_cell(r.status)
        rows[row["path"]] = row
    columns = GRADEBOOK_FIXED + sorted({*ids, *(h for h in header if h.startswith("ex"))}) + ["total", "max", "manual_pending", "status"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for key in sorted(rows, key=lambda k: (rows[k].get("student", ""), k)):
        writer.writerow(rows[key])
    return out.getvalue()


def write_gradebook(path: str | Path, results: list[SubmissionResult], base: str | Path | None = None) -> None:
    path = Path(path)
    existing = path.read_text(encoding="utf-8") if path.exists() else None
    atomic_write(path, merge_gradebook(existing, [bound_submission(r) for r in results], base))


MAX_FILE_STEM = 60


def feedback_names(results: list[SubmissionResult]) -> list[str]:
    """One file name per submission: unique (also on case-insensitive disks), at most
    MAX_FILE_STEM characters of ASCII letters, digits, `-` and `_`, never hidden or empty.
    A name that had to be changed to fit carries a short hash of the submission's path, so
    `a/b` and `a_b` and `a_b-2` never meet."""
    import hashlib

    used: set[str] = set()
    names = []
    for r in results:
        student = r.student if isinstance(r.student, str) else str(r.student)
        base = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_" else "_" for ch in student)
        base = base.strip("_-")[:MAX_FILE_STEM] or "student"
        if base != student:
            digest = hashlib.sha256(str(r.path).encode("utf-8", "surrogatepass") + b"\0"
                                    + student.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            base = f"{base[:MAX_FILE_STEM - 9]}-{digest}"
        name, n = base, 1
        while name.lower() in used:
            n += 1
            name = f"{base}~{n}"  # `~` never comes out of the rule above: no clash with a student's name
        used.add(name.lower())
        names.append(name)
    return names
