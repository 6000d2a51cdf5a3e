"""A timeline of a counterexample's events: one lane per (user, item) pair, one panel per as-of
time, the course's 7-day window `(as_of_ts - 7 days, as_of_ts]` shaded.

How to read it:
- each event is a mark on its lane at its event_ts, its shape and colour its type (click ▲,
  view ●, impression ■, any other type ◆), so it reads without colour too;
- a FILLED mark is an event the course counts at that as-of time (inside the window, first
  copy of its event_id); a HOLLOW mark is one it does not count (outside the window, or a
  retried copy of an event already counted);
- the window's left edge is dashed with an open circle (as_of_ts - 7 days itself is outside),
  its right edge solid with a filled circle (as_of_ts itself is inside);
- copies of one event_id are stacked on their lane and labelled "×2 retry";
- beside each lane: what the course counts, and what the answer returned when the check's
  tables say so. Which of the events an answer counted is not known (only its counts are), so
  the picture never marks events as "yours"; it says "yours: same" only when the check compared
  the answer with the course's definition and found no difference for that lane.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from grader.domain import semantics
from grader.pictures.read import COUNT_COLUMNS, Counts, Event, Rows, key, shift, text
from grader.pictures.svg import COLOURS, figure, figure_svg

MAX_PANELS = 2  # as-of times drawn (the ones the difference is about come first)
MAX_LANES = 6
WIDTH = 880  # px: fits a JupyterLab notebook pane; the SVG scales down with it
REACH = timedelta(days=10)  # events further than this outside a window are drawn at the edge
MARKER = {"click": "^", "view": "o", "impression": "s", "other": "D"}
NAME = {"clicks_7d": ("click", "clicks"), "views_7d": ("view", "views"), "impressions_7d": ("impression", "impressions")}
FMT = "%Y-%m-%d %H:%M:%S"
NEAR = 0.045  # of the axis' width: a mark and its "#id" label


@dataclass
class Lane:
    user: object
    item: object
    events: list[Event] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return (self.user, self.item)


def lanes_of(events: list[Event]) -> list[Lane]:
    lanes: dict[tuple, Lane] = {}
    for e in events:
        lanes.setdefault((e.user, e.item), Lane(e.user, e.item)).events.append(e)
    return sorted(lanes.values(), key=lambda lane: (text(lane.user), text(lane.item)))


def course_counted(events: list[Event], as_of: datetime) -> set[int]:
    """Indexes (into `events`) of the events the course counts at `as_of`: the first copy of
    each event_id (semantics.dedup), inside semantics.in_window."""
    seen, out = set(), set()
    for i, e in enumerate(events):
        if e.event_id in seen:
            continue
        seen.add(e.event_id)
        try:
            inside = semantics.in_window(e.ts, as_of)
        except OverflowError:
            inside = False
        if inside:
            out.add(i)
    return out


def counts_text(counts: Counts | None, columns: list[str]) -> str:
    if counts is None:
        return "no row (no event in the window)"
    if not columns:  # a grid of pairs: a row or none
        return "in the grid"
    parts = []
    for c in columns:
        v = counts.values.get(c)
        one, many = NAME.get(c, (c, c))
        parts.append(f"{'?' if v is None else v} {one if v == 1 else many}")
    return ", ".join(parts)


def course_counts(lane: Lane, counted: set[int], index: dict[int, int], columns: list[str]) -> Counts | None:
    mine = [e for e in lane.events if index[id(e)] in counted]
    if not mine:
        return None  # no event in the window: the pair is not on the grid at this time
    values = {"clicks_7d": sum(e.kind == "click" for e in mine), "views_7d": sum(e.kind == "view" for e in mine),
              "impressions_7d": len(mine)}
    return Counts({c: values[c] for c in columns if c in values})


def yours_text(lane: Lane, as_of: datetime | None, rows: Rows, course: Counts | None, columns: list[str]) -> str | None:
    """What the answer returned for this lane at this time, or None when the tables do not say."""
    for when in (as_of, None):  # rows without an as_of_ts column (a grid at one as-of time)
        k = (key(lane.user), key(lane.item), when)
        if k in rows.yours:
            return counts_text(rows.yours[k], columns) if columns else "returned the pair"
        if k in rows.yours_missing:
            return "no row"
    if rows.any_diff and rows.against_course:
        return "same as the course"
    return None


def _window_edges(ax, as_of: datetime, start: datetime, top: float) -> None:
    colour = COLOURS["window"]
    ax.axvspan(start, as_of, color=colour, alpha=0.16, lw=0, zorder=0)
    ax.axvline(start, color="#3d7ea6", lw=1.2, ls=(0, (4, 3)), zorder=1)
    ax.axvline(as_of, color="#1f4e6b", lw=2.0, zorder=1)
    ax.plot([start], [top], marker="o", ms=7, mfc="white", mec="#3d7ea6", mew=1.6, clip_on=False, zorder=5)
    ax.plot([as_of], [top], marker="o", ms=7, mfc="#1f4e6b", mec="#1f4e6b", clip_on=False, zorder=5)
    ax.annotate("as_of − 7 d (not counted)", (start, top), xytext=(6, 2), textcoords="offset points",
                fontsize=7.5, color="#3d7ea6", va="bottom", ha="left", annotation_clip=False)
    ax.annotate("as_of_ts (counted)", (as_of, top), xytext=(-6, 2), textcoords="offset points",
                fontsize=7.5, color="#1f4e6b", va="bottom", ha="right", annotation_clip=False)


def _draw_lane(ax, y: int, lane: Lane, counted: set[int], index: dict[int, int], lo: datetime, hi: datetime) -> None:
    copies: dict[object, int] = {}
    placed: list[tuple[float, int]] = []  # (position as a share of the axis, level) of marks drawn
    span = (hi - lo).total_seconds() or 1.0
    for e in sorted(lane.events, key=lambda e: e.ts):
        n = copies.get(e.event_id, 0)
        copies[e.event_id] = n + 1
        share = min(max((e.ts - lo).total_seconds() / span, 0.0), 1.0)
        # marks (and their labels) closer than NEAR share a column: stacked up and down the lane
        taken = {lvl for pos, lvl in placed if abs(pos - share) < NEAR}
        level = next(i for i in range(len(placed) + 1) if i not in taken)
        placed.append((share, level))
        x, note = e.ts, ""
        if e.ts < lo:
            x, note = lo, f"← {e.ts:%Y-%m-%d}"
        elif e.ts > hi:
            x, note = hi, f"{e.ts:%Y-%m-%d} →"
        filled = index[id(e)] in counted
        colour = COLOURS.get(e.kind, COLOURS["other"])
        yy = y + (0.26 * ((level + 1) // 2) * (1 if level % 2 else -1))
        ax.plot([x], [yy], marker=MARKER[e.kind], ms=9, mfc=colour if filled else "white", mec=colour, mew=1.8,
                ls="none", zorder=4)
        label = f"#{text(e.event_id, 10)}" + (" retry" if n else "") + (f" {note}" if note else "")
        ax.annotate(label, (x, yy), xytext=(7, -1), textcoords="offset points", fontsize=7, color="#444",
                    va="center", ha="left", annotation_clip=False)


def _axis_range(events: list[Event], times: list[datetime]) -> tuple[datetime, datetime] | None:
    starts = [shift(t, -semantics.WINDOW) for t in times]
    if any(s is None for s in starts):
        return None
    lo = shift(min(starts), -timedelta(hours=18))
    hi = shift(max(times), timedelta(hours=18))
    if lo is None or hi is None:
        return None
    near = [e.ts for e in events if shift(lo, -REACH) is not None and shift(hi, REACH) is not None
            and shift(lo, -REACH) <= e.ts <= shift(hi, REACH)]
    if near:
        lo, hi = min([lo, min(near) - timedelta(hours=6)]), max([hi, max(near) + timedelta(hours=6)])
    return lo, hi


def _days_axis(ax, lo: datetime, hi: datetime) -> None:
    """Midnights as ticks, each day's name in the middle of its day: an as-of time of 23:59:59
    then sits at the end of its own day's label, not under the next day's. Fixed positions (not
    matplotlib's date locators, which cost most of a picture's time)."""
    from matplotlib import dates as mdates
    from matplotlib.ticker import FixedFormatter, FixedLocator, NullFormatter

    first = datetime(lo.year, lo.month, lo.day)
    days = max(1, (hi - first).days + 1)
    step = max(1, -(-days // 14))  # at most ~14 labels
    mids = [first + timedelta(days=i, hours=12) for i in range(0, days, step) if lo <= first + timedelta(days=i, hours=12) <= hi]
    nights = [first + timedelta(days=i) for i in range(0, days + 1, step) if lo <= first + timedelta(days=i) <= hi]
    fmt = "%m-%d" if (hi - lo) <= timedelta(days=300) else "%Y-%m-%d"
    ax.xaxis.set_major_locator(FixedLocator(mdates.date2num(nights)))
    ax.xaxis.set_major_formatter(NullFormatter())
    ax.xaxis.set_minor_locator(FixedLocator(mdates.date2num(mids)))
    ax.xaxis.set_minor_formatter(FixedFormatter([f"{d:{fmt}}" for d in mids]))
    ax.tick_params(axis="x", which="minor", length=0, labelsize=7.5)


def _legend(fig, kinds: set[str], skipped: int, answer: bool) -> None:
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker=MARKER[k], ls="none", ms=8, mfc=COLOURS[k], mec=COLOURS[k], label=k)
               for k in ("click", "view", "impression", "other") if k in kinds]
    handles += [Line2D([], [], marker="o", ls="none", ms=8, mfc="#555", mec="#555", label="filled: counted by the course"),
                Line2D([], [], marker="o", ls="none", ms=8, mfc="white", mec="#555", mew=1.5, label="hollow: not counted")]
    if skipped:
        handles.append(Line2D([], [], ls="none", label=f"{skipped} row(s) not drawn"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=7.5,
               bbox_to_anchor=(0.5, 0.035 if answer else 0.0), handletextpad=0.3, columnspacing=1.2)
    if answer:
        fig.text(0.5, 0.004, "course: what the course's definition gives on these events.   yours: what your answer "
                 "returned for the pair (the picture cannot tell which events it counted).",
                 fontsize=7, color="#57606a", ha="center", va="bottom")


def draw(events: list[Event], as_of_times: list[datetime], rows: Rows | None = None, skipped: int = 0,
         title: str = "The events on a time axis, with the course's 7-day window") -> str | None:
    """The timeline as inline SVG, or None when there is nothing to draw (no event, no as-of
    time). `rows`: the answer's rows from the check's difference tables (None in a lesson,
    which shows the course's definition only)."""
    times = [t for t in dict.fromkeys(as_of_times) if shift(t, -semantics.WINDOW) is not None][:MAX_PANELS]
    if not events or not times:
        return None
    lanes = lanes_of(events)
    hidden_lanes = max(0, len(lanes) - MAX_LANES)
    lanes = lanes[:MAX_LANES]
    shown = [e for lane in lanes for e in lane.events]
    rng = _axis_range(shown, times)
    if rng is None:
        return None
    lo, hi = rng
    index = {id(e): i for i, e in enumerate(events)}
    # the answer's columns: counts, or none at all (a grid of pairs, Exercise 11)
    columns = rows.value_columns if rows is not None and rows.any_diff else list(COUNT_COLUMNS)
    # Laid out in pixels: each panel is its title (40), its lanes (34 each), its day labels (26).
    lanes_h, title_h, ticks_h, bottom_h = 34 * len(lanes) + 16, 40, 26, 62
    panel_h = title_h + lanes_h + ticks_h
    height = panel_h * len(times) + bottom_h
    with figure(WIDTH, height) as fig:
        axes = []
        for i in range(len(times)):
            y0 = height - (i + 1) * panel_h + ticks_h  # the bottom of this panel's lanes, from the figure's bottom
            axes.append(fig.add_axes((0.16, y0 / height, 0.53, lanes_h / height), sharex=axes[0] if axes else None))
        described = []
        for ax, as_of in zip(axes, times):
            counted = course_counted(events, as_of)
            start = as_of - semantics.WINDOW
            top = len(lanes) - 0.35
            ax.set_ylim(-0.75, top)
            ax.set_xlim(lo, hi)
            _window_edges(ax, as_of, start, top)
            for y, lane in enumerate(reversed(lanes)):
                _draw_lane(ax, y, lane, counted, index, lo, hi)
                course = course_counts(lane, counted, index, columns)
                said = f"course: {counts_text(course, columns)}"
                mine = yours_text(lane, as_of, rows, course, columns) if rows else None
                differs = mine is not None and mine not in ("same as the course", counts_text(course, columns))
                trans = ax.get_yaxis_transform()
                ax.text(1.06, y + 0.13, said, transform=trans, fontsize=7.5, va="center", ha="left", color="#1f4e6b")
                if mine is not None:
                    ax.text(1.06, y - 0.2, f"yours: {mine}", transform=trans, fontsize=7.5, va="center", ha="left",
                            color=COLOURS["wrong"] if differs else "#57606a", fontweight="bold" if differs else "normal")
                described.append(f"user {text(lane.user)} item {text(lane.item)} as of {as_of:{FMT}}: {said}"
                                 + (f", yours: {mine}" if mine else ""))
            ax.set_yticks(range(len(lanes)))
            ax.set_yticklabels([f"user {text(l.user, 12)} · item {text(l.item, 12)}" for l in reversed(lanes)], fontsize=8)
            ax.tick_params(axis="y", length=0)
            ax.spines["left"].set_visible(False)
            ax.set_title(f"as_of_ts = {as_of:{FMT}}   window ({start:{FMT}}, {as_of:{FMT}}]", fontsize=8.5,
                         loc="left", pad=16)
            ax.grid(axis="x", color="#eaeef2", lw=0.8, zorder=0)
        for ax in axes:
            _days_axis(ax, lo, hi)
        _legend(fig, {e.kind for e in shown}, skipped + sum(len(l.events) for l in lanes_of(events)[MAX_LANES:]), rows is not None)
        more = f" ({hidden_lanes} more pair(s) in the table)" if hidden_lanes else ""
        return figure_svg(fig, title + more, "; ".join(described)[:1500], tight=False)
