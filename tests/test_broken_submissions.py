"""Broken submissions get a status and a reason; the batch goes on (API and CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from grader import cli
from grader.grading.grade import grade_many
from grader.engine.notebook import MAX_NOTEBOOK_BYTES
from grader.engine.sandbox import Limits
from test_hostile import notebook, reference_sql

LIMITS = Limits(timeout_s=2.0)
REF = "%%sql --save ex06\n"


def nb_json(cells: list[dict], **extra) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells, **extra})


def code(src: str) -> dict:
    return {"cell_type": "code", "source": src, "metadata": {}, "outputs": [], "execution_count": None}


def _reference():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(REF + reference_sql())]
    return nb


def broken_folder(tmp: Path) -> dict[str, tuple[str, str]]:
    """name -> (expected submission status, a word the reason or check message holds)."""
    valid = nbformat.writes(nbformat.v4.new_notebook())
    (tmp / "not_json.ipynb").write_text("this is not a notebook", encoding="utf-8")
    (tmp / "truncated.ipynb").write_text(nb_json([code(REF + reference_sql())])[:-40], encoding="utf-8")
    (tmp / "nbformat3.ipynb").write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": []}]}), encoding="utf-8")
    (tmp / "binary.ipynb").write_bytes(bytes(range(256)) * 64)
    (tmp / "huge.ipynb").write_text(valid[:-2] + " " * (MAX_NOTEBOOK_BYTES + 10) + valid[-2:], encoding="utf-8")
    (tmp / "latin1.ipynb").write_bytes(nb_json([code("# café")]).replace("caf\\u00e9", "café").encode("latin-1"))
    (tmp / "empty_file.ipynb").write_bytes(b"")
    # a byte-order mark before the JSON (saved by a Windows editor): the same notebook, graded
    (tmp / "bom.ipynb").write_bytes(b"\xef\xbb\xbf" + nbformat.writes(_reference()).encode("utf-8"))
    (tmp / "json_list.ipynb").write_text("[1, 2, 3]", encoding="utf-8")
    (tmp / "cells_not_list.ipynb").write_text(nb_json(5), encoding="utf-8")  # type: ignore[arg-type]
    (tmp / "bad_metadata.ipynb").write_text(nb_json([code(42), code(["a", 1])], metadata=[1]), encoding="utf-8")  # type: ignore[arg-type]
    notebook(tmp / "no_answers.ipynb", "print('hello')")
    md = nbformat.v4.new_notebook()
    md.cells = [nbformat.v4.new_markdown_cell(REF + reference_sql())]
    (tmp / "markdown_answer.ipynb").write_text(nbformat.writes(md), encoding="utf-8")
    notebook(tmp / "two_cells.ipynb", REF + "SELECT 1", REF + reference_sql())
    notebook(tmp / "huge_sql.ipynb", REF + "SELECT 1;\n" * 20000)
    notebook(tmp / "zz_reference.ipynb", REF + reference_sql())
    return {
        "not_json": ("invalid", "invalid JSON"),
        "truncated": ("invalid", "invalid JSON"),
        "nbformat3": ("invalid", "nbformat 3"),
        "binary": ("invalid", "UTF-8"),
        "huge": ("invalid", "MB"),
        "latin1": ("invalid", "UTF-8"),
        "empty_file": ("invalid", "the file is empty"),
        "bom": ("graded", "pass"),
        "json_list": ("invalid", "no cells"),
        "cells_not_list": ("invalid", "malformed"),
        "bad_metadata": ("graded", "missing"),
        "no_answers": ("graded", "missing"),
        "markdown_answer": ("graded", "missing"),
        "two_cells": ("graded", "pass"),
        "huge_sql": ("graded", "characters of SQL"),
        "zz_reference": ("graded", "pass"),
    }


def ex06_of(sub: dict) -> dict:
    return next(e for e in sub["exercises"] if e["id"] == "ex06")


def assert_outcome(sub: dict, status: str, word: str) -> None:
    assert sub["status"] == status, (sub["path"], sub.get("reason"))
    if status == "invalid":
        assert word in sub["reason"], sub["reason"]
        assert sub["exercises"] == [] and sub["score"] == 0
        return
    checks = ex06_of(sub)["checks"]
    if word == "pass":
        assert {c["status"] for c in checks} == {"pass"}, [c["message"] for c in checks]
    elif word == "missing":
        assert {c["status"] for c in checks} == {"missing"}
        assert all("ex06" in c["message"] for c in checks)
    else:
        assert {c["status"] for c in checks} == {"error"} and all(word in c["message"] for c in checks)


def test_broken_submissions_through_grade_many(tmp_path):
    expected = broken_folder(tmp_path)
    paths = sorted(tmp_path.glob("*.ipynb"))
    results = grade_many(paths, limits=LIMITS, workers=1, only=["ex06"])
    assert len(results) == len(expected)
    by_name = {Path(r.path).stem: r.to_dict() for r in results}
    for name, (status, word) in expected.items():
        assert_outcome(by_name[name], status, word)
    assert any("saved by more than one cell" in n for n in by_name["two_cells"]["notes"])


def test_broken_submissions_through_the_cli_json_schema(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    expected = broken_folder(folder)
    out = tmp_path / "out.json"
    rc = cli.main(["check", str(folder), "--json", str(out), "--timeout", "2", "--workers", "2", "-q"])
    assert rc == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) >= {"submissions"}
    subs = {Path(s["path"]).stem: s for s in data["submissions"]}
    assert set(subs) == set(expected)
    for s in data["submissions"]:  # the schema in DESIGN.md
        assert {"path", "student", "score", "max_score", "status", "exercises"} <= set(s)
        assert s["status"] in ("graded", "invalid")
        for e in s["exercises"]:
            assert {"id", "score", "max_score", "checks"} <= set(e)
            for c in e["checks"]:
                assert {"name", "status", "points", "max_points", "message"} <= set(c)
                assert c["status"] in ("pass", "fail", "error", "missing", "manual", "timeout")
                assert isinstance(c["message"], str)
                assert c["message"] or c["status"] == "pass", c  # every non-pass says why
    for name, (status, word) in expected.items():
        assert_outcome(subs[name], status, word)


def test_cli_bad_usage_exits_2(tmp_path):
    assert cli.main(["check", str(tmp_path / "nowhere")]) == 2
    assert cli.main(["check", str(tmp_path)]) == 2  # no notebooks
    assert cli.main(["frobnicate"]) == 2
