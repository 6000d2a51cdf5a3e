"""`grader bench`: the reference pipelines at scale, measured (a command, not a timed test).

Measures, on generated data (grader/scale/datagen.py) under a DuckDB memory limit:
  - floor: one pass that deduplicates the events and aggregates them into daily tiles;
  - backfill of N as-of days (default 30), naive (each day rescans 7 days) vs tiled;
  - one incremental run after H days of history, for each H (default 30 and 60): flat in H;
  - Exercise 9(c): training reads one month of feature_table vs every month (rows, bytes, s).
Each measurement runs in a fresh process, so its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

from grader.scale import datagen
from grader.scale import pipelines as pl

DEFAULT_DATA = datagen.GENERATED / "bench"
DEFAULT_WORK = datagen.GENERATED / "bench-work"
MARKER = ".grader-bench-work"  # only a folder holding this is ever wiped
QUICK = dict(days=5, events_per_day=50_000, history=[5, 10])
AIMS = {"tiled_vs_naive_speedup_min": 5.0, "tiled_vs_floor_ratio_max": 2.0}


def machine() -> dict:
    import duckdb

    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {"cores": os.cpu_count(), "memory_bytes": mem, "duckdb": duckdb.__version__,
            "python": platform.python_version(), "platform": platform.platform()}


# ---- phases: module-level so a spawned process can run them ------------------------------------

def _con(settings: dict):
    return datagen.connect(settings["memory_limit"], settings.get("threads"))


def _rows(con, sql: str) -> int:
    return con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]


def phase_floor(settings, data, first_tile, last_day):
    con = _con(settings)
    t = time.perf_counter()
    con.execute(f"CREATE TEMP TABLE t AS {pl.tiles_sql(Path(data), first_tile, last_day)}")
    secs = time.perf_counter() - t
    return {"seconds": secs, "rows_out": _rows(con, "FROM t")}


def phase_naive(settings, data, out, start, end):
    con = _con(settings)
    t = time.perf_counter()
    pl.naive(Path(data), Path(out), start, end, con=con)
    return {"seconds": time.perf_counter() - t, "rows_out": _rows(con, pl.read_features_sql(Path(out)))}


def phase_tiled(settings, data, out, start, end):
    con = _con(settings)
    t = time.perf_counter()
    pl.tiled(Path(data), Path(out), start, end, con=con)
    return {"seconds": time.perf_counter() - t, "rows_out": _rows(con, pl.read_features_sql(Path(out)))}


def phase_incremental(settings, data, out, repeats=3):
    """The median of `repeats` runs of the same day: the watermark is put back between runs,
    and each rerun overwrites the day it wrote (idempotent), so every run does the same work."""
    con = _con(settings)
    watermark = pl.read_control(con, Path(out))
    times = []
    for _ in range(repeats):
        pl.write_control(con, Path(out), watermark)
        t = time.perf_counter()
        day = pl.incremental(Path(data), Path(out), con=con)
        times.append(time.perf_counter() - t)
    rows = _rows(con, f"{pl.read_features_sql(Path(out))} WHERE as_of_ts::DATE = DATE '{day}'")
    return {"seconds": sorted(times)[len(times) // 2], "runs_seconds": times, "rows_out": rows,
            "as_of_day": day.isoformat()}


def phase_scan(settings, out, month):
    """Training reads one month (partition pruning on as_of_month) vs the whole table."""
    con = _con(settings)
    res = {}
    for label, m in (("one_month", month), ("all_months", None)):
        sql = pl.read_features_sql(Path(out), m)
        t = time.perf_counter()
        con.execute(f"SELECT count(*), avg(ctr_7d) FROM ({sql})").fetchall()
        secs = time.perf_counter() - t
        files = sorted(Path(out, pl.FEATURES).glob(f"as_of_month={m or '*'}/*/*.parquet"))
        rows = con.execute(f"SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata({[str(f) for f in files]!r})").fetchall()[0][0] if files else 0
        res[label] = {"seconds": secs, "files": len(files), "rows_scanned": rows,
                      "bytes_scanned": sum(f.stat().st_size for f in files)}
    return res


def phase_equal(settings, a, b):
    """Not timed: the two backfills wrote the same rows (both directions of EXCEPT ALL empty)."""
    con = _con(settings)
    x, y = pl.read_features_sql(Path(a)), pl.read_features_sql(Path(b))
    return {"equal": _rows(con, f"({x}) EXCEPT ALL ({y})") == 0 and _rows(con, f"({y}) EXCEPT ALL ({x})") == 0}


def _child(fn, args):
    out = fn(*args)
    out["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return out


def run_phase(fn, *args) -> dict:
    """Run one phase in a fresh process: its max RSS is then the phase's peak memory."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(_child, (fn, args))


