"""A class's charts for the instructor's report: the score distribution, each exercise's spread
and per-check pass rates. Inline SVG through svg.py (offline, deterministic, text escaped).

The charts take plain numbers and labels, so their size does not grow with the class: a class
of 1,000 draws the same number of shapes as a class of 10 (bins, distinct scores, checks)."""

from __future__ import annotations

from collections import Counter

from grader.pictures.svg import COLOURS, figure, figure_svg

BAR_STATUSES = (("pass", COLOURS["ok"]), ("fail", COLOURS["wrong"]), ("error", COLOURS["accent"]),
                ("timeout", COLOURS["other"]), ("missing", "#DDDDDD"))


def score_histogram(percents: list[float], width_px: float = 560, height_px: float = 314) -> str:
    """How many students scored what, in 5-point bins of the percentage of points graded so far."""
    bins = [0] * 20
    for p in percents:
        bins[min(19, max(0, int(p // 5)))] += 1
    with figure(width_px, height_px) as fig:
        ax = fig.add_subplot()
        ax.bar([i * 5 + 2.5 for i in range(20)], bins, width=4.6, color=COLOURS["view"])
        ax.set_xlim(0, 100)
        ax.set_xticks(range(0, 101, 10))
        ax.set_xlabel("score (% of points graded so far)")
        ax.set_ylabel("students")
        ax.yaxis.get_major_locator().set_params(integer=True)
        if percents:
            median = sorted(percents)[len(percents) // 2]
            ax.axvline(median, color=COLOURS["accent"], linewidth=1.5, linestyle="--")
            # the label sits in a band above the tallest bar, so no bar can hide it
            top = max(bins) * 1.2 + 0.4
            ax.set_ylim(0, top)
            left = median > 70
            ax.annotate(f"median {median:.0f}%", (median, top), xytext=(-4 if left else 4, -3),
                        textcoords="offset points", va="top", ha="right" if left else "left", color="#333333")
        fig.tight_layout()
        return figure_svg(fig, "Score distribution",
                          f"{len(percents)} students; students per 5-point band of their score.")


def exercise_spread(scores: dict[str, list[float]], width_px: float = 560, height_px: float | None = None) -> str:
    """One row per exercise: a dot at each score students got (as % of the exercise's points),
    its area the number of students there, and the median as a bar."""
    names = list(scores)
    height_px = height_px or 50 + 22 * len(names)
    with figure(width_px, height_px) as fig:
        ax = fig.add_subplot()
        biggest = max((max(Counter(round(v) for v in vals).values()) for vals in scores.values() if vals), default=1)
        for row, name in enumerate(names):
            counts = Counter(round(v) for v in scores[name])
            xs = sorted(counts)
            ax.scatter(xs, [row] * len(xs), s=[12 + 220 * counts[x] / biggest for x in xs],
                       color=COLOURS["view"], alpha=0.55, linewidths=0)
            if scores[name]:
                ordered = sorted(scores[name])
                ax.plot([ordered[len(ordered) // 2]] * 2, [row - 0.35, row + 0.35], color=COLOURS["accent"], linewidth=2)
        ax.set_yticks(range(len(names)), names)
        ax.set_ylim(len(names) - 0.5, -0.5)
        ax.set_xlim(-5, 105)
        ax.set_xticks(range(0, 101, 20))
        ax.set_xlabel("score on the exercise (% of its points); dot area = students, bar = median")
        ax.grid(axis="x", color="#EEEEEE")
        fig.tight_layout()
        return figure_svg(fig, "Each exercise's spread",
                          "Per exercise, how many students got each score; the bar is the median.")


def pass_rate_bars(rows: list[tuple[str, dict[str, int]]], width_px: float = 1040) -> str:
    """One stacked bar per check (label, status -> students): passed, failed, error, timed out,
    not answered. Written answers waiting for a score are not drawn here (they are not verdicts)."""
    height_px = 60 + 18 * len(rows)
    with figure(width_px, height_px) as fig:
        ax = fig.add_subplot()
        labels = [label for label, _ in rows]
        left = [0.0] * len(rows)
        for status, colour in BAR_STATUSES:
            values = []
            for _, counts in rows:
                judged = sum(n for s, n in counts.items() if s != "manual") or 1
                values.append(100 * counts.get(status, 0) / judged)
            ax.barh(range(len(rows)), values, left=left, color=colour, height=0.72, label=status)
            left = [a + b for a, b in zip(left, values)]
        ax.set_yticks(range(len(rows)), labels, fontsize=8)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of submissions")
        ax.legend(ncols=5, loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, fontsize=8)
        fig.tight_layout()
        return figure_svg(fig, "Pass rate per check",
                          "For each check with failures: the share of submissions that passed, failed, "
                          "errored, timed out or did not answer.")
