"""A .zip handed in (a class's LMS download, a student's own zip) read as untrusted input.

Only the standard library's zipfile. Limits: the member count, the total and each member's
uncompressed size, each member's compression ratio (a notebook compresses 5 to 20 times, a
zip bomb thousands of times); a member with an absolute path, a `..` step, or that is a link
(its Unix mode in `external_attr`), or encrypted, is refused and listed. Members are written
only below a fresh folder, each created anew (never over a file, never through a link), and
counted as they are written, whatever the archive declares. A bad member costs only itself:
its siblings are extracted. Only what the grader reads is extracted (notebooks, zips,
Gradescope's metadata); debris is skipped and listed.

Member names: a zip marks UTF-8 names with a flag (bit 11); without it zipfile reads them as
cp437, the format's old default. macOS Finder (Archive Utility) and older Info-ZIP write UTF-8
without the flag, so a name that is valid UTF-8 is read as UTF-8 (`José/`, not `Jos├⌐/`; cp437
text is almost never valid UTF-8), and every name is put in NFC (Finder writes `é` as `e` and a
combining accent, a roster `é`): a student's name in a zip is their name."""

from __future__ import annotations

import os
import re
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.delivery import debris
from grader.delivery.copies import ADDED_SUFFIXES
from grader.engine.notebook import MAX_NOTEBOOK_BYTES

WANTED = (".ipynb", ".zip", ".yml") + tuple(".ipynb" + a for a in ADDED_SUFFIXES)


class ZipRefused(ValueError):
    """The whole archive is refused; the message names it and says why."""


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 20_000  # a class of 300 uploading 12 notebooks and a picture each stays well under
    max_total_bytes: int = 2 * 1024**3  # what one archive's notebooks and zips may expand to
    max_member_bytes: int = MAX_NOTEBOOK_BYTES  # the grader reads no larger notebook
    max_ratio: float = 200.0  # uncompressed / compressed, for members over RATIO_FLOOR
    max_depth: int = 3  # zips inside zips: a student's zip inside an LMS download is depth 2
    max_run_bytes: int = 4 * 1024**3  # every zip of one run, zips inside zips included


RATIO_FLOOR = 1024 * 1024  # small members may compress very well (a blank notebook) and harm nobody


@dataclass
class Extracted:
    root: Path
    refused: list[str] = field(default_factory=list)  # "member: why", for the notes
    skipped: list[str] = field(default_factory=list)  # debris: "member: what it is"
    other: int = 0  # members the grader does not read (pictures, PDFs): not extracted
    others: list[str] = field(default_factory=list)  # the first of their names, to say what a zip held
    written: int = 0  # bytes extracted


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its writer meant it (the module's docstring says how)."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return unicodedata.normalize("NFC", name)


def _member_parts(name: str) -> tuple[str, ...] | None:
    """The path parts of a member name, or None when it points outside the archive."""
    name = name.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return None
    parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
    return None if ".." in parts or not parts else parts


def _why_refused(info: zipfile.ZipInfo, parts, limits: ZipLimits) -> str | None:
    if parts is None:
        return "its path leads outside the archive (an absolute path or `..`): not extracted"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link: not followed, not extracted"
    if info.flag_bits & 0x1:
        return "encrypted: cannot be read"
    if info.file_size > limits.max_member_bytes:
        return f"expands to {info.file_size / 1e6:.0f} MB (a notebook may be {limits.max_member_bytes / 1e6:.0f} MB)"
    if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        return (f"a zip bomb: it expands {info.file_size / max(info.compress_size, 1):,.0f} times "
                f"(at most {limits.max_ratio:g})")
    return None


def _open_archive(path: Path, shown: str, limits: ZipLimits):
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ZipRefused(f"{shown}: cannot be opened ({exc.strerror})") from None
    fh = os.fdopen(fd, "rb")
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ZipRefused(f"{shown}: not a regular file")
        return fh, zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        fh.close()
        raise ZipRefused(f"{shown}: not a readable zip ({str(exc)[:120]})") from None


def extract(archive: Path, into: Path, shown: str, limits: ZipLimits = ZipLimits(),
            budget: int | None = None) -> Extracted:
    """Extract what the grader reads from `archive` into `into` (a folder this call creates;
    it must not exist). `budget`: bytes the run may still write (zips inside zips share the
    run's budget). Raises ZipRefused when the whole archive must be refused."""
    cap = limits.max_total_bytes if budget is None else min(budget, limits.max_total_bytes)
    fh, zf = _open_archive(archive, shown, limits)
    with fh, zf:
        members = zf.infolist()
        if len(members) > limits.max_members:
            raise ZipRefused(f"{shown}: {len(members):,} members (at most {limits.max_members:,}): not opened")
        declared = sum(i.file_size for i in members if not i.is_dir() and i.filename.lower().endswith(WANTED))
        if declared > cap:
            raise ZipRefused(f"{shown}: expands to {declared / 1e6:,.1f} MB (at most "
                             f"{cap / 1e6:,.1f} MB left to this run): a zip bomb? Not opened")
        into.mkdir(mode=0o700)
        out = Extracted(into)
        for info in members:
            if info.is_dir():
                continue
            name = member_name(info)
            parts = _member_parts(name)
            why = debris.in_path(parts) if parts else None
            if why:
                out.skipped.append(f"{shown}!{name}: {why}")
                continue
            why = _why_refused(info, parts, limits)
            if why is None and not parts[-1].lower().endswith(WANTED):
                out.other += 1
                if len(out.others) < 20:
                    out.others.append("/".join(parts))
                continue
            if why is None:
                try:
                    out.written += _write(zf, info, into, parts, limits.max_member_bytes, cap - out.written)
                    continue
                except _Refused as exc:
                    why = str(exc)
            out.refused.append(f"{shown}!{name}: {why}")
    return out


class _Refused(Exception):
    pass


def _write(zf: zipfile.ZipFile, info: zipfile.ZipInfo, root: Path, parts: tuple[str, ...], limit: int,
           left: int) -> int:
    """Write one member below root, counting bytes as they come; the bytes written."""
    target = root.joinpath(*parts)
    if os.path.commonpath([root, target]) != str(root):  # _member_parts already refused this
        raise _Refused("its path leads outside the archive: not extracted")
    try:
        for i in range(1, len(parts)):  # every folder on the way is a real folder made here
            folder = root.joinpath(*parts[:i])
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                raise _Refused("its folder is also a file in the archive: not extracted")
            folder.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        raise _Refused("the archive holds this name twice: the first one is kept") from None
    except OSError as exc:
        raise _Refused(f"cannot be written ({exc.strerror})") from None
    total = 0
    try:
        with os.fdopen(fd, "wb") as dst, zf.open(info) as src:
            while chunk := src.read(1 << 20):
                total += len(chunk)
                if total > limit or total > left:
                    raise _Refused(f"expands past {min(limit, left) / 1e6:.0f} MB, more than it declares: not extracted")
                dst.write(chunk)
    except _Refused:
        target.unlink(missing_ok=True)
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        target.unlink(missing_ok=True)
        raise _Refused(f"damaged in the archive ({str(exc)[:120]}): not extracted") from None
    return total
