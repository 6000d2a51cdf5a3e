"""Scratch copies of a notebook: they never name a student and never split a folder.

- JupyterLab's File > Duplicate writes `ex06-Copy1.ipynb` (then `-Copy2`, ...);
- a browser saving a file twice writes `ex06 (1).ipynb` (Chrome, Edge, Safari) or `ex06(1).ipynb`
  (Firefox);
- JupyterLab's autosave writes `ex06-checkpoint.ipynb` in `.ipynb_checkpoints/` (skipped as
  debris), and students copy it out of there by hand;
- Google Colab's "Save a copy in Drive" writes `Copy of ex06.ipynb`; macOS Finder's Duplicate
  `ex06 copy.ipynb` (`ex06 copy 2.ipynb`); Windows Explorer `ex06 - Copy.ipynb`;
- File > New > Notebook writes `Untitled.ipynb`, `Untitled1.ipynb`, ...

A copy is ignored when the notebook it copies is there; where only the copy was handed in, it
is graded (students/choose says so)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# What a browser or an editor adds to a notebook's name: Safari saves a downloaded notebook as
# `ex06.ipynb.json` or `ex06.ipynb.txt`, and Windows, hiding extensions, lets Notepad save `.txt`.
ADDED_SUFFIXES = (".json", ".txt")


def notebook_name(name: str) -> str | None:
    """The notebook's own name for a file's name: `ex06.ipynb` for `ex06.ipynb`, `ex06.ipynb.json`
    and `ex06.ipynb.txt`; None for any other file."""
    low = name.lower()
    if low.endswith(".ipynb"):
        return name
    added = next((a for a in ADDED_SUFFIXES if low.endswith(".ipynb" + a)), None)
    return name[: -len(added)] if added else None


# How each tool names a copy, as it names it (copies of copies are read down to the original)
_COPIES = (
    (re.compile(r"^(?P<base>.+?)-Copy\d+$"), "a JupyterLab copy"),  # File > Duplicate
    (re.compile(r"^(?P<base>.+?) ?\(\d+\)$"), "a browser's second download"),  # Firefox: no space
    (re.compile(r"^(?P<base>.+?)-checkpoint$"), "a JupyterLab checkpoint"),  # out of .ipynb_checkpoints/
    (re.compile(r"^Copy of (?P<base>.+)$"), "a Google Colab or Drive copy"),  # File > Save a copy in Drive
    (re.compile(r"^(?P<base>.+?) copy(?: \d+)?$"), "a macOS Finder copy"),  # File > Duplicate: `ex06 copy 2`
    (re.compile(r"^(?P<base>.+?) - Copy(?: \(\d+\))?$"), "a Windows copy"),  # Explorer's paste: `ex06 - Copy (2)`
)
_UNTITLED = re.compile(r"^untitled\d*$", re.I)


@dataclass(frozen=True)
class NotebookName:
    stem: str  # the file's stem, as named
    base: str | None  # the stem of the notebook this one copies (itself when no copy); None: Untitled
    kind: str | None  # None (the notebook itself), "copy" or "untitled"
    what: str  # how to name it to a person: "a JupyterLab copy of ex06.ipynb"

    @property
    def is_copy(self) -> bool:
        return self.kind is not None


def classify(stem: str) -> NotebookName:
    """What a notebook's name says it is (copies of copies are followed to the original)."""
    base, kinds = stem, []
    while True:
        for pattern, kind in _COPIES:
            m = pattern.match(base)
            if m:
                base, kinds = m.group("base"), kinds + [kind]
                break
        else:
            break
    if _UNTITLED.match(base):
        return NotebookName(stem, None, "untitled", "an Untitled notebook (JupyterLab's File > New)")
    if kinds:
        return NotebookName(stem, base, "copy", f"{kinds[0]} of {base}.ipynb")
    return NotebookName(stem, stem, None, f"{stem}.ipynb")
