"""The reference feature pipelines at scale, over generated Parquet (see grader/scale/datagen.py).

All three compute the course's features (semantics.py): for as-of T = day 23:59:59, events
deduplicated on event_id with T - 7 days < event_ts <= T, clicks/views/impressions, ctr DOUBLE
(NULL when impressions are 0), one row per observed (user, item) pair.

  naive        the course's query once per as-of day: each day rescans its 7 days of events.
  tiled        daily partial counts ("tiles") per (user, item, tile day), computed once; an
               as-of day is the sum of its 7 tiles (ctr from summed counts, never an average of
               daily ctrs). Tile d holds exactly the events of (T(d-1), T(d)], so tiles are cut at
               the as-of boundaries, not at midnight: an event at 23:59:59.5 belongs to the NEXT
               day's tile, as it belongs to the next as-of day's window.
  incremental  one new as-of day, the day after the control table's watermark: one new tile
               (any of the 7 missing is built too), the sum of 7 tiles, one day written, then the
               watermark moved. Its cost does not grow with history.

Layout under a pipeline's output folder OUT:
  OUT/feature_table/as_of_month=YYYY-MM/as_of_day=YYYY-MM-DD/data_0.parquet
  OUT/tiles/tile_day=YYYY-MM-DD/data_0.parquet
  OUT/feature_job_control.parquet
The table is partitioned by as-of month (training reads one month: partition pruning); inside a
month, one folder per as-of day, which is the unit a job owns and overwrites. Writes are staged
beside the table and swapped in folder by folder, so a job replaces exactly the days it computed
and leaves every other day and month alone (DuckDB's COPY ... OVERWRITE would wipe them all).
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path

from grader.domain import tables as course
from grader.scale.datagen import connect, partition_dir

JOB_KEY = course.JOB_KEY
DAY = timedelta(days=1)
WINDOW_DAYS = 7
FEATURES = "feature_table"
TILES = "tiles"
CONTROL = "feature_job_control.parquet"

# Tile day of an event: the as-of day whose (T - 1 day, T] holds it. Timestamps have microsecond
# precision, so adding 1 s - 1 us maps (D-1 23:59:59, D 23:59:59] onto [D 00:00, D+1 00:00).
TILE_DAY = "CAST(event_ts + INTERVAL 999999 MICROSECONDS AS DATE)"
COUNTS = """count(*) FILTER (WHERE event_type = 'click') AS clicks,
            count(*) FILTER (WHERE event_type = 'view') AS views,
            count(*) AS impressions"""


def as_of(day: date) -> datetime:
    """The course's convention: as-of day D is D 23:59:59 (inclusive)."""
    return datetime.combine(day, time(23, 59, 59))


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# ---- reading events ---------------------------------------------------------------------------

def event_files(events_root: Path, first: date, last: date) -> list[list[str]]:
    """The files of each date partition first..last that exists (pruning done by us, explicitly)."""
    out = []
    for d in days(first, last):
        files = sorted(str(f) for f in partition_dir(events_root, d).glob("*.parquet"))
        if files:
            out.append(files)
    return out


def _dedup(source: str, where: str) -> str:
    # One row per event_id. Retries are exact copies, so any copy's columns are the copy.
    return f"""SELECT event_id, any_value(user_id) AS user_id, any_value(item_id) AS item_id,
                      any_value(event_ts) AS event_ts, any_value(event_type) AS event_type
               FROM {source} WHERE {where} GROUP BY event_id"""


def unique_events_sql(events_root: Path, lo: datetime, hi: datetime, per_partition: bool = False) -> str:
    """Events with lo < event_ts <= hi, one row per event_id, reading only the partitions
    date(lo)..date(hi). Retries are exact copies: the time filter may come first, and copies
    share event_ts, hence a date partition, so `per_partition` dedups each partition on its
    own (small hash tables, bounded memory) with the same result."""
    partitions = event_files(events_root, lo.date(), hi.date())
    where = f"event_ts > {course.sql_literal(lo)} AND event_ts <= {course.sql_literal(hi)}"
    if not partitions:
        return ("SELECT NULL::INT AS event_id, NULL::INT AS user_id, NULL::INT AS item_id, "
                "NULL::TIMESTAMP AS event_ts, NULL::VARCHAR AS event_type WHERE false")
    if per_partition:
        return " UNION ALL ".join(
            _dedup(f"read_parquet({files!r}, hive_partitioning = false)", where) for files in partitions)
    every = [f for files in partitions for f in files]
    return _dedup(f"read_parquet({every!r}, hive_partitioning = false)", where)


def tiles_sql(events_root: Path, first: date, last: date) -> str:
    """Tiles first..last: per (user, item, tile day) the counts of that day's (T-1d, T] slice."""
    return f"""SELECT user_id, item_id, {TILE_DAY} AS tile_day, {COUNTS}
               FROM ({unique_events_sql(events_root, as_of(first - DAY), as_of(last), per_partition=True)})
               GROUP BY ALL"""


