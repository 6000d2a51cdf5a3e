"""`grader`: a thin command line over the package. Verbs: check, report, release, data, bench.

Exit codes: 0 when the command ran (whatever the scores), 2 for bad usage, 3 when `check
--manual` wrote every output but some score rows were refused or matched no submission."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path


def cmd_check(args: argparse.Namespace) -> int:
    with _fixture_secret(args.fixture_secret):
        return _check(args)


def _check(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True)
    if args.format == "prairielearn":  # one submission in, PrairieLearn's results.json out
        from grader.grading.platforms import prairielearn

        return prairielearn.cmd(args)
    if not args.budget > 0 or not args.timeout > 0:
        console.print("[red]grader check: --budget and --timeout must be positive numbers of seconds[/red]")
        return 2
    try:
        only = _exercise_ids(args.exercises)
    except ValueError as exc:
        console.print(f"[red]grader check: {escape(str(exc))}[/red]")
        return 2
    import tempfile

    # zips are extracted here for the run and removed after it
    with tempfile.TemporaryDirectory(prefix="week12-intake-") as workdir:
        return _check_units(args, console, only, Path(workdir))


def _exercise_ids(text: str | None) -> list[str] | None:
    """`--exercises ex06,ex07` -> ["ex06", "ex07"]; ValueError naming an unknown id."""
    from grader.course import exercises

    if not text:
        return None
    ids = [i.strip().lower() for i in text.replace(" ", ",").split(",") if i.strip()]
    unknown = [i for i in ids if i not in exercises.IDS]
    if unknown or not ids:
        raise ValueError(f"--exercises: unknown exercise {', '.join(unknown) or text!r} (known: {', '.join(exercises.IDS)})")
    return list(dict.fromkeys(ids))


def _check_units(args: argparse.Namespace, console, only, workdir: Path) -> int:
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from grader.delivery import intake
    from grader.engine.sandbox import Limits
    from grader.grading import report
    from grader.grading.grade import grade_many

    try:
        delivery = intake.gather(args.paths, workdir, only=only,
                                 log=lambda msg: console.print(f"[yellow]grader check: {escape(msg)}[/yellow]"))
    except FileNotFoundError as exc:
        console.print(f"[red]grader check: {escape(str(exc))}[/red]")
        return 2
    paths = delivery.units
    if not paths:
        console.print("[red]grader check: no .ipynb files found[/red]")
        return 2
    assignments = {}
    try:  # a wrong assignment id or worksheet is said before grading, not after
        if args.gradebook_format == "canvas":
            from grader.grading.platforms import canvas

            assignments = canvas.check_options(args.roster, args.canvas_prefix, args.canvas_total, args.canvas_assignment)
        elif args.gradebook_format == "moodle":
            from grader.grading.platforms import moodle

            moodle.check_options(args.roster)
    except (ValueError, OSError) as exc:
        console.print(f"[red]grader check: {escape(str(exc))}[/red]")
        return 2
    limits = Limits(timeout_s=args.timeout)
    with Progress(
        TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=console, transient=True, disable=args.quiet,
    ) as progress:
        task = progress.add_task("", total=len(paths))

        def advance(r) -> None:
            progress.update(task, advance=1, description=escape(r.student[:60]))  # a name is not markup

        started = time.monotonic()
        results = grade_many(paths, hidden=not args.public_only, limits=limits, workers=args.workers, progress=advance,
                             budget_s=args.budget, show_hidden_rows=args.feedback_hidden_rows)
    grading = {"seconds": round(time.monotonic() - started, 3), "submissions": len(results),
               "finished_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "workers": args.workers or os.cpu_count(), "budget_s": args.budget, "timeout_s": args.timeout,
               "hidden_checks": not args.public_only}
    base = report.graded_folder(args.paths)  # paths in gradebooks are relative to it
    manual_problems = []
    if args.manual:  # the instructor's scores of written answers, into every output below
        from grader.grading import manual

        manual_problems = manual.merge_file(results, args.manual, base)
        for problem in manual_problems:
            console.print(f"[yellow]--manual: {escape(problem)}[/yellow]")
    if not args.quiet:
        from rich.console import Console

        # piped output (a log file, CI) gets a wide console so check names are never cut
        report.print_summary(results, Console() if sys.stdout.isatty() else Console(width=160),
                             report_path=args.report, json_path=args.json)
    for line in report.notes_summary(delivery.notes):  # what the intake skipped, ignored, grouped
        console.print(f"[yellow]grader check: {escape(line)}[/yellow]")
    if args.gradebook and args.gradebook_format == "canvas":
        from grader.grading.platforms import canvas

        for line in canvas.write(args.gradebook, results, roster=args.roster, base=base, prefix=args.canvas_prefix,
                                 total=args.canvas_total, set_points=args.canvas_set_points, assignments=assignments):
            console.print(f"[yellow]canvas: {escape(line)}[/yellow]")
            if line.startswith("no roster student"):  # identities the roster does not know, in --json notes too
                delivery.note("unmatched", line)
    elif args.gradebook and args.gradebook_format == "moodle":
        from grader.grading.platforms import moodle

        for line in moodle.write(args.gradebook, results, args.roster, base=base):
            console.print(f"[yellow]moodle: {escape(line)}[/yellow]")
            if line.startswith("no worksheet row"):  # identities the worksheet does not know, in --json notes too
                delivery.note("unmatched", line)
    elif args.gradebook:
        report.write_gradebook(args.gradebook, results, base)
    if args.json or args.report:  # after the gradebook: its unmatched identities are notes too
        document = report.to_json(results, grading, notes=[n.to_dict() for n in delivery.notes])
        if args.json:
            report.atomic_write(args.json, document)
        if args.report:  # built from the JSON document, as `grader report` builds it from the saved file
            from grader.grading import class_report

            report.atomic_write(args.report, class_report.page(json.loads(document)))
    if args.feedback:
        from grader.grading.feedback import write_feedback

        write_feedback(args.feedback, results, hidden_rows=args.feedback_hidden_rows)
    if manual_problems:  # every output is written; the status says some scores were not merged
        from grader.grading.manual import EXIT_ROWS_NOT_MERGED

        console.print(f"[red]--manual: {len(manual_problems)} row(s) not merged (listed above)[/red]")
        return EXIT_ROWS_NOT_MERGED
    return 0


@contextlib.contextmanager
def _fixture_secret(secret: str | None):
    """Disguise hidden fixtures for this run (grader/engine/disguise.py): the instructor's secret, else
    $GRADER_FIXTURE_SECRET, else a fresh one per run. Set before any exercise is loaded, so the
    grading processes inherit it; put back afterwards, so a caller in the same process (a test,
    a notebook) keeps its own fixtures."""
    import os
    import secrets

    from grader.course import exercises
    from grader.engine.exercise import SECRET_ENV

    before = os.environ.get(SECRET_ENV)
    os.environ[SECRET_ENV] = secret or before or secrets.token_hex(16)
    exercises.get.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(SECRET_ENV, None)
        else:
            os.environ[SECRET_ENV] = before
        exercises.get.cache_clear()


def cmd_report(args: argparse.Namespace) -> int:
    """`grader report results.json --out class.html`: the class report from a saved `--json`, no grading."""
    from grader.grading import class_report, report

    try:
        doc = json.loads(Path(args.results).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"grader report: cannot read {args.results}: {exc}", file=sys.stderr)
        return 2
    if not isinstance(doc, dict) or not isinstance(doc.get("submissions"), list):
        print(f"grader report: {args.results} is not a `grader check --json` file (no \"submissions\" list)", file=sys.stderr)
        return 2
    started = time.monotonic()
    report.atomic_write(args.out, class_report.page(doc))
    print(f"wrote {args.out} ({len(doc['submissions']):,} submissions, {time.monotonic() - started:.1f} s)")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from grader.authoring import release

    if args.what == "notebooks":
        release.build_notebooks(args.only or None, run=not args.no_execute)
    elif args.what == "diagrams":
        from grader.authoring import diagram

        diagram.render_all()
    elif args.what == "docs":
        from grader.authoring import docs

        print("README.md exercise table " + ("updated" if docs.update_readme() else "already current"))
    elif args.what == "bundle":
        release.bundle(Path(args.out or "release"))
    elif args.what == "gradescope":
        path = release.gradescope(Path(args.out or "release-gradescope"), hidden_visibility=args.hidden_visibility,
                                  hidden_rows=args.hidden_rows, only=args.only or None,
                                  manual_csv=Path(args.manual) if args.manual else None,
                                  download_deps=args.download_deps)
        print(f"wrote {path}: upload it as the assignment's autograder (Gradescope: Configure Autograder)")
        from grader.grading.platforms import gradescope

        for line in gradescope.points_note(args.only or None, manual=bool(args.manual)):
            print(line)
    elif args.what == "prairielearn":
        from grader.authoring import prairielearn_release

        try:
            done = prairielearn_release.build(Path(args.out or "release-prairielearn"), image=args.image,
                                              budget_s=args.budget, hide_hidden_details=args.hide_hidden_details,
                                              only=args.only or None, course_instance=args.course_instance)
        except ValueError as exc:
            print(f"grader release prairielearn: {exc}", file=sys.stderr)
            return 2
        print("\n".join(done.summary()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grader", description="Week 12 workbook: grade, release, data, bench.")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help="grade notebooks (files or folders) against public and hidden checks")
    c.add_argument("paths", nargs="+", help=".ipynb files, .zip files (a Canvas or Gradescope download) or folders holding them")
    c.add_argument("--exercises", metavar="ex06,ex07", help="grade these exercises only: totals, maxima and every "
                   "gradebook column are over them (default: a lone exercise notebook its own exercise, else all)")
    c.add_argument("--json", metavar="FILE", help="write every result as JSON")
    c.add_argument("--gradebook", metavar="FILE.csv", help="write/update the CSV gradebook (rows replaced, never duplicated)")
    c.add_argument("--feedback", metavar="DIR", help="write one HTML feedback page per student")
    c.add_argument("--report", metavar="FILE.html", help="write the class report: scores, common mistakes, "
                   "pass rates, what could not be graded (one self-contained HTML file)")
    c.add_argument("--public-only", action="store_true", help="run only the public checks (what students see)")
    c.add_argument("--fixture-secret", metavar="TEXT", default=None,
                   help="disguise hidden fixtures with this secret (default: $GRADER_FIXTURE_SECRET, else new each run)")
    c.add_argument("--workers", type=int, default=None, help="processes to grade with (default: one per core)")
    c.add_argument("--timeout", type=float, default=5.0, help="seconds each check may run (default 5)")
    c.add_argument("--budget", type=float, default=60.0, metavar="SECONDS",
                   help="seconds one submission may take in all, reading it and every check (default 60); "
                        "over it, the submission's status is timeout")
    c.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no tables")
    c.add_argument("--manual", metavar="ANSWERS.csv", help="merge the instructor's scores of written answers "
                   "(from `grader manual export`) into every output")
    c.add_argument("--gradebook-format", choices=["default", "canvas", "moodle"], default="default",
                   help="canvas: the CSV Canvas imports (Student, ID, SIS User ID, SIS Login ID, Section, parts); "
                        "moodle: the assignment's grading worksheet with Grade filled in, for Upload grading worksheet")
    c.add_argument("--roster", metavar="EXPORT.csv",
                   help="canvas: a gradebook export mapping submissions to students; moodle: the grading worksheet "
                        "downloaded from the assignment (required)")
    c.add_argument("--canvas-prefix", default="Week 12", help="canvas: assignment column names start with this (default 'Week 12')")
    c.add_argument("--canvas-total", action="store_true",
                   help="canvas: one column holding each student's total instead of one per exercise part")
    c.add_argument("--canvas-set-points", action="store_true",
                   help="canvas: where the roster's Points Possible differs from the grader's, write the grader's "
                        "(the import then changes the assignment); default: keep the roster's and say so")
    c.add_argument("--canvas-assignment", action="append", metavar="PART=ID",
                   help="canvas: write a part into the roster's column of that assignment id, e.g. ex06=5501, "
                        "'ex06 written=5502', total=5600 (repeat for more)")
    c.add_argument("--feedback-hidden-rows", action="store_true",
                   help="feedback pages and --json show hidden checks' fixture rows and DuckDB's error text on "
                        "hidden data too (default: their message only)")
    c.add_argument("--format", choices=["text", "prairielearn"], default="text",
                   help="prairielearn: grade ONE submission and write PrairieLearn's results.json (see --results)")
    c.add_argument("--results", metavar="FILE", help="prairielearn: where results.json goes "
                   "(default $PRAIRIELEARN_GRADE_ROOT/results/results.json, root /grade)")
    c.add_argument("--hide-hidden-details", action="store_true",
                   help="prairielearn: each exercise's hidden checks as one line of points, without names or messages")
    c.set_defaults(func=cmd_check, tuned_malloc=True)

    rp = sub.add_parser("report", help="write the class report (HTML) from a saved `grader check --json` file")
    rp.add_argument("results", help="the JSON `grader check --json` wrote")
    rp.add_argument("--out", default="class.html", metavar="FILE.html", help="where the report goes (default class.html)")
    rp.set_defaults(func=cmd_report)

    r = sub.add_parser("release", help="build notebooks, render diagrams, or write the student bundle")
    r.add_argument("what", choices=["notebooks", "diagrams", "docs", "bundle", "gradescope", "prairielearn"])
    r.add_argument("out", nargs="?", help="bundle: the folder to write (default release/)")
    r.add_argument("--only", nargs="*", help="notebooks, gradescope, prairielearn: only these exercise ids")
    r.add_argument("--no-execute", action="store_true", help="notebooks: do not execute the solutions")
    r.add_argument("--hidden-visibility", default="after_published",
                   choices=["hidden", "after_due_date", "after_published", "visible"],
                   help="gradescope: when students see hidden checks (default after_published)")
    r.add_argument("--hidden-rows", action="store_true", help="gradescope: show hidden checks' fixture rows too")
    r.add_argument("--manual", metavar="ANSWERS.csv", help="gradescope: written answers' scores to merge")
    r.add_argument("--download-deps", action="store_true",
                   help="gradescope: ship every pinned dependency wheel too (a fully offline setup.sh)")
    r.add_argument("--image", default="week12-workbook-grader:latest",
                   help="prairielearn: the grading image's name as PrairieLearn pulls it (built from image/Dockerfile)")
    r.add_argument("--budget", type=float, default=60.0, metavar="SECONDS",
                   help="prairielearn: seconds one submission may take (default 60); the job timeout is 30 s more")
    r.add_argument("--hide-hidden-details", action="store_true",
                   help="prairielearn: students see each exercise's hidden checks as one line of points only")
    r.add_argument("--course-instance", default="Week12",
                   help="prairielearn: the course instance folder the assessment is written under (default Week12)")
    r.set_defaults(func=cmd_release)

    # More verbs register here (data, bench).
    for module in ("grader.scale.datagen", "grader.scale.bench", "grader.grading.manual"):
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
    if argv is None and getattr(args, "tuned_malloc", False):  # a grading command, from the console
        from grader import malloc_cache

        malloc_cache.restart_tuned()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
