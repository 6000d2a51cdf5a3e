"""The gradebook loses nothing: atomic writes, reruns give the same rows, namesakes stay apart."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from grader import cli
from grader.grading import feedback, report
from grader.grading.grade import grade_many
from grader.engine.sandbox import Limits
from test_hostile import notebook, reference_sql

LIMITS = Limits(timeout_s=2.0)


def rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.fixture
def class_folder(tmp_path) -> Path:
    subs = tmp_path / "subs"
    (subs / "section_a").mkdir(parents=True)
    (subs / "section_b").mkdir(parents=True)
    notebook(subs / "section_a" / "alice.ipynb", "%%sql --save ex06\n" + reference_sql())
    notebook(subs / "section_b" / "alice.ipynb", "%%sql --save ex06\nSELECT 1")  # another Alice
    notebook(subs / "bob.ipynb", "print('no answer')")
    return subs


def grade(folder: Path):
    return grade_many(sorted(folder.rglob("*.ipynb")), limits=LIMITS, workers=1, only=["ex06"])


def test_crash_mid_write_leaves_previous_gradebook_whole(class_folder, tmp_path, monkeypatch):
    book = tmp_path / "gradebook.csv"
    results = grade(class_folder)
    report.write_gradebook(book, results)
    before = book.read_bytes()

    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()
            return False

        def write(self, text):
            self.fh.write(text[: len(text) // 2])
            self.fh.flush()
            raise OSError(28, "No space left on device")  # the disk fills half-way

    monkeypatch.setattr(report.os, "fdopen", lambda *a, **k: HalfWriter(real_fdopen(*a, **k)))
    results[0].student = "changed"
    with pytest.raises(OSError):
        report.write_gradebook(book, results)
    monkeypatch.undo()

    assert book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gradebook.csv", "subs"]  # no temp file left


def test_crash_on_first_write_leaves_no_file(class_folder, tmp_path, monkeypatch):
    book = tmp_path / "new.csv"
    monkeypatch.setattr(report.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("crash")))
    with pytest.raises(OSError):
        report.write_gradebook(book, grade(class_folder))
    monkeypatch.undo()
    assert not book.exists() and not list(tmp_path.glob(".new.csv*"))


def test_rerun_gives_same_rows(class_folder, tmp_path):
    book = tmp_path / "gradebook.csv"
    report.write_gradebook(book, grade(class_folder))
    first = book.read_bytes()
    report.write_gradebook(book, grade(class_folder))
    assert book.read_bytes() == first
    assert len(rows(book)) == 3


def test_same_file_name_in_two_folders_stays_two_students(class_folder, tmp_path):
    book = tmp_path / "gradebook.csv"
    out = tmp_path / "out.json"
    assert cli.main(["check", str(class_folder), "--gradebook", str(book), "--json", str(out), "-q", "--timeout", "2", "--workers", "1"]) == 0
    alices = [r for r in rows(book) if r["student"] == "alice"]
    assert len(alices) == 2
    assert {Path(r["path"]).parent.name for r in alices} == {"section_a", "section_b"}
    assert len({r["ex06"] for r in alices}) == 2  # full marks for one, not for the other


def test_grading_part_of_the_class_keeps_the_other_rows(class_folder, tmp_path):
    book = tmp_path / "gradebook.csv"
    report.write_gradebook(book, grade(class_folder))
    report.write_gradebook(book, grade(class_folder / "section_b"))  # regrade one folder only
    assert len(rows(book)) == 3


def test_feedback_files_keep_namesakes_apart(class_folder, tmp_path):
    written = feedback.write_feedback(tmp_path / "feedback", grade(class_folder))
    assert len({p.name for p in written}) == 3