def features_from_tiles_sql(tiles: str, first: date, last: date) -> str:
    """Feature rows for as-of days first..last from a relation of tiles covering first-6..last."""
    return f"""
    SELECT t.user_id, t.item_id, a.as_of_ts,
           sum(t.clicks)::INT AS clicks_7d, sum(t.views)::INT AS views_7d,
           sum(t.impressions)::INT AS impressions_7d,
           sum(t.clicks)::DOUBLE / NULLIF(sum(t.impressions), 0) AS ctr_7d
    FROM {tiles} t
    JOIN (VALUES {', '.join(f"({course.sql_literal(d)}, {course.sql_literal(as_of(d))})" for d in days(first, last))}) a(as_of_day, as_of_ts)
      ON t.tile_day BETWEEN a.as_of_day - {WINDOW_DAYS - 1} AND a.as_of_day
    GROUP BY t.user_id, t.item_id, a.as_of_ts"""


# ---- staged writes ------------------------------------------------------------------------------

def feature_day_dir(out: Path, day: date) -> Path:
    return Path(out) / FEATURES / f"as_of_month={day:%Y-%m}" / f"as_of_day={day.isoformat()}"


def tile_day_dir(out: Path, day: date) -> Path:
    return Path(out) / TILES / f"tile_day={day.isoformat()}"


class Stage:
    """A private folder beside the table: COPY writes there, `commit` swaps folders in."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.root = self.out / f".staging-{uuid.uuid4().hex[:12]}"
        self.root.mkdir(parents=True)

    def path(self, final: Path) -> Path:
        return self.root / final.relative_to(self.out)

    def commit(self, finals: list[Path]) -> None:
        """Replace each final folder by its staged twin; a day with no staged rows is emptied
        (the job owns it: an empty grid replaces old rows)."""
        for final in finals:
            staged = self.path(final)
            old = None
            if final.exists():
                old = final.with_name(f".old-{final.name}-{uuid.uuid4().hex[:8]}")
                os.replace(final, old)
            if staged.exists():
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, final)
            if old is not None:
                shutil.rmtree(old)
        shutil.rmtree(self.root, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _copy_partitioned(con, sql: str, target: Path, by: list[str]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    con.execute(f"""COPY ({sql}) TO '{target}'
                    (FORMAT parquet, PARTITION_BY ({', '.join(by)}), OVERWRITE_OR_IGNORE)""")


def write_features(con, out: Path, sql: str, first: date, last: date) -> None:
    """Write feature rows for as-of days first..last, replacing exactly those days."""
    stage = Stage(out)
    try:
        rows = f"""SELECT *, strftime(as_of_ts, '%Y-%m') AS as_of_month, as_of_ts::DATE AS as_of_day
                   FROM ({sql})"""
        _copy_partitioned(con, rows, stage.root / FEATURES, ["as_of_month", "as_of_day"])
        stage.commit([feature_day_dir(out, d) for d in days(first, last)])
    except BaseException:
        stage.abort()
        raise


def write_tiles(con, out: Path, relation: str, first: date, last: date) -> None:
    stage = Stage(out)
    try:
        _copy_partitioned(con, f"SELECT * FROM {relation}", stage.root / TILES, ["tile_day"])
        stage.commit([tile_day_dir(out, d) for d in days(first, last)])
    except BaseException:
        stage.abort()
        raise


# ---- control table ---------------------------------------------------------------------------

def read_control(con, out: Path) -> datetime | None:
    path = Path(out) / CONTROL
    if not path.exists():
        return None
    rows = con.execute(f"SELECT last_as_of_ts FROM '{path}' WHERE job_key = ?", [JOB_KEY]).fetchall()
    return rows[0][0] if rows else None


def write_control(con, out: Path, last_as_of_ts: datetime) -> None:
    """Move the watermark: write beside, then an atomic rename (never half a control file)."""
    path = Path(out) / CONTROL
    tmp = path.with_name(f".{path.name}-{uuid.uuid4().hex[:8]}")
    con.execute(f"""COPY (SELECT '{JOB_KEY}'::VARCHAR AS job_key, {course.sql_literal(last_as_of_ts)} AS last_as_of_ts,
                                 date_trunc('second', now()::TIMESTAMP) AS last_run_ts)
                    TO '{tmp}' (FORMAT parquet)""")
    os.replace(tmp, path)


def _advance_control(con, out: Path, end: date) -> None:
    # A backfill moves the watermark forward only (rewriting old days must not rewind it).
    current = read_control(con, out)
    if current is None or current < as_of(end):
        write_control(con, out, as_of(end))


# ---- the pipelines -----------------------------------------------------------------------------

def naive(events_root: Path, out: Path, start: date, end: date, con=None, control: bool = True) -> None:
    """The course's per-as-of query, once per day: every day reads its 7 days of events again."""
    con = con or connect()
    stage = Stage(out)
    try:
        for d in days(start, end):
            t = as_of(d)
            sql = f"""SELECT user_id, item_id, {course.sql_literal(t)} AS as_of_ts,
                             clicks::INT AS clicks_7d, views::INT AS views_7d, impressions::INT AS impressions_7d,
                             clicks::DOUBLE / NULLIF(impressions, 0) AS ctr_7d
                      FROM (SELECT user_id, item_id, {COUNTS}
                            FROM ({unique_events_sql(events_root, t - timedelta(days=WINDOW_DAYS), t)})
                            GROUP BY user_id, item_id)"""
            target = stage.path(feature_day_dir(out, d)) / "data_0.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet)")
        stage.commit([feature_day_dir(out, d) for d in days(start, end)])
    except BaseException:
        stage.abort()
        raise
    if control:
        _advance_control(con, out, end)


