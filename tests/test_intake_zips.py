"""Zips are untrusted input: each attack is refused with a message naming the archive (and the
member), nothing is written outside the run's work folder, and the honest work beside it (in
the same zip, or beside the zip) is still extracted and graded."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

import pytest

from grader import cli
from grader.delivery import intake
from grader.delivery.zips import ZipLimits
from intake_layouts import SOL, source

HONEST = "class/ada/ex06.ipynb"


def _member(zf: zipfile.ZipFile, name: str, data: bytes, mode: int | None = None) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    if mode is not None:
        info.external_attr = mode << 16
    zf.writestr(info, data)


def _zip(path: Path, hostile) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(HONEST, source(SOL, "ex06"))
        hostile(zf)
    return path


def _nested(depth: int) -> bytes:
    data = source(SOL, "ex06")
    name = "ex06.ipynb"
    for i in range(depth):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr(name, data)
        data, name = buf.getvalue(), f"level{i}.zip"
    return data


def _padded_zip(size: int) -> bytes:
    """A zip holding an ex06 notebook padded to `size` bytes (JSON allows trailing spaces)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        data = source(SOL, "ex06")
        zf.writestr("ex06.ipynb", data + b" " * max(0, size - len(data)))
    return buf.getvalue()


# attack -> (what the zip holds besides the honest notebook, limits, what the refusal says, students graded)
ATTACKS = {
    "dot_dot_member": (lambda zf: _member(zf, "../../escaped.ipynb", b"{}"), ZipLimits(), "outside the archive", ["ada"]),
    "absolute_member": (lambda zf: _member(zf, "/tmp/escaped.ipynb", b"{}"), ZipLimits(), "outside the archive", ["ada"]),
    "symlink_member": (lambda zf: _member(zf, "class/bob/ex06.ipynb", b"/etc/passwd", stat.S_IFLNK | 0o777),
                       ZipLimits(), "symbolic link", ["ada"]),
    "bomb_member": (lambda zf: _member(zf, "class/eve/ex06.ipynb", b"\0" * (8 * 1024 * 1024)), ZipLimits(),
                    "zip bomb", ["ada"]),
    "oversized_member": (lambda zf: _member(zf, "class/eve/ex06.ipynb", b" " * (3 * 1024 * 1024)),
                         ZipLimits(max_member_bytes=2 * 1024 * 1024, max_ratio=1e9), "expands to", ["ada"]),
    "bomb_in_total": (lambda zf: [_member(zf, f"class/eve{i}/ex06.ipynb", b" " * 400_000) for i in range(5)],
                      ZipLimits(max_total_bytes=1_000_000), "zip bomb?", []),
    "too_many_members": (lambda zf: [_member(zf, f"junk/{i}.txt", b"x") for i in range(30)],
                         ZipLimits(max_members=20), "members (at most 20)", []),
    "zips_nested_too_deep": (lambda zf: _member(zf, "class/eve.zip", _nested(4)), ZipLimits(max_depth=3),
                             "inside zips", ["ada"]),
    "zips_inside_share_the_run_budget": (
        lambda zf: [_member(zf, f"class/eve{i}.zip", _padded_zip(400_000)) for i in range(3)],
        ZipLimits(max_run_bytes=1_000_000), "left to this run", ["ada", "eve0", "eve1"]),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_each_zip_attack_is_refused_naming_the_file_and_the_honest_work_survives(tmp_path, attack):
    hostile, limits, says, graded = ATTACKS[attack]
    archive = _zip(tmp_path / "class.zip", hostile)
    work = tmp_path / "work"
    work.mkdir()
    st = intake.gather([archive], work, limits=limits)
    refused = [n.message for n in st.notes if n.kind == "refused"]
    assert refused and any("class.zip" in m and says in m for m in refused), refused
    assert not list(tmp_path.rglob("escaped.ipynb"))  # nothing written outside the work folder
    assert not [p for p in work.rglob("*") if p.is_symlink()]
    assert [u.identity.student for u in st.units] == graded


def test_a_damaged_zip_is_refused_by_name_and_the_batch_grades_the_rest(tmp_path):
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    bomb = _zip(tmp_path / "bomb.zip", lambda zf: _member(zf, "class/eve/ex06.ipynb", b"\0" * (8 * 1024 * 1024)))
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "ex06.ipynb").write_bytes(source(SOL, "ex06"))
    out = tmp_path / "r.json"
    code = cli.main(["check", str(bad), str(bomb), str(tmp_path / "bob"), "--exercises", "ex06", "--public-only",
                     "-q", "--json", str(out), "--workers", "2"])
    assert code == 0
    data = json.loads(out.read_text())
    assert sorted(s["student"] for s in data["submissions"]) == ["ada", "bob"]  # ada: bomb.zip's honest member
    assert all(s["score"] == s["max_score"] > 0 for s in data["submissions"])
    refused = [n["message"] for n in data["notes"] if n["kind"] == "refused"]
    assert any("broken.zip" in m and "not a readable zip" in m for m in refused)
    assert any("bomb.zip!class/eve/ex06.ipynb" in m and "zip bomb" in m for m in refused)


def test_the_run_removes_what_it_extracted(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    archive = _zip(tmp_path / "class.zip", lambda zf: None)
    assert cli.main(["check", str(archive), "--exercises", "ex06", "--public-only", "-q", "--workers", "1"]) == 0
    assert not [p for p in (tmp_path / "tmp").iterdir() if p.name.startswith("week12-intake-")]