# ---- the benchmark ---------------------------------------------------------------------------

def ensure_data(path: Path, params: datagen.Params, log) -> dict:
    """Reuse the generated folder when its manifest has these parameters, else generate it."""
    manifest = path / "manifest.json"
    want = json.loads(json.dumps({**params.__dict__, "start": params.start.isoformat()}))
    if manifest.exists() and json.loads(manifest.read_text())["params"] == want:
        return {"generated": False, "seconds": None, **_data_stats(path)}
    log(f"generating {params.days} days x {params.events_per_day:,} events into {path} ...")
    t = time.perf_counter()
    datagen.generate(path, params)
    return {"generated": True, "seconds": time.perf_counter() - t, **_data_stats(path)}


def _data_stats(path: Path) -> dict:
    m = json.loads((path / "manifest.json").read_text())
    size = sum(f.stat().st_size for f in (path / "events").rglob("*.parquet"))
    return {"event_rows": m["event_rows"], "events_bytes": size}


def run(args: argparse.Namespace, log=print) -> dict:
    history = sorted(set(args.history))
    days_needed = pl.WINDOW_DAYS + max(args.days, *history) + 1
    params = datagen.Params(days=days_needed, events_per_day=args.events_per_day, seed=args.seed,
                            density=args.density)
    settings = {"memory_limit": args.memory_limit, "threads": args.threads}
    data, work = Path(args.data), Path(args.work)
    result = {"machine": machine(), "settings": {**settings, "days": args.days, "history": history,
                                                  "events_per_day": args.events_per_day,
                                                  "density": args.density, "seed": args.seed},
              "data": ensure_data(data, params, log)}
    if work.exists() and any(work.iterdir()) and not (work / MARKER).exists():
        raise ValueError(f"{work} exists and is not a bench scratch folder: not wiping it")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (work / MARKER).touch()

    start = params.start + timedelta(days=pl.WINDOW_DAYS)       # first as-of day with 7 full days
    end = start + timedelta(days=args.days - 1)
    first_tile = start - timedelta(days=pl.WINDOW_DAYS - 1)
    # Rows each backfill is responsible for: the events of its tiles (read once by tiled).
    events_in = _count_events(data, first_tile, end)
    phases = {}
    log("floor: dedup + daily tiles ...")
    phases["floor"] = run_phase(phase_floor, settings, str(data), first_tile, end)
    log("naive backfill ...")
    phases["naive"] = run_phase(phase_naive, settings, str(data), str(work / "naive"), start, end)
    log("tiled backfill ...")
    phases["tiled"] = run_phase(phase_tiled, settings, str(data), str(work / "tiled"), start, end)
    for p in ("floor", "naive", "tiled"):
        phases[p]["rows_in"] = events_in
        phases[p]["rows_per_s"] = events_in / phases[p]["seconds"]
    equal = run_phase(phase_equal, settings, str(work / "naive"), str(work / "tiled"))["equal"]
    shutil.rmtree(work / "naive", ignore_errors=True)

    incremental = {}
    for h in history:
        out = work / f"history-{h}"
        if h == args.days:  # the tiled backfill above is exactly this history
            os.replace(work / "tiled", out)
        else:
            log(f"history {h} days (tiled backfill) ...")
            run_phase(phase_tiled, settings, str(data), str(out), start, start + timedelta(days=h - 1))
        log(f"incremental run after {h} days of history ...")
        incremental[h] = run_phase(phase_incremental, settings, str(data), str(out))
    longest = work / f"history-{history[-1]}"
    months = sorted(p.name.split("=", 1)[1] for p in (longest / pl.FEATURES).glob("as_of_month=*"))
    month = max(months, key=lambda m: len(list((longest / pl.FEATURES / f"as_of_month={m}").iterdir())))
    log(f"Exercise 9(c): read {month} vs all {len(months)} months ...")
    scan = run_phase(phase_scan, settings, str(longest), month)
    scan["month"], scan["months"] = month, len(months)

    result.update({
        "backfill": {"as_of_start": start.isoformat(), "as_of_end": end.isoformat(), **phases,
                     "naive_equals_tiled": equal},
        "incremental": {str(h): v for h, v in incremental.items()},
        "scan": scan,
        "ratios": {
            "tiled_speedup_vs_naive": phases["naive"]["seconds"] / phases["tiled"]["seconds"],
            "tiled_vs_floor": phases["tiled"]["seconds"] / phases["floor"]["seconds"],
            "incremental_longest_vs_shortest": incremental[history[-1]]["seconds"] / incremental[history[0]]["seconds"],
            "scan_rows_one_month_vs_all": scan["one_month"]["rows_scanned"] / max(1, scan["all_months"]["rows_scanned"]),
        },
        "aims": AIMS,
    })
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _count_events(data: Path, first: date, last: date) -> int:
    con = datagen.connect()
    files = [f for fs in pl.event_files(data, first - timedelta(days=1), last) for f in fs]
    return con.execute(f"SELECT sum(num_rows) FROM parquet_file_metadata({files!r})").fetchall()[0][0] or 0


