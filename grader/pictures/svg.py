"""A matplotlib figure as inline SVG: offline, deterministic, text kept as text, sized for a pane.

Every picture of the workbook (timelines, day strips, the class report's charts) goes through
`figure_svg`, so they share one look and one set of guarantees:
- nothing fetched: no fonts, images or scripts referenced, the SVG is self-contained;
- text stays text (`svg.fonttype = none`): readable by screen readers, searchable, small;
- no mathtext: a student's value holding `$` is drawn as written, never parsed;
- the same picture gives the same bytes (fixed hash salt, no date), so stored notebook
  outputs reproduce under nbval;
- a width in CSS pixels, scaled down with the pane (`max-width: 100%`).
"""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from html import escape

import matplotlib

matplotlib.use("Agg")  # no display, no GUI toolkit: pictures are drawn to SVG text only

from matplotlib import pyplot as plt  # noqa: E402  (after choosing the backend)

STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "week12",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 96,
}

# Colours chosen to stay apart for the common colour-vision deficiencies (Okabe-Ito).
COLOURS = {
    "click": "#D55E00",
    "view": "#0072B2",
    "impression": "#999999",
    "other": "#CC79A7",
    "window": "#56B4E9",
    "ok": "#009E73",
    "wrong": "#D55E00",
    "neutral": "#999999",
    "accent": "#E69F00",
}

_XML_HEADER = re.compile(r"^.*?(?=<svg)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)


@contextmanager
def figure(width_px: float = 640, height_px: float = 220):
    """A figure sized in CSS pixels, drawn in the workbook's style, closed afterwards."""
    with matplotlib.rc_context(STYLE):
        fig = plt.figure(figsize=(width_px / 96, height_px / 96), dpi=96)
        try:
            yield fig
        finally:
            plt.close(fig)


def figure_svg(fig, title: str, description: str = "", tight: bool = True) -> str:
    """The figure as one inline `<svg>` element with an accessible title and description.

    `title` and `description` are escaped here; text drawn inside the figure is escaped by
    matplotlib's SVG writer. `tight=False` keeps the figure's own size and margins: one drawing
    pass instead of two (a picture laid out to fit draws in about half the time).
    """
    with matplotlib.rc_context(STYLE):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight" if tight else None)
    svg = _XML_HEADER.sub("", buf.getvalue(), count=1)
    svg = _METADATA.sub("", svg)  # RDF naming purl.org and creativecommons.org: nothing a reader needs
    label = f"<title>{escape(title)}</title>" + (f"<desc>{escape(description)}</desc>" if description else "")
    svg = re.sub(r"<svg\b([^>]*)>", lambda m: _open_tag(m.group(1)) + label, svg, count=1)
    return svg.strip()


def _open_tag(attrs: str) -> str:
    # Scale with the pane instead of overflowing it; keep the aspect ratio from viewBox.
    attrs = re.sub(r'\sheight="[^"]*"', "", attrs)
    attrs = re.sub(r'\swidth="([^"]*)"', r' width="\1" style="max-width:100%;height:auto"', attrs, count=1)
    return f'<svg{attrs} role="img">'
