"""Gradescope's "Export Submissions" zip: a folder per submission (`submission_123456/`, the
student's files inside at any depth) and `submission_metadata.yml` beside them, a map from
each folder's name to its `:submitters` (each with `:name`, `:sid`, `:email`), `:created_at`,
`:score` and `:history` (the keys keep Ruby's leading colon; readers such as otter-grader's
GradescopeParser load it with `yaml.safe_load`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.engine.notebook import read_file_safely

METADATA = "submission_metadata.yml"


@dataclass(frozen=True)
class Submitter:
    name: str
    sid: str | None = None
    email: str | None = None


def _field(entry: dict, key: str):
    value = entry.get(f":{key}", entry.get(key))
    return None if value is None else str(value).strip() or None


def read(path: Path) -> dict[str, list[Submitter]]:
    """Submission folder name -> its submitters. Raises ValueError saying what is wrong."""
    try:
        import yaml
    except ImportError:  # the Gradescope autograder's image installs only what grading needs
        raise ValueError(f"{METADATA} cannot be read here (PyYAML is not installed)") from None

    try:
        data = yaml.safe_load(read_file_safely(path, limit=5 * 1024 * 1024).decode("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"{METADATA} cannot be read: {str(exc)[:200]}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{METADATA} is not a map of submission folders")
    out: dict[str, list[Submitter]] = {}
    for folder, entry in data.items():
        if not isinstance(entry, dict):
            continue
        people = entry.get(":submitters", entry.get("submitters")) or []
        out[str(folder)] = [Submitter(_field(p, "name") or _field(p, "email") or _field(p, "sid") or str(folder),
                                      _field(p, "sid"), _field(p, "email"))
                            for p in people if isinstance(p, dict)]
    return out
