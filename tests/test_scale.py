"""At scale, kept small: the generator is deterministic and shaped as the course says, and the
three reference pipelines (naive, tiled, incremental) agree with each other and with the oracle,
on generated data and on edge events at exactly T, T - 7d and sub-second after T."""

from __future__ import annotations

import hashlib
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from grader.domain import tables as course
from grader.scale import datagen
from grader.domain import semantics
from grader.scale import pipelines as pl
from grader.cli import main

SMALL = datagen.Params(days=12, events_per_day=400, seed=3, start=date(2025, 11, 20))


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(Path(root).rglob("*")):
        if f.is_file():
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def con():
    c = datagen.connect()
    yield c
    c.close()


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gen") / "small"
    datagen.generate(root, SMALL)
    return root


def events_of(con, root: Path) -> list[tuple]:
    return con.execute(f"SELECT * FROM read_parquet('{datagen.events_glob(root)}', hive_partitioning = false) "
                       "ORDER BY event_id, event_ts").fetchall()


def write_events(con, root: Path, rows: list[tuple]) -> None:
    """Events as the generator lays them out: one Parquet file per date(event_ts) partition."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _ev ({', '.join(f'{c} {t}' for c, t in course.TABLES['events'])})")
    con.executemany("INSERT INTO _ev VALUES (?, ?, ?, ?, ?)", [list(r) for r in rows])
    for (d,) in con.execute("SELECT DISTINCT event_ts::DATE FROM _ev ORDER BY 1").fetchall():
        path = datagen.partition_dir(root, d) / "data_0.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"COPY (SELECT * FROM _ev WHERE event_ts::DATE = DATE '{d}' ORDER BY event_id) TO '{path}' (FORMAT parquet)")


def same_rows(actual: list[tuple], expected: list[tuple]) -> None:
    actual, expected = sorted(actual, key=lambda r: r[:3]), sorted(expected, key=lambda r: r[:3])
    assert [r[:6] for r in actual] == [r[:6] for r in expected]
    assert [r[6] for r in actual] == pytest.approx([r[6] for r in expected], nan_ok=False)


# ---- the generator ---------------------------------------------------------------------------

def test_same_seed_writes_same_bytes(small, tmp_path):
    datagen.generate(tmp_path / "again", SMALL)
    assert digest(tmp_path / "again") == digest(small)


def test_another_seed_writes_other_events(small, tmp_path, con):
    datagen.generate(tmp_path / "other", datagen.Params(**{**SMALL.__dict__, "seed": 4}))
    assert events_of(con, tmp_path / "other") != events_of(con, small)


def test_generated_tables_have_the_course_schemas(small, con):
    for table, path in (("events", datagen.events_glob(small)), ("users", small / "users.parquet"),
                        ("items", small / "items.parquet")):
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}', hive_partitioning = false)").fetchall()
        want = [(c, t.split()[0].replace("INT", "INTEGER").replace("VARCHAR(20)", "VARCHAR")) for c, t in course.TABLES[table]]
        assert [(r[0], r[1]) for r in described] == want


def test_events_are_partitioned_by_date_of_event_ts(small, con):
    bad = con.execute(f"""SELECT count(*) FROM read_parquet('{datagen.events_glob(small)}', hive_partitioning = true,
                          hive_types = {{'date': DATE}}) WHERE event_ts::DATE <> date""").fetchall()[0][0]
    assert bad == 0
    assert len(list((small / "events").iterdir())) == SMALL.days


def test_events_have_retries_late_events_all_types_and_skew(small, con):
    rows = events_of(con, small)
    ids = [r[0] for r in rows]
    retried = {i for i in ids if ids.count(i) > 1} if len(ids) < 10_000 else set()
    assert retried, "some events are retried"
    by_id: dict = {}
    for r in rows:
        assert by_id.setdefault(r[0], r) == r, "a retry is an exact copy"
    assert {r[4] for r in rows} == {"view", "click", "add_to_cart", "purchase"}
    # Late: an event with a larger id happened on an earlier day than a smaller id.
    day_of_id = sorted((r[0], r[3].date()) for r in by_id.values())
    assert any(b[1] < a[1] for a, b in zip(day_of_id, day_of_id[1:]))
    top = con.execute(f"""WITH u AS (SELECT DISTINCT * FROM read_parquet('{datagen.events_glob(small)}', hive_partitioning = false)),
        c AS (SELECT user_id, count(*) n FROM u GROUP BY 1)
        SELECT sum(n) FILTER (WHERE rk <= 0.1 * {SMALL.n_users}) / sum(n) FROM (SELECT *, row_number() OVER (ORDER BY n DESC) rk FROM c)""").fetchall()[0][0]
    assert top > 0.5, "a tenth of the users take most events"


def test_density_is_events_per_observed_pair_per_day(tmp_path, con):
    p = datagen.Params(days=3, events_per_day=20_000, late_rate=0.0, retry_rate=0.0)
    datagen.generate(tmp_path / "d", p)
    density = con.execute(f"""SELECT avg(n) FROM (SELECT event_ts::DATE, count(*) / count(DISTINCT (user_id, item_id)) n
        FROM read_parquet('{datagen.events_glob(tmp_path / 'd')}', hive_partitioning = false) GROUP BY 1)""").fetchall()[0][0]
    assert density == pytest.approx(p.density, rel=0.15)


def test_event_ids_must_fit_int():
    with pytest.raises(ValueError, match="INT"):
        datagen.Params(days=37, events_per_day=100_000_000).check()


def test_small_demo_is_fast_and_leaves_course_tables_alone(con):
    con.execute("CREATE OR REPLACE TABLE events AS SELECT 1 AS event_id")
    t = time.perf_counter()
    counts = datagen.small_demo(con, days=14, events_per_day=5000)
    assert time.perf_counter() - t < 2
    assert counts["events"] > 14 * 5000 * 0.9 and counts["users"] > 0 and counts["items"] > 0
    assert con.execute("SELECT count(*) FROM events").fetchall() == [(1,)]
    assert datagen.small_demo(con, days=14, events_per_day=5000) == counts


def test_cli_generates(tmp_path):
    out = tmp_path / "cli"
    assert main(["data", "generate", "--out", str(out), "--days", "2", "--events-per-day", "100", "-q"]) == 0
    assert (out / "manifest.json").exists() and len(list((out / "events").iterdir())) == 2


# ---- the pipelines against the oracle ------------------------------------------------------------

T = datetime(2025, 12, 2, 23, 59, 59)
EDGE_EVENTS = [
    (1001, 1, 10, T, "click"),                                            # exactly T: in
    (1002, 1, 10, T + timedelta(milliseconds=500), "view"),               # sub-second after T: next day
    (1003, 1, 10, T - timedelta(days=7), "click"),                        # exactly T - 7d: out
    (1004, 1, 10, T - timedelta(days=7) + timedelta(microseconds=1), "view"),  # just after T - 7d: in
    (1005, 2, 10, T - timedelta(days=7) + timedelta(milliseconds=500), "click"),
    (1006, 2, 11, datetime(2025, 12, 3), "purchase"),                    # midnight after T
    (1007, 2, 11, datetime(2025, 12, 3, 23, 59, 59, 999999), "add_to_cart"),
    (1008, 3, 12, T - timedelta(seconds=1), "view"),
    (1008, 3, 12, T - timedelta(seconds=1), "view"),                      # a retry
    (1009, 3, 12, T + timedelta(days=1), "click"),
    (1009, 3, 12, T + timedelta(days=1), "click"),                        # a retry at the next T
]
EDGE_AS_OF = [T + timedelta(days=i) for i in range(-7, 9)]


@pytest.fixture(scope="module")
def edge_root(tmp_path_factory, con) -> Path:
    root = tmp_path_factory.mktemp("edge")
    write_events(con, root, course.load_seed().rows("events") + EDGE_EVENTS)
    return root


def run(kind: str, events_root: Path, out: Path, first: datetime, last: datetime, con) -> list[tuple]:
    getattr(pl, kind)(events_root, out, first.date(), last.date(), con=con)
    return pl.feature_rows(con, out)


@pytest.mark.parametrize("kind", ["naive", "tiled"])
def test_pipeline_equals_oracle_on_edge_events(kind, edge_root, tmp_path, con):
    events = course.load_seed().rows("events") + EDGE_EVENTS
    expected = semantics.feature_rows(events, EDGE_AS_OF)
    same_rows(run(kind, edge_root, tmp_path / kind, EDGE_AS_OF[0], EDGE_AS_OF[-1], con), expected)


def test_tile_cut_at_as_of_boundary_not_midnight(edge_root, tmp_path, con):
    pl.tiled(edge_root, tmp_path, T.date(), T.date(), con=con)
    tiles = dict(((u, i, d), n) for u, i, d, c, v, n in con.execute(
        f"SELECT user_id, item_id, tile_day, clicks, views, impressions FROM read_parquet('{tmp_path}/tiles/*/*.parquet', "
        "hive_partitioning = true, hive_types = {'tile_day': DATE})").fetchall())
    # user 1 item 10 on Dec 2: the event at exactly T is in; 23:59:59.5 went to Dec 3's tile.
    assert tiles[(1, 10, T.date())] == 1
    rows = {r[:3]: r for r in pl.feature_rows(con, tmp_path)}
    assert rows[(1, 10, T)][3:6] == (1, 1, 2)  # T itself and T - 7d + 1 us, not T - 7d


@pytest.mark.parametrize("kind", ["naive", "tiled"])
def test_pipeline_equals_oracle_on_generated_data(kind, small, tmp_path, con):
    first, last = datagen.Params.day(SMALL, 6), datagen.Params.day(SMALL, SMALL.days - 1)
    as_of = [pl.as_of(d) for d in pl.days(first, last)]
    expected = semantics.feature_rows(events_of(con, small), as_of)
    same_rows(run(kind, small, tmp_path / kind, as_of[0], as_of[-1], con), expected)


def test_naive_equals_tiled_on_generated_data(tmp_path, con):
    p = datagen.Params(days=10, events_per_day=20_000, seed=11)
    datagen.generate(tmp_path / "g", p)
    a = run("naive", tmp_path / "g", tmp_path / "n", pl.as_of(p.day(7)), pl.as_of(p.day(9)), con)
    b = run("tiled", tmp_path / "g", tmp_path / "t", pl.as_of(p.day(7)), pl.as_of(p.day(9)), con)
    assert len(a) > 1000 and a == b


# ---- incremental, control table, partition swap ---------------------------------------------------

def test_incremental_equals_tiled_for_that_day(small, tmp_path, con):
    first = SMALL.day(6)
    pl.tiled(small, tmp_path / "inc", first, first + timedelta(days=2), con=con)
    assert pl.read_control(con, tmp_path / "inc") == pl.as_of(first + timedelta(days=2))
    day = pl.incremental(small, tmp_path / "inc", con=con)
    assert day == first + timedelta(days=3)
    assert pl.read_control(con, tmp_path / "inc") == pl.as_of(day)
    pl.tiled(small, tmp_path / "ref", first, day, con=con)
    assert pl.feature_rows(con, tmp_path / "inc") == pl.feature_rows(con, tmp_path / "ref")


def test_incremental_builds_missing_tiles_after_a_naive_backfill(small, tmp_path, con):
    first = SMALL.day(6)
    pl.naive(small, tmp_path / "n", first, first, con=con)  # writes no tiles
    day = pl.incremental(small, tmp_path / "n", con=con)
    pl.tiled(small, tmp_path / "ref", first, day, con=con)
    assert pl.feature_rows(con, tmp_path / "n") == pl.feature_rows(con, tmp_path / "ref")


def test_incremental_without_watermark_refuses(small, tmp_path, con):
    with pytest.raises(RuntimeError, match="watermark"):
        pl.incremental(small, tmp_path / "none", con=con)


def file_bytes(folder: Path) -> dict:
    return {str(f.relative_to(folder)): f.read_bytes() for f in sorted(folder.rglob("*.parquet"))}


def test_partition_swap_leaves_other_days_and_months_intact(small, tmp_path, con):
    out = tmp_path / "ft"
    first, last = SMALL.day(6), SMALL.day(SMALL.days - 1)       # Nov 26 .. Dec 1: two months
    pl.tiled(small, out, first, last, con=con)
    before = pl.feature_rows(con, out)
    november = file_bytes(out / pl.FEATURES / "as_of_month=2025-11")
    assert november and (out / pl.FEATURES / "as_of_month=2025-12").is_dir()
    # Rewrite one December day from other events: only that day changes.
    other = tmp_path / "other"
    datagen.generate(other, datagen.Params(**{**SMALL.__dict__, "seed": 99}))
    pl.naive(other, out, last, last, con=con)
    assert file_bytes(out / pl.FEATURES / "as_of_month=2025-11") == november
    after = pl.feature_rows(con, out)
    assert [r for r in after if r[2] != pl.as_of(last)] == [r for r in before if r[2] != pl.as_of(last)]
    assert [r for r in after if r[2] == pl.as_of(last)] != [r for r in before if r[2] == pl.as_of(last)]
    assert pl.read_control(con, out) == pl.as_of(last), "a backfill never rewinds the watermark"
    assert not list(out.glob(".staging-*")), "no staging left behind"


def test_rerun_is_idempotent_and_an_empty_day_is_emptied(small, tmp_path, con):
    out = tmp_path / "ft"
    first = SMALL.day(6)
    pl.tiled(small, out, first, first + timedelta(days=1), con=con)
    rows = pl.feature_rows(con, out)
    pl.tiled(small, out, first, first + timedelta(days=1), con=con)
    assert pl.feature_rows(con, out) == rows, "rerun: same rows, no duplicates"
    pl.naive(tmp_path / "no-events", out, first, first, con=con)
    assert {r[2] for r in pl.feature_rows(con, out)} == {pl.as_of(first + timedelta(days=1))}


def test_one_month_read_prunes_other_months(small, tmp_path, con):
    out = tmp_path / "ft"
    pl.tiled(small, out, SMALL.day(6), SMALL.day(SMALL.days - 1), con=con)
    one = con.execute(f"SELECT count(*) FROM ({pl.read_features_sql(out, '2025-11')})").fetchall()[0][0]
    every = con.execute(f"SELECT count(*) FROM ({pl.read_features_sql(out)})").fetchall()[0][0]
    assert 0 < one < every
    plan = "".join(str(r) for r in con.execute(f"EXPLAIN ANALYZE {pl.read_features_sql(out, '2025-11')}").fetchall())
    assert "Total Files Read: 5" in plan or "Files Read: 5" in plan  # Nov 26..30 only


def test_incremental_refuses_a_day_whose_events_have_not_arrived(small, tmp_path, con):
    pl.tiled(small, tmp_path / "end", SMALL.day(SMALL.days - 1), SMALL.day(SMALL.days - 1), con=con)
    with pytest.raises(RuntimeError, match="no events partition"):
        pl.incremental(small, tmp_path / "end", con=con)


def test_late_event_is_seen_by_retiling_its_day(small, tmp_path, con):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(small, data)
    first = SMALL.day(6)
    yesterday = first + timedelta(days=2)
    pl.tiled(data, tmp_path / "keep", first, yesterday, con=con)
    pl.tiled(data, tmp_path / "retile", first, yesterday, con=con)
    # A late event for yesterday arrives (a second file in yesterday's partition) after its tile.
    late = datagen.partition_dir(data, yesterday) / "data_1.parquet"
    con.execute(f"""COPY (SELECT 999999::INT AS event_id, 1::INT AS user_id, 1::INT AS item_id,
                    TIMESTAMP '{yesterday} 12:00:00' AS event_ts, 'click'::VARCHAR AS event_type) TO '{late}' (FORMAT parquet)""")
    today = pl.incremental(data, tmp_path / "keep", con=con)
    assert pl.incremental(data, tmp_path / "retile", con=con, retile_days=1) == today
    pl.tiled(data, tmp_path / "ref", today, today, con=con)
    day = [r for r in pl.feature_rows(con, tmp_path / "ref")]
    assert [r for r in pl.feature_rows(con, tmp_path / "retile") if r[2] == pl.as_of(today)] == day
    assert [r for r in pl.feature_rows(con, tmp_path / "keep") if r[2] == pl.as_of(today)] != day, \
        "stored tiles are reused as they are: the late click is missed without retiling"


def test_generate_never_replaces_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    assert main(["data", "generate", "--out", str(tmp_path), "--days", "1", "--events-per-day", "10", "-q"]) == 2
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_bench_smoke_writes_every_measure(tmp_path):
    import json

    out = tmp_path / "bench.json"
    assert main(["bench", "--days", "2", "--events-per-day", "2000", "--history", "2", "3",
                 "--data", str(tmp_path / "data"), "--work", str(tmp_path / "work"), "--json", str(out)]) == 0
    r = json.loads(out.read_text())
    assert r["backfill"]["naive_equals_tiled"] is True
    assert {"floor", "naive", "tiled"} <= set(r["backfill"]) and set(r["incremental"]) == {"2", "3"}
    assert r["backfill"]["tiled"]["peak_rss_bytes"] > 0 and r["machine"]["cores"] >= 1
    assert r["scan"]["one_month"]["rows_scanned"] <= r["scan"]["all_months"]["rows_scanned"]
