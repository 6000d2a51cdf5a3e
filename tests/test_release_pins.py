"""The student bundle installs what the workbook runs on, not the project's test tools."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from grader.authoring import release

REPO = Path(__file__).resolve().parent.parent
IMPORT = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)|importorskip\(\s*[\"']([A-Za-z_]\w*)", re.M)


def _name(pin: str) -> str:
    return re.split(r"[=<>!~\[ ;]", pin.strip(), maxsplit=1)[0].lower()


def _pins(pyproject_text: str) -> list[str]:
    return [_name(d) for d in tomllib.loads(pyproject_text)["project"]["dependencies"]]


def _imported(files) -> set[str]:
    out = set()
    for path in files:
        for m in IMPORT.finditer(path.read_text(encoding="utf-8", errors="replace")):
            out.add((m.group(1) or m.group(2)).lower())
    return out


def test_bundle_pins_no_test_tool():
    bundled = set(_pins(release._bundle_pyproject()))
    assert not bundled & {"pytest", "pytest-xdist", "nbval", "playwright", "jsonschema"}, bundled


def test_a_pin_only_the_tests_import_is_left_out_of_the_bundle():
    # Generated from the project's pins, so a test tool added later is caught without new code:
    # a package the tests import and the released grader never does is a developer's, not a student's.
    released = [p for p in (REPO / "grader").rglob("*.py") if release._released(p)]
    used_by_grader = _imported(released)
    used_by_tests = _imported((REPO / "tests").rglob("*.py"))
    test_only = {n for n in _pins((REPO / "pyproject.toml").read_text(encoding="utf-8"))
                 if n.replace("-", "_") in used_by_tests and n.replace("-", "_") not in used_by_grader}
    assert {"pytest", "playwright", "jsonschema"} <= test_only  # the scan sees importorskip too
    assert not test_only & set(_pins(release._bundle_pyproject())), test_only


def test_bundle_keeps_every_pin_the_released_grader_imports():
    released = [p for p in (REPO / "grader").rglob("*.py") if release._released(p)]
    used_by_grader = _imported(released)
    bundled = set(_pins(release._bundle_pyproject()))
    for pin in _pins((REPO / "pyproject.toml").read_text(encoding="utf-8")):
        if pin.replace("-", "_") in used_by_grader:
            assert pin in bundled, pin
