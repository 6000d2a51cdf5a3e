"""Pictures of time and of a class: matplotlib drawn to inline SVG (see svg.py)."""

from grader.pictures.svg import COLOURS, figure, figure_svg

__all__ = ["COLOURS", "figure", "figure_svg"]
