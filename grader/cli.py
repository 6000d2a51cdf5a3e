"""`grader`: a thin command line over the package. Verbs: check, release, data, bench.

Exit codes: 0 when the command ran (whatever the scores), 2 for bad usage."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def cmd_check(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from . import report
    from .grade import find_submissions, grade_many
    from .sandbox import Limits

    console = Console(stderr=True)
    _use_fixture_secret(args.fixture_secret)
    try:
        paths = find_submissions(args.paths)
    except FileNotFoundError as exc:
        console.print(f"[red]grader check: {exc}[/red]")
        return 2
    if not paths:
        console.print("[red]grader check: no .ipynb files found[/red]")
        return 2
    limits = Limits(timeout_s=args.timeout)
    with Progress(
        TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=console, transient=True, disable=args.quiet,
    ) as progress:
        task = progress.add_task("", total=len(paths))

        def advance(r) -> None:
            progress.update(task, advance=1, description=r.student)

        results = grade_many(paths, hidden=not args.public_only, limits=limits, workers=args.workers, progress=advance)
    if not args.quiet:
        # piped output (a log file, CI) gets a wide console so check names are never cut
        report.print_summary(results, Console() if sys.stdout.isatty() else Console(width=160))
    if args.json:
        report.atomic_write(args.json, report.to_json(results))
    if args.gradebook:
        report.write_gradebook(args.gradebook, results)
    if args.feedback:
        report.write_feedback(args.feedback, results)
    return 0


def _use_fixture_secret(secret: str | None) -> None:
    """Disguise hidden fixtures for this run (grader/disguise.py): the instructor's secret, else
    $GRADER_FIXTURE_SECRET, else a fresh one per run. Set before any exercise is loaded, so the
    grading processes inherit it."""
    import os
    import secrets

    from . import exercises
    from .exercise import SECRET_ENV

    os.environ[SECRET_ENV] = secret or os.environ.get(SECRET_ENV) or secrets.token_hex(16)
    exercises.get.cache_clear()


def cmd_release(args: argparse.Namespace) -> int:
    from . import release

    if args.what == "notebooks":
        release.build_notebooks(args.only or None, run=not args.no_execute)
    elif args.what == "diagrams":
        from . import diagram

        diagram.render_all()
    elif args.what == "docs":
        from . import docs

        print("README.md exercise table " + ("updated" if docs.update_readme() else "already current"))
    elif args.what == "bundle":
        release.bundle(Path(args.out or "release"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grader", description="Week 12 workbook: grade, release, data, bench.")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help="grade notebooks (files or folders) against public and hidden checks")
    c.add_argument("paths", nargs="+", help=".ipynb files or folders holding them")
    c.add_argument("--json", metavar="FILE", help="write every result as JSON")
    c.add_argument("--gradebook", metavar="FILE.csv", help="write/update the CSV gradebook (rows replaced, never duplicated)")
    c.add_argument("--feedback", metavar="DIR", help="write one HTML feedback page per student")
    c.add_argument("--public-only", action="store_true", help="run only the public checks (what students see)")
    c.add_argument("--fixture-secret", metavar="TEXT", default=None,
                   help="disguise hidden fixtures with this secret (default: $GRADER_FIXTURE_SECRET, else new each run)")
    c.add_argument("--workers", type=int, default=None, help="processes to grade with (default: one per core)")
    c.add_argument("--timeout", type=float, default=5.0, help="seconds each check may run (default 5)")
    c.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no tables")
    c.set_defaults(func=cmd_check)

    r = sub.add_parser("release", help="build notebooks, render diagrams, or write the student bundle")
    r.add_argument("what", choices=["notebooks", "diagrams", "docs", "bundle"])
    r.add_argument("out", nargs="?", help="bundle: the folder to write (default release/)")
    r.add_argument("--only", nargs="*", help="notebooks: only these exercise ids")
    r.add_argument("--no-execute", action="store_true", help="notebooks: do not execute the solutions")
    r.set_defaults(func=cmd_release)

    # More verbs register here (data, bench).
    for module in ("grader.datagen", "grader.bench"):
        try:
            mod = __import__(module, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        mod.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
