"""Generated event data at scale: deterministic, written by DuckDB SQL itself.

`grader data generate --out DIR --days 37 --events-per-day 2000000 --seed 7` writes
  DIR/events/date=YYYY-MM-DD/data_0.parquet   (the course's events, partitioned by date(event_ts))
  DIR/users.parquet, DIR/items.parquet        (the course's dimensions)
  DIR/manifest.json                           (the parameters and realized counts)
with the schemas of grader/domain/tables.py. Same parameters, same bytes.

Every random draw is `hash(seed, stream, ...)` of the row's coordinates, so any slice of the
data (one partition, one day) is computed on its own, in any order, with the same result:
  - popularity is skewed: user and item indexes are u**k of a uniform u (a few take most events);
  - density (events per observed (user, item) pair per day, the course's ~100M / ~5M = 20) sets
    the number of pair slots a day; events pick slots skewed too, pairs recur across days
    (a slot keeps its pair for `pair_lifetime_days`), so a 7-day window sees repeat pairs;
  - retries: a `retry_rate` share of events is written twice, an exact copy (same event_id);
  - late events: the last `late_rate` share of each day's ids arrived that day but happened up
    to `max_late_days` earlier, so they sit in an earlier date partition with later ids;
  - timestamps have millisecond resolution, so some events fall in 23:59:59.xxx (the as-of edge).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from grader.domain import tables as course

EVENT_TYPES = [("view", 0.80), ("click", 0.15), ("add_to_cart", 0.035), ("purchase", 0.015)]
REGIONS = ["North", "South", "East", "West", "Central"]
CATEGORIES = ["A", "B", "C", "D", "E", "F"]
GENERATED = course.DATA_DIR / "generated"   # git-ignored
DEFAULT_OUT = GENERATED / "scale"
INT_MAX = 2**31 - 1
# Streams keep the draws of one row independent of each other.
S_SLOT, S_USER, S_ITEM, S_TS, S_TYPE, S_RETRY, S_LAG, S_DIM = range(1, 9)


@dataclass(frozen=True)
class Params:
    days: int = 37
    events_per_day: int = 2_000_000
    seed: int = 7
    start: date = date(2025, 11, 1)
    density: float = 20.0          # events per observed (user, item) pair per day
    retry_rate: float = 0.01       # share of events sent twice
    late_rate: float = 0.02        # share of each day's events that happened earlier
    max_late_days: float = 3.0
    pair_lifetime_days: int = 7    # how long a pair slot keeps its (user, item)
    users: int = 0                 # 0: the course's ratio, events_per_day / 10
    items: int = 0                 # 0: the course's ratio, events_per_day / 100
    user_skew: float = 4.0         # index = n * u**skew: larger is more skewed
    item_skew: float = 4.0
    slot_skew: float = 2.0

    @property
    def n_users(self) -> int:
        return self.users or max(50, self.events_per_day // 10)

    @property
    def n_items(self) -> int:
        return self.items or max(20, self.events_per_day // 100)

    @property
    def n_slots(self) -> int:
        return max(1, math.ceil(self.events_per_day / self.density))

    @property
    def n_late(self) -> int:
        return round(self.events_per_day * self.late_rate)

    def check(self) -> None:
        if self.days < 1 or self.events_per_day < 1 or self.density <= 0:
            raise ValueError("days, events_per_day and density must be positive")
        # event_id is INT in the course's schema: ids must fit.
        if self.days * self.events_per_day > INT_MAX:
            raise ValueError(f"days * events_per_day must stay <= {INT_MAX} (event_id is INT)")
        if not (0 <= self.retry_rate <= 1 and 0 <= self.late_rate <= 1):
            raise ValueError("retry_rate and late_rate are shares between 0 and 1")

    def day(self, d: int) -> date:
        return self.start + timedelta(days=d)


def _u(p: Params, stream: int, *coords: str) -> str:
    """A uniform double in [0, 1) from the seed, a stream and the row's coordinates."""
    return f"(hash({p.seed}, {stream}, {', '.join(coords)}) / 18446744073709551616.0)"


def _type_case(u: str) -> str:
    parts, acc = [], 0.0
    for name, share in EVENT_TYPES[:-1]:
        acc += share
        parts.append(f"WHEN {u} < {acc!r} THEN '{name}'")
    return f"CASE {' '.join(parts)} ELSE '{EVENT_TYPES[-1][0]}' END"