# ---- output -------------------------------------------------------------------------------

def _mb(b) -> str:
    return f"{b / 2**20:,.0f} MB"


def render(result: dict, console) -> None:
    from rich.table import Table

    m, s, d = result["machine"], result["settings"], result["data"]
    console.print(f"[bold]machine[/bold]: {m['cores']} cores, {m['memory_bytes'] / 2**30:.1f} GiB RAM, "
                  f"duckdb {m['duckdb']}, python {m['python']}; memory_limit {s['memory_limit']}, "
                  f"threads {s['threads'] or m['cores']}")
    gen = f", generated in {d['seconds']:.0f}s" if d.get("seconds") else " (reused)"
    console.print(f"[bold]data[/bold]: {d['event_rows']:,} event rows ({_mb(d['events_bytes'])} Parquet){gen}; "
                  f"{s['events_per_day']:,} events/day, density {s['density']:g}")
    b = result["backfill"]
    t = Table(title=f"backfill {s['days']} as-of days ({b['as_of_start']} .. {b['as_of_end']})")
    for col in ("run", "seconds", "event rows/s", "rows written", "peak memory (RSS)"):
        t.add_column(col, justify="left" if col == "run" else "right")
    names = {"floor": "floor: dedup + daily tiles (one pass)", "naive": "naive: 7-day rescan per day",
             "tiled": "tiled: 7 tiles summed per day"}
    for k, label in names.items():
        p = b[k]
        t.add_row(label, f"{p['seconds']:.2f}", f"{p['rows_per_s']:,.0f}", f"{p['rows_out']:,}", _mb(p["peak_rss_bytes"]))
    console.print(t)
    t = Table(title="incremental: one new as-of day (median of 3 runs)")
    for col in ("history (days)", "as-of day", "seconds", "rows written", "peak memory (RSS)"):
        t.add_column(col, justify="right")
    for h, p in result["incremental"].items():
        t.add_row(h, p["as_of_day"], f"{p['seconds']:.2f}", f"{p['rows_out']:,}", _mb(p["peak_rss_bytes"]))
    console.print(t)
    sc = result["scan"]
    t = Table(title=f"Exercise 9(c): training reads {sc['month']} vs all {sc['months']} months")
    for col in ("read", "files", "rows scanned", "bytes scanned", "seconds"):
        t.add_column(col, justify="right")
    for k in ("one_month", "all_months"):
        p = sc[k]
        t.add_row(k.replace("_", " "), str(p["files"]), f"{p['rows_scanned']:,}", _mb(p["bytes_scanned"]), f"{p['seconds']:.3f}")
    console.print(t)
    r = result["ratios"]
    ok = lambda good: "[green]met[/green]" if good else "[red]not met[/red]"  # noqa: E731
    console.print(f"tiled is {r['tiled_speedup_vs_naive']:.1f}x faster than naive (aim >= {AIMS['tiled_vs_naive_speedup_min']:g}x: "
                  f"{ok(r['tiled_speedup_vs_naive'] >= AIMS['tiled_vs_naive_speedup_min'])}); "
                  f"tiled takes {r['tiled_vs_floor']:.2f}x the floor (aim <= {AIMS['tiled_vs_floor_ratio_max']:g}x: "
                  f"{ok(r['tiled_vs_floor'] <= AIMS['tiled_vs_floor_ratio_max'])}); "
                  f"incremental after the longest history takes {r['incremental_longest_vs_shortest']:.2f}x the shortest; "
                  f"naive == tiled: {b['naive_equals_tiled']}")


