"""A day strip: one row per job run, crash trial, backfill or schedule; one column per as-of day.

How to read it:
- a filled square is a day that row wrote (or, after a crash, a day whose rows are there);
- an outlined square is a day the row was meant to cover (a backfill's range), a grey one a
  day that was done before the run;
- a red square with a cross is a day LOST (the watermark passed it and its rows are not
  there, or it is never written), an orange "×2" a day written twice (duplicated keys), an
  orange "≠" a day whose rows are wrong;
- ▼ marks where the watermark (feature_job_control.last_as_of_ts) stands after that row, an
  arrow where it moved from; "crash" names the statement after which the process died.

The data is the `picture` of a table the job harness attaches (grader/course/harness/strips.py):
{"kind": "days", "days": [ISO day...], "rows": [{"label", "cells": {day: state}, "watermark",
"from", "crash", "note"}]}; the table's rows say the same in words.
"""

from __future__ import annotations

from datetime import date, timedelta

from grader.pictures.read import picture_data, text, timestamp
from grader.pictures.svg import COLOURS, figure, figure_svg

MAX_ROWS = 12
MAX_DAYS = 21
WIDTH = 880
STATES = {
    # state: (face, edge, hatch, mark, words for the description)
    "done": ("#d8dee4", "#afb8c1", "", "", "done before"),
    "planned": ("white", "#57606a", "", "", "to be written"),
    "wrote": (COLOURS["ok"], COLOURS["ok"], "", "", "wrote"),
    "missing": ("#ffebe9", "#cf222e", "xx", "", "lost"),
    "duplicated": (COLOURS["accent"], "#9a6700", "", "×2", "duplicated"),
    "wrong": ("#fff1d6", "#9a6700", "", "≠", "wrong rows"),
    "changed": ("#fff1d6", "#9a6700", "//", "≠", "changed (should be left alone)"),
}


def _day(value) -> date | None:
    t = timestamp(value)
    return t.date() if t is not None else None


def strip_rows(data: dict) -> tuple[list[date], list[dict]]:
    """The days (a contiguous range) and rows of a picture's data, read defensively."""
    rows = data.get("rows") if isinstance(data.get("rows"), list) else []
    read = []
    days: set[date] = {d for d in map(_day, data.get("days") or []) if d} if isinstance(data.get("days"), list) else set()
    for r in rows[:MAX_ROWS]:
        if not isinstance(r, dict):
            continue
        cells = {}
        for k, v in (r.get("cells") or {}).items() if isinstance(r.get("cells"), dict) else []:
            d = _day(k)
            if d is not None and v in STATES:
                cells[d] = v
        row = {"label": text(r.get("label", ""), 44), "cells": cells, "watermark": _day(r.get("watermark")),
               "from": _day(r.get("from")), "crash": text(r.get("crash"), 60) if r.get("crash") else "",
               "note": text(r.get("note"), 40) if r.get("note") else ""}
        days |= set(cells) | {d for d in (row["watermark"], row["from"]) if d}
        read.append(row)
    if not days or not read:
        return [], []
    first, last = min(days), max(days)
    if (last - first).days >= MAX_DAYS:  # keep the end of the range: where the runs write
        first = last - timedelta(days=MAX_DAYS - 1)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)], read


def draw(data: dict, title: str = "Which as-of days each run wrote") -> str | None:
    from matplotlib.patches import FancyArrowPatch, Rectangle

    days, rows = strip_rows(data)
    if not days:
        return None
    col = {d: i for i, d in enumerate(days)}
    height = 80 + 44 * len(rows)
    described = []
    with figure(WIDTH, height) as fig:
        ax = fig.add_axes((0.27, 50 / height, 0.44, 1 - 84 / height))
        ax.set_xlim(-0.6, len(days) - 0.4)
        ax.set_ylim(len(rows) - 0.4, -0.9)
        for y, row in enumerate(rows):
            words = []
            for d, state in sorted(row["cells"].items()):
                if d not in col:
                    continue
                face, edge, hatch, mark, said = STATES[state]
                ax.add_patch(Rectangle((col[d] - 0.42, y - 0.32), 0.84, 0.64, facecolor=face, edgecolor=edge,
                                       hatch=hatch or None, lw=1.4))
                if mark:
                    ax.text(col[d], y, mark, ha="center", va="center", fontsize=9, fontweight="bold", color="#3d2b00")
                words.append(f"{d:%m-%d} {said}")
            wm, frm = row["watermark"], row["from"]
            if wm in col:
                ax.plot([col[wm]], [y - 0.42], marker="v", ms=8, color="#1f2328", zorder=5, clip_on=False)
                if frm in col and frm != wm:
                    ax.add_patch(FancyArrowPatch((col[frm], y - 0.42), (col[wm], y - 0.42), arrowstyle="-|>",
                                                 mutation_scale=9, color="#57606a", lw=1, shrinkA=2, shrinkB=6))
                words.append(f"watermark {wm:%m-%d}" + (f" (was {frm:%m-%d})" if frm and frm != wm else ""))
            label = row["label"]
            bad = any(s in ("missing", "duplicated", "wrong", "changed") for s in row["cells"].values())
            ax.text(-0.75, y - (0.12 if row["crash"] else 0), label, ha="right", va="center", fontsize=8,
                    color=COLOURS["wrong"] if bad else "#1f2328", fontweight="bold" if bad else "normal")
            if row["crash"]:
                ax.text(-0.75, y + 0.26, text(row["crash"], 34), ha="right", va="center", fontsize=6.5,
                        color="#57606a", family="monospace")
            if row["note"]:
                ax.text(len(days) - 0.3, y, row["note"], ha="left", va="center", fontsize=7.5, color="#57606a")
            described.append(f"{label}: " + (", ".join(words) or "wrote nothing"))
        ax.set_xticks(range(len(days)))
        ax.set_xticklabels([f"{d:%m-%d}" for d in days], fontsize=7.5)
        ax.xaxis.tick_top()
        ax.set_yticks([])
        for side in ("left", "bottom", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="x", length=0)
        _legend(fig, {s for r in rows for s in r["cells"].values()}, any(r["watermark"] for r in rows))
        return figure_svg(fig, title, "; ".join(described)[:1500], tight=False)


def _legend(fig, states: set[str], watermark: bool) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=STATES[s][0], edgecolor=STATES[s][1], hatch=STATES[s][2] or None,
                     label=STATES[s][4] + (f" ({STATES[s][3]})" if STATES[s][3] else ""))
               for s in STATES if s in states]
    if watermark:
        handles.append(Line2D([], [], marker="v", ls="none", color="#1f2328", ms=8, label="watermark after"))
    fig.legend(handles=handles, loc="lower center", ncol=max(1, len(handles)), frameon=False, fontsize=7.5,
               bbox_to_anchor=(0.5, 0.0), handletextpad=0.4, columnspacing=1.2)


def from_tables(tables: list) -> str | None:
    data = picture_data(tables, "days")
    return draw(data) if data else None