def _arrivals_sql(p: Params, first: int, last: int, lo: int, hi: int) -> str:
    """Events that arrived on days first..last with index lo <= i < hi of their day: one row
    per event_id, before retries. Indexes >= n - n_late are late: they happened earlier."""
    n, slots, life = p.events_per_day, p.n_slots, p.pair_lifetime_days
    return f"""
      SELECT event_id, user_id, item_id, event_ts, event_type FROM (
        SELECT (d.d * {n} + r.i + 1)::INT AS event_id,
               floor({slots} * pow({_u(p, S_SLOT, 'd.d', 'r.i')}, {p.slot_skew}))::BIGINT AS slot,
               (d.d + slot % {life}) // {life} AS gen,
               1 + floor({p.n_users} * pow({_u(p, S_USER, 'slot', 'gen')}, {p.user_skew}))::INT AS user_id,
               1 + floor({p.n_items} * pow({_u(p, S_ITEM, 'slot', 'gen')}, {p.item_skew}))::INT AS item_id,
               DATE '{p.start.isoformat()}' + d.d::INT
                 + to_milliseconds(floor(86400000 * {_u(p, S_TS, 'event_id')})::BIGINT)
                 - CASE WHEN r.i >= {n - p.n_late}
                        THEN to_milliseconds(1 + floor({p.max_late_days * 86400000} * {_u(p, S_LAG, 'event_id')})::BIGINT)
                        ELSE INTERVAL 0 SECOND END AS event_ts,
               {_type_case(_u(p, S_TYPE, 'event_id'))}::VARCHAR(20) AS event_type
        FROM range({first}, {last + 1}) d(d), range({lo}, {hi}) r(i)
      )"""


def events_sql(p: Params, first: int, last: int) -> str:
    """The events whose date(event_ts) is in days first..last, retry copies included, in
    event_id order: late events from up to max_late_days later are pulled in."""
    lo, hi = p.day(first).isoformat(), p.day(last + 1).isoformat()
    arrive_last = min(p.days - 1, last + math.ceil(p.max_late_days))
    # On-time events of these days, plus late arrivals of the days after that may land here.
    n, late = p.events_per_day, p.n_late
    return f"""
    WITH gen AS ({_arrivals_sql(p, first, last, 0, n - late)}
      UNION ALL {_arrivals_sql(p, first, arrive_last, n - late, n)}),
    mine AS (SELECT * FROM gen WHERE event_ts >= TIMESTAMP '{lo}' AND event_ts < TIMESTAMP '{hi}')
    SELECT * FROM (
      SELECT * FROM mine
      UNION ALL
      SELECT * FROM mine WHERE {_u(p, S_RETRY, 'event_id')} < {p.retry_rate!r}
    ) ORDER BY event_id"""


def users_sql(p: Params) -> str:
    # Sign-ups over the year before the data starts, so every event follows its user's signup.
    return f"""
    SELECT i::INT AS user_id,
           TIMESTAMP '{p.start.isoformat()}' - to_seconds(1 + floor(365 * 86400 * {_u(p, S_DIM, '1', 'i')})::BIGINT) AS signup_ts,
           list_extract({REGIONS!r}, 1 + floor({len(REGIONS)} * {_u(p, S_DIM, '2', 'i')})::INT)::VARCHAR(20) AS region
    FROM range(1, {p.n_users + 1}) t(i) ORDER BY i"""


def items_sql(p: Params) -> str:
    return f"""
    SELECT i::INT AS item_id,
           TIMESTAMP '{p.start.isoformat()}' - to_seconds(1 + floor(365 * 86400 * {_u(p, S_DIM, '3', 'i')})::BIGINT) AS created_ts,
           list_extract({CATEGORIES!r}, 1 + floor({len(CATEGORIES)} * {_u(p, S_DIM, '4', 'i')})::INT)::VARCHAR(20) AS category
    FROM range(1, {p.n_items + 1}) t(i) ORDER BY i"""


