"""Every picture is inline SVG: self-contained, deterministic, text escaped and never mathtext."""

from grader.pictures import figure, figure_svg


def _draw(label: str) -> str:
    with figure(400, 150) as fig:
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1])
        ax.set_title(label)
        return figure_svg(fig, title=label, description="a line")


def test_svg_is_inline_and_self_contained():
    svg = _draw("ok")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert "http://" not in svg.replace("http://www.w3.org/", "").replace("http://purl.org/", "").replace(
        "http://creativecommons.org/", ""
    )
    assert 'role="img"' in svg and "max-width:100%" in svg


def test_student_text_is_escaped_and_not_parsed_as_math():
    svg = _draw("<script>alert(1)</script> costs $5 & $6")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "$5" in svg  # drawn as written: no mathtext


def test_same_picture_same_bytes():
    assert _draw("same") == _draw("same")
