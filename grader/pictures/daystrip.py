"""A day strip: one row per job run, backfill or schedule, one column per as-of day."""

from __future__ import annotations


def from_tables(tables: list) -> str | None:
    return None