def connect(memory_limit: str | None = None, threads: int | None = None):
    """A quiet in-memory DuckDB connection (no progress bar in logs)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def partition_dir(root: Path, day: date) -> Path:
    return Path(root) / "events" / f"date={day.isoformat()}"


def _copy(con, sql: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"COPY ({sql}) TO '{path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)")


def generate(out: Path, params: Params = Params(), con=None, progress=None) -> dict:
    """Write the data set to `out` (replaced whole: built beside it, then swapped in)."""
    params.check()
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not (out / "manifest.json").exists():
        # Replacing is only for folders we generated: never wipe someone's other files.
        raise ValueError(f"{out} exists and is not a generated data set (no manifest.json)")
    out.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{out.name}-build-", dir=out.parent))
    os.chmod(build, 0o755)  # mkdtemp makes it private; the data set is for everyone
    own = con is None
    con = con or connect()
    try:
        _copy(con, users_sql(params), build / "users.parquet")
        _copy(con, items_sql(params), build / "items.parquet")
        counts = {}
        for d in range(params.days):
            path = partition_dir(build, params.day(d)) / "data_0.parquet"
            _copy(con, events_sql(params, d, d), path)
            counts[params.day(d).isoformat()] = con.execute(f"SELECT count(*) FROM '{path}'").fetchall()[0][0]
            if progress:
                progress(d + 1, params.days)
        manifest = {"params": {**asdict(params), "start": params.start.isoformat()},
                    "users": params.n_users, "items": params.n_items,
                    "event_rows": sum(counts.values()), "event_rows_by_date": counts}
        (build / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    finally:
        if own:
            con.close()
    # Swap: the old folder is only removed once the new one is complete.
    trash = None
    if out.exists():
        trash = out.parent / f".{out.name}-old-{os.getpid()}"
        os.replace(out, trash)
    os.replace(build, out)
    if trash:
        shutil.rmtree(trash, ignore_errors=True)
    return manifest


def events_glob(root: Path) -> str:
    return str(Path(root) / "events" / "*" / "*.parquet")


def attach_views(con, root: Path, schema: str | None = None) -> None:
    """Views `events`, `users`, `items` over a generated folder, with exactly the course's
    columns (the hive `date` column is left out so `SELECT *` matches the schema)."""
    prefix = f"{schema}." if schema else ""
    if schema:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    cols = ", ".join(course.columns("events"))
    con.execute(f"CREATE OR REPLACE VIEW {prefix}events AS SELECT {cols} FROM read_parquet('{events_glob(root)}', hive_partitioning = false)")
    con.execute(f"CREATE OR REPLACE VIEW {prefix}users AS SELECT * FROM '{Path(root) / 'users.parquet'}'")
    con.execute(f"CREATE OR REPLACE VIEW {prefix}items AS SELECT * FROM '{Path(root) / 'items.parquet'}'")


def small_demo(con, days: int = 14, events_per_day: int = 5000, seed: int = 7,
               schema: str = "demo", **overrides) -> dict:
    """A small generated set as TABLES `{schema}.events`, `.users`, `.items` in an open DuckDB
    connection (the notebook's own), for lessons that need volume: fast (well under a second),
    deterministic, and leaves the course's own tables alone. Returns the row counts."""
    p = Params(days=days, events_per_day=events_per_day, seed=seed, **overrides)
    p.check()
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    con.execute(f"CREATE OR REPLACE TABLE {schema}.events AS {events_sql(p, 0, days - 1)}")
    con.execute(f"CREATE OR REPLACE TABLE {schema}.users AS {users_sql(p)}")
    con.execute(f"CREATE OR REPLACE TABLE {schema}.items AS {items_sql(p)}")
    return {t: con.execute(f"SELECT count(*) FROM {schema}.{t}").fetchall()[0][0] for t in ("events", "users", "items")}


# ---- command line -------------------------------------------------------------------------

def add_params_arguments(p: argparse.ArgumentParser, days: int = 37) -> None:
    d = Params()
    p.add_argument("--days", type=int, default=days, help=f"days of events (default {days})")
    p.add_argument("--events-per-day", type=int, default=d.events_per_day, help=f"default {d.events_per_day}")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--start", type=date.fromisoformat, default=d.start, help=f"first day (default {d.start})")
    p.add_argument("--density", type=float, default=d.density, help="events per observed (user, item) pair per day (default 20, the course's 100M/5M)")
    p.add_argument("--retry-rate", type=float, default=d.retry_rate, help=f"share of events sent twice (default {d.retry_rate})")
    p.add_argument("--late-rate", type=float, default=d.late_rate, help=f"share of events arriving late (default {d.late_rate})")


def params_from_args(args: argparse.Namespace, **override) -> Params:
    kw = dict(days=args.days, events_per_day=args.events_per_day, seed=args.seed, start=args.start,
              density=args.density, retry_rate=args.retry_rate, late_rate=args.late_rate)
    kw.update(override)
    return Params(**kw)


def cmd_generate(args: argparse.Namespace) -> int:
    from rich.console import Console

    console = Console(stderr=True)
    params = params_from_args(args)
    start = datetime.now()
    try:
        m = generate(Path(args.out), params,
                     progress=None if args.quiet else lambda i, n: console.print(f"  day {i}/{n}", end="\r"))
    except ValueError as exc:
        console.print(f"[red]grader data generate: {exc}[/red]")
        return 2
    secs = (datetime.now() - start).total_seconds()
    console.print(f"wrote {m['event_rows']:,} event rows over {params.days} days, {m['users']:,} users, "
                  f"{m['items']:,} items to {args.out} in {secs:.1f}s")
    return 0


def register(subparsers) -> None:
    data = subparsers.add_parser("data", help="generate the at-scale event data (Parquet)")
    verbs = data.add_subparsers(dest="data_command", required=True)
    g = verbs.add_parser("generate", help="write events (partitioned by date), users and items")
    g.add_argument("--out", default=str(DEFAULT_OUT), help=f"folder to write (replaced; default {DEFAULT_OUT})")
    add_params_arguments(g)
    g.add_argument("-q", "--quiet", action="store_true")
    g.set_defaults(func=cmd_generate)