def cmd_bench(args: argparse.Namespace) -> int:
    from rich.console import Console

    console = Console(width=None if os.isatty(1) else 120)
    if args.what == "hostile":  # issue 16: honest students alone, then beside hostile ones
        from grader.scale import gradebench

        for kind in args.kind:
            gradebench.run_hostile(args.submissions, args.hostile, kind, workers=args.workers,
                                   out_json=args.json, log=lambda msg: console.print(msg))
        return 0
    if args.what == "profile":  # issue 23: where grading's time goes, by kind of check
        from grader.scale import profile

        figures = profile.run(args.submissions, log=lambda msg: console.print(msg, markup=False, highlight=False))
        if args.json:
            from grader.grading.report import atomic_write

            atomic_write(args.json, json.dumps(figures, indent=2) + "\n")
        return 0
    if args.what == "grading":
        from grader.scale import gradebench

        gradebench.run(args.submissions, args.kernel_sample, workers=args.workers, out_json=args.json,
                       log=lambda msg: console.print(msg, markup=False), reference_sample=args.reference_sample,
                       classes=args.classes)
        return 0
    if args.quick:
        args.days, args.events_per_day, args.history = QUICK["days"], QUICK["events_per_day"], QUICK["history"]
        if args.data == str(DEFAULT_DATA):
            args.data = str(DEFAULT_DATA) + "-quick"
    if args.days < 1 or not args.history or min(args.history) < 1:
        console.print("[red]grader bench: --days and --history must be >= 1[/red]")
        return 2
    try:
        result = run(args, log=lambda msg: console.print(f"[dim]{msg}[/dim]"))
    except ValueError as exc:
        console.print(f"[red]grader bench: {exc}[/red]")
        return 2
    render(result, console)
    if args.json:
        from grader.grading.report import atomic_write

        atomic_write(args.json, json.dumps(result, indent=2, default=str) + "\n")
    return 0


def register(subparsers) -> None:
    b = subparsers.add_parser("bench", help="benchmark the reference pipelines on generated data, or grading itself")
    b.add_argument("what", nargs="?", choices=["pipelines", "grading", "profile", "hostile"], default="pipelines",
                   help="pipelines: naive vs tiled vs incremental (default); grading: seconds per submission "
                        "(a class of distinct answers, and one of repeating answers) vs executing the notebooks in a kernel; "
                        "profile: where grading a distinct class spends its CPU time, by kind of check, with and without "
                        "shrinking counterexamples")
    b.add_argument("--submissions", type=int, default=20, help="grading, profile, hostile: generated submissions to grade (default 20)")
    b.add_argument("--hostile", type=int, default=5, help="hostile: hostile submissions graded beside them (default 5)")
    b.add_argument("--kind", nargs="+", default=["stuck"], choices=["stuck", "slow"],
                   help="hostile: every SQL answer ignores interrupts (stuck) or is wrong and slow on every run (slow)")
    b.add_argument("--workers", type=int, default=2, help="grading, hostile: grading processes (default 2)")
    b.add_argument("--classes", nargs="+", default=["distinct", "repeating"], choices=["distinct", "repeating"],
                   help="grading: the generated classes, in order: every answer different (declared right and wrong "
                        "answers made unique per student) and/or answers repeating across students (default: both)")
    b.add_argument("--kernel-sample", type=int, default=1,
                   help="grading: submissions also executed with nbclient for comparison (default 1)")
    b.add_argument("--reference-sample", type=int, default=None,
                   help="grading: submissions also graded by the slow reference path (nothing shared or reused), "
                        "whose verdicts must equal the fast path's (default: all up to 50, else 30)")
    b.add_argument("--days", type=int, default=30, help="as-of days to backfill (default 30)")
    b.add_argument("--events-per-day", type=int, default=datagen.Params.events_per_day)
    b.add_argument("--density", type=float, default=datagen.Params.density,
                   help="events per observed (user, item) pair per day (default 20)")
    b.add_argument("--seed", type=int, default=datagen.Params.seed)
    b.add_argument("--history", type=int, nargs="+", default=[30, 60],
                   help="days of history before the incremental run (default 30 60)")
    b.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit for every run (default 4GB)")
    b.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: every core)")
    b.add_argument("--data", default=str(DEFAULT_DATA), help="generated data folder (reused when its parameters match)")
    b.add_argument("--work", default=str(DEFAULT_WORK), help="scratch folder for the pipelines' output (wiped)")
    b.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    b.add_argument("--quick", action="store_true", help=f"a smoke-test size: {QUICK}")
    b.add_argument("--keep", action="store_true", help="keep the pipelines' output in --work")
    b.set_defaults(func=cmd_bench, tuned_malloc=True)
