"""Files and folders no student wrote: operating systems, editors and JupyterLab leave them
beside the work. They are skipped (and listed), never graded."""

from __future__ import annotations

# folder name -> what it is
FOLDERS = {
    "__MACOSX": "macOS Finder's resource forks (added to every zip Finder makes)",
    ".ipynb_checkpoints": "JupyterLab's autosave checkpoints",
    "__pycache__": "Python's bytecode cache",
}
# file name (compared case-insensitively) -> what it is
FILES = {
    ".ds_store": "macOS Finder's folder settings",
    "thumbs.db": "Windows Explorer's thumbnail cache",
    "desktop.ini": "Windows Explorer's folder settings",
}
BACKUP_SUFFIXES = (".swp", ".swo", ".bak")


def reason(name: str, is_dir: bool = False) -> str | None:
    """Why a file or folder called `name` is debris, or None when it may be a student's."""
    if is_dir:
        if name in FOLDERS:
            return FOLDERS[name]
        return "a hidden folder" if name.startswith(".") else None
    if name.lower() in FILES:
        return FILES[name.lower()]
    if name.startswith("._"):
        return "a macOS AppleDouble file (the resource fork of a file, not a notebook)"
    if name.endswith("~") or name.startswith(".#") or name.lower().endswith(BACKUP_SUFFIXES):
        return "an editor's backup or lock file"
    return None


def in_path(parts: tuple[str, ...] | list[str]) -> str | None:
    """Why a path (its parts, the last one a file) is debris: any folder on it, or the file."""
    for folder in parts[:-1]:
        why = reason(folder, is_dir=True)
        if why:
            return why
    return reason(parts[-1]) if parts else None