def tiled(events_root: Path, out: Path, start: date, end: date, con=None, control: bool = True,
          keep_tiles: bool = True) -> None:
    """Tiles start-6..end in one pass over the events, then each as-of day as 7 tiles summed."""
    con = con or connect()
    first_tile = start - timedelta(days=WINDOW_DAYS - 1)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _tiles AS {tiles_sql(events_root, first_tile, end)}")
    try:
        if keep_tiles:
            write_tiles(con, out, "_tiles", first_tile, end)
        write_features(con, out, features_from_tiles_sql("_tiles", start, end), start, end)
    finally:
        con.execute("DROP TABLE IF EXISTS _tiles")
    if control:
        _advance_control(con, out, end)


def stored_tiles(out: Path, first: date, last: date) -> tuple[list[str], list[date]]:
    """Tile files already written for first..last, and the days that have none."""
    files, missing = [], []
    for d in days(first, last):
        found = sorted(str(f) for f in tile_day_dir(out, d).glob("*.parquet"))
        (files.extend(found) if found else missing.append(d))
    return files, missing


def incremental(events_root: Path, out: Path, con=None, retile_days: int = 0) -> date:
    """The day after the watermark, from tiles: returns the as-of day written.

    Tiles already stored are reused as they are. Events that arrive late for a day whose tile
    was built before they arrived are only seen by a backfill of that day, or by rebuilding the
    last `retile_days` tiles here (the lateness horizon; the cost grows with it, not with history)."""
    con = con or connect()
    last = read_control(con, out)
    if last is None:
        raise RuntimeError(f"{out}: no {JOB_KEY} watermark; run a backfill first")
    t = last + DAY
    if t != as_of(t.date()):
        raise RuntimeError(f"watermark {last} is not a day's 23:59:59")
    day = t.date()
    if not event_files(events_root, day, day):
        raise RuntimeError(f"no events partition for {day} yet: nothing to compute")
    first = day - timedelta(days=WINDOW_DAYS - 1)
    files, missing = stored_tiles(out, first, day - DAY)
    retile = set(days(day - timedelta(days=retile_days), day))  # the new day's tile, always
    missing = sorted(set(missing) | retile)
    files = [f for f in files if date.fromisoformat(Path(f).parent.name.split("=", 1)[1]) not in retile]
    # Build only the missing tiles: one partition pair per tile, so the cost is flat in history.
    parts = [tiles_sql(events_root, d, d) for d in missing]
    con.execute(f"CREATE OR REPLACE TEMP TABLE _new_tiles AS {' UNION ALL '.join(parts)}")
    try:
        for d in missing:
            write_tiles(con, out, f"(SELECT * FROM _new_tiles WHERE tile_day = {course.sql_literal(d)})", d, d)
        old = (f"SELECT user_id, item_id, tile_day, clicks, views, impressions "
               f"FROM read_parquet({files!r}, hive_partitioning = true, hive_types = {{'tile_day': DATE}})"
               if files else "SELECT * FROM _new_tiles WHERE false")
        window = f"(SELECT * FROM _new_tiles UNION ALL {old})"
        write_features(con, out, features_from_tiles_sql(window, day, day), day, day)
    finally:
        con.execute("DROP TABLE IF EXISTS _new_tiles")
    write_control(con, out, t)  # after the write: a crash before here reruns the same day
    return day


# ---- reading the output -----------------------------------------------------------------------

def features_glob(out: Path) -> str:
    return str(Path(out) / FEATURES / "*" / "*" / "*.parquet")


def read_features_sql(out: Path, month: str | None = None) -> str:
    """feature_table as the course's columns; `month` ('YYYY-MM') reads one month's partition."""
    cols = ", ".join(course.FEATURE_COLUMNS)
    where = f" WHERE as_of_month = '{month}'" if month else ""
    return f"SELECT {cols} FROM read_parquet('{features_glob(out)}', hive_partitioning = true){where}"


def feature_rows(con, out: Path, month: str | None = None) -> list[tuple]:
    return con.execute(f"{read_features_sql(out, month)} ORDER BY user_id, item_id, as_of_ts").fetchall()
