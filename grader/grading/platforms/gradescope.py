"""Gradescope: the autograder zip and what runs inside Gradescope's container.

    grader release gradescope OUT/ [--hidden-visibility after_published] [--hidden-rows]
                                   [--only ex06 ...] [--manual answers.csv]

writes OUT/autograder.zip holding, at its root (as Gradescope requires):
  setup.sh          runs once when Gradescope builds the image: a venv at /autograder/venv with
                    the pinned grading dependencies (from wheels/ when they are there, offline;
                    else from PyPI at the pinned versions) and this project's wheel (shipped)
  run_autograder    runs per submission: grades /autograder/submission (one notebook, or the
                    student's exercise notebooks) with public and hidden checks and writes
                    /autograder/results/results.json; if Python cannot even start it still
                    writes a results.json that says so
  requirements.txt  the exact pins; wheels/ the project wheel; week12-gradescope.json the options

results.json follows Gradescope's specification (gradescope-autograders.readthedocs.io/en/latest/specs/):
top level `score`, `execution_time`, `output`, `output_format`, `visibility`, `stdout_visibility`,
`tests`; one test per check with `name`, `number` ("6.2": exercise 6, its second check),
`score`, `max_score`, `status` (`passed`/`failed`), `output` + `output_format` (`html`: the
message and counterexample tables), `tags` (the exercise id) and `visibility`: public checks
`visible`, hidden checks `after_published` by default (configurable). A written answer not yet
scored is an informational test with no score (Gradescope's convention for checks that are not
scored) saying it waits for the instructor; it is never a 0.

The root is $GRADESCOPE_AUTOGRADER_ROOT (default /autograder), so tests run the real
run_autograder on a temporary /autograder-shaped tree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from grader.grading.report import fmt_points
from grader.engine.results import SubmissionResult, bound_submission
from grader.grading.platforms import check_html, grade_one, points_by_exercise

ROOT_ENV = "GRADESCOPE_AUTOGRADER_ROOT"
CONFIG_NAME = "week12-gradescope.json"
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
REPO = Path(__file__).resolve().parents[3]
# What grading imports (the CLI's tables, JupyterLab and the diagram JDK are not needed).
GRADING_DEPS = ("duckdb", "sqlglot", "sqlparse", "nbformat", "rich")
DEFAULTS = {"hidden_visibility": "after_published", "hidden_rows": False, "only": None, "timeout": 5.0,
            "public_only": False}


def exercise_number(exercise_id: str) -> str:
    digits = "".join(ch for ch in exercise_id if ch.isdigit())
    return str(int(digits)) if digits else exercise_id


def results_json(r: SubmissionResult, hidden_visibility: str = "after_published", hidden_rows: bool = False,
                 execution_time: float | None = None) -> dict:
    """Gradescope's results.json for one graded (or invalid) submission."""
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"hidden_visibility must be one of {', '.join(VISIBILITIES)}")
    r = bound_submission(r, show_hidden_rows=hidden_rows)  # the one rule for hidden rows and text bounds
    out: dict = {
        "score": r.score,
        "execution_time": round(execution_time if execution_time is not None else r.seconds, 3),
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",  # the grader's log is for the instructor
        "tests": [],
    }
    if r.status == "invalid":
        out["score"] = 0
        out["output"] = (f"**This submission could not be graded:** {_md(r.reason or 'unknown reason')}\n\n"
                         "Nothing was scored. Hand in your notebook(s) (`.ipynb`) again.")
        return out
    # The summary is always visible: while hidden checks are not, it counts public checks only
    # (a per-exercise total would give their verdicts away; Gradescope hides the total itself).
    reveal = hidden_visibility == "visible"

    def shown(checks):
        return [c for c in checks if reveal or not c.hidden]

    def total(checks) -> str:
        got = sum(c.points for c in checks if not c.pending)
        out_of = sum(c.max_points for c in checks if not c.pending)
        return f"{fmt_points(got)} / {fmt_points(out_of)}"

    every = [c for e in r.exercises for c in shown(e.checks)]
    lines = [f"**{total(every)}** from the {'automatic' if reveal else 'public'} checks"]
    if r.manual_pending:
        lines[0] += f" (+ {fmt_points(r.manual_pending)} points of written answers, to be scored by your instructor)"
    lines.append("")
    for e in r.exercises:
        pending = sum(c.max_points for c in e.checks if c.pending)
        lines.append(f"- {e.id} {_md(e.title)}: {total(shown(e.checks))}"
                     + (f" (+{fmt_points(pending)} written, to be scored)" if pending else ""))
    if not reveal and any(c.hidden for e in r.exercises for c in e.checks):
        lines += ["", "Hidden checks (other data, other traps) and your total are shown when your instructor "
                      "publishes grades."]
    lines.extend(f"\n_{_md(n)}_" for n in r.notes)
    out["output"] = "\n".join(lines)
    for e in r.exercises:
        for i, c in enumerate(e.checks, start=1):
            test = {
                "name": f"{e.id} {c.name}" + (" (hidden)" if c.hidden else ""),
                "number": f"{exercise_number(e.id)}.{i}",
                "output": check_html(c),
                "output_format": "html",
                "tags": [e.id],
                "visibility": hidden_visibility if c.hidden else "visible",
            }
            if c.pending:  # informational: no score until the instructor gives one
                test["name"] += " (written answer, to be scored)"
            else:
                test["score"] = c.points
                test["max_score"] = c.max_points
                test["status"] = "passed" if c.status == "pass" else "failed"
            out["tests"].append(test)
    return out


def _md(text: str) -> str:
    """Text a student wrote, safe inside Gradescope's Markdown (no HTML, no link syntax)."""
    return "".join("\\" + ch if ch in "\\`*_[]<>#|!" else ch for ch in str(text))


def points_note(only=None, manual: bool = False) -> list[str]:
    """What to type into the assignment's settings (Gradescope: Settings, Autograder points),
    from the declarations: the automatic checks' points, plus the written answers' when their
    scores are merged into the autograder's (release --manual); else they are yours to score."""
    points = points_by_exercise(only)
    auto = sum(a for _, a, _ in points)
    written = sum(w for *_, w in points)
    scope = f"{len(points)} exercise(s)" if only else "the workbook"
    lines = [f"Autograder points to enter in Gradescope: {auto + written if manual else auto:g} "
             f"({scope}: {auto:g} from automatic checks" + (f" + {written:g} of written answers, merged from --manual)" if manual else ")")]
    if written and not manual:
        lines.append(f"Written answers are worth {written:g} more points: score them (grader manual export) and release "
                     f"again with --manual (then enter {auto + written:g}), or grade them in Gradescope as a separate question.")
    return lines


def load_config(root: Path) -> dict:
    path = root / "source" / CONFIG_NAME
    config = dict(DEFAULTS)
    if path.exists():
        config.update(json.loads(path.read_text(encoding="utf-8")))
    return config


def student_of(root: Path) -> str | None:
    """The student Gradescope says this is (submission_metadata.json), for matching written scores."""
    try:
        meta = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))
        user = (meta.get("users") or [{}])[0]
        return user.get("email") or user.get("sid") or user.get("name")
    except (OSError, ValueError, AttributeError, IndexError):
        return None


def run(root: Path | None = None) -> dict:
    """Grade ROOT/submission and write ROOT/results/results.json. Never raises: whatever
    happens, results.json exists and says what happened."""
    started = time.perf_counter()
    root = Path(root or os.environ.get(ROOT_ENV) or "/autograder")
    results_path = root / "results" / "results.json"
    try:
        config = load_config(root)
        result = grade_one(root / "submission", only=config.get("only"), hidden=not config.get("public_only"),
                           timeout_s=float(config.get("timeout", 5.0)))
        who = student_of(root)
        if who:
            result.student = who
        scores = root / "source" / "manual.csv"
        if scores.exists() and result.status == "graded":
            from grader.grading import manual

            for problem in manual.merge_file([result], scores, base=root / "submission", report_unmatched=False):
                print(f"manual scores: {problem}")
        data = results_json(result, config.get("hidden_visibility", "after_published"),
                            bool(config.get("hidden_rows")), time.perf_counter() - started)
    except Exception as exc:  # a grader bug: the student still gets a result that says so
        data = {"score": 0, "execution_time": round(time.perf_counter() - started, 3), "output_format": "md",
                "output": f"**The autograder failed on this submission** ({_md(repr(exc))}). "
                          "Your instructor has been shown the log; nothing was scored.",
                "visibility": "visible", "stdout_visibility": "hidden", "tests": []}
        import traceback

        traceback.print_exc()
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {results_path}: score {data.get('score')} ({len(data.get('tests', []))} tests)")
    return data


# ---------- the zip ----------

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${WEEK12_VENV:-/autograder/venv}"
PY=""
for c in python3.13 python3.12 python3.11 python3; do
  if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then PY="$c"; break; fi
done
if [ -z "$PY" ]; then  # Gradescope's Ubuntu 22.04 image has Python 3.10: take 3.11 from Ubuntu
  apt-get update && apt-get install -y python3.11 python3.11-venv
  PY=python3.11
fi
"$PY" -m venv "$VENV" || { apt-get install -y python3-venv "$("$PY" -c 'import sys; print(f"python3.{sys.version_info[1]}-venv")')"; "$PY" -m venv "$VENV"; }
# Offline first: every pinned wheel shipped in wheels/ (grader release gradescope --download-deps);
# otherwise the same exact pins from PyPI.
"$VENV/bin/pip" install --no-index --find-links "$SRC/wheels" -r "$SRC/requirements.txt" \
  || "$VENV/bin/pip" install -r "$SRC/requirements.txt"
"$VENV/bin/pip" install --no-index --no-deps "$SRC"/wheels/week12_workbook-*.whl
# The seeded sample tables live beside the package (grader/domain/tables.py's DATA_DIR), not in it.
DATA="$("$VENV/bin/python" -c 'import grader.domain.tables as c; print(c.DATA_DIR)')"
mkdir -p "$DATA" && cp "$SRC"/data/*.csv "$DATA"/
"$VENV/bin/python" -c "import grader.grading.platforms.gradescope, grader.domain.tables as c; c.load_seed()"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this once per submission (working directory /autograder).
ROOT="${GRADESCOPE_AUTOGRADER_ROOT:-/autograder}"
PY="${WEEK12_PYTHON:-/autograder/venv/bin/python}"
export GRADESCOPE_AUTOGRADER_ROOT="$ROOT"
# glibc reserves 64 MB of address space per thread arena: under a 768 MB limit the grader's
# threads and DuckDB then fail to allocate and checks error out. Two arenas are plenty.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
"$PY" -m grader.grading.platforms.gradescope run
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then  # Python never got as far as writing results
  mkdir -p "$ROOT/results"
  printf '%s\n' '{"score": 0, "output": "The autograder could not start (exit status '"$status"'); nothing was scored. Your instructor can see the log.", "output_format": "text", "stdout_visibility": "hidden", "tests": []}' > "$ROOT/results/results.json"
fi
exit 0
"""


def _requirements(top: tuple[str, ...] = GRADING_DEPS) -> list[str]:
    """Exact pins for what grading imports and everything they require, as installed here."""
    import importlib.metadata as md

    from packaging.requirements import Requirement

    pins: dict[str, str] = {}
    todo = list(top)
    while todo:
        name = todo.pop()
        key = name.lower().replace("_", "-")
        if key in pins:
            continue
        dist = md.distribution(name)
        pins[key] = f"{dist.metadata['Name']}=={dist.version}"
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return sorted(pins.values(), key=str.lower)


def build_wheel(dest: Path) -> Path:
    """This project's wheel (hidden checks included: the autograder is the instructor's)."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # Built from a clean copy: setuptools' build/ folder in the repo would keep stale
        # modules, and nothing is left behind in the working tree.
        src = Path(tmp) / "src"
        shutil.copytree(REPO / "grader", src / "grader", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(REPO / name, src / name)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp, str(src)], check=True)
        wheel = next(Path(tmp).glob("week12_workbook-*.whl"))
        return Path(shutil.copy2(wheel, dest / wheel.name))


def build_zip(out: Path, hidden_visibility: str = "after_published", hidden_rows: bool = False,
              only: list[str] | None = None, manual_csv: Path | None = None, download_deps: bool = False,
              timeout: float = 5.0) -> Path:
    """Write OUT/autograder.zip (setup.sh and run_autograder at its root) and return its path."""
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"--hidden-visibility must be one of {', '.join(VISIBILITIES)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp)
        wheels = stage / "wheels"
        build_wheel(wheels)
        requirements = _requirements()
        (stage / "requirements.txt").write_text("\n".join(requirements) + "\n", encoding="utf-8")
        if download_deps:  # a fully offline zip: every pinned wheel for Gradescope's Linux
            subprocess.run([sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--platform",
                            "manylinux2014_x86_64", "--python-version", "3.11", "-d", str(wheels),
                            "-r", str(stage / "requirements.txt")], check=True)
        config = {"hidden_visibility": hidden_visibility, "hidden_rows": hidden_rows, "only": only,
                  "timeout": timeout, "public_only": False}
        (stage / CONFIG_NAME).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        (stage / "setup.sh").write_text(SETUP_SH, encoding="utf-8")
        (stage / "run_autograder").write_text(RUN_AUTOGRADER, encoding="utf-8")
        if manual_csv:
            shutil.copy2(manual_csv, stage / "manual.csv")
        from grader.domain.tables import DATA_DIR, SEEDED

        (stage / "data").mkdir()
        for table in SEEDED:
            shutil.copy2(DATA_DIR / f"{table}.csv", stage / "data" / f"{table}.csv")
        target = out / "autograder.zip"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(p for p in stage.rglob("*") if p.is_file()):
                info = zipfile.ZipInfo(path.relative_to(stage).as_posix(), date_time=(2025, 1, 1, 0, 0, 0))
                executable = path.name in ("setup.sh", "run_autograder")
                info.external_attr = ((0o755 if executable else 0o644) | 0o100000) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, path.read_bytes())
    return target


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    children.setdefault(int(fh.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except OSError:
                pass
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) * 1024
        except (OSError, StopIteration):
            pass
        todo.extend(children.get(p, []))
    return total


def measure(root: Path, address_space_mb: int = 768, python: str | None = None, cpu: int | None = 0) -> dict:
    """Run ROOT/source/run_autograder as Gradescope would, under an address-space limit (and on
    one core): wall and CPU seconds, peak RSS of the process tree and of its largest process."""
    import resource

    limit = address_space_mb * 1024 * 1024

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if cpu is not None and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {cpu})

    env = {**os.environ, ROOT_ENV: str(root)}
    if python:
        env["WEEK12_PYTHON"] = python
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(["bash", str(root / "source" / "run_autograder")], cwd=root, env=env,
                            preexec_fn=cap, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    return {"wall_s": round(wall, 2), "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2),
            "peak_tree_rss_mb": round(peak / 2**20), "largest_process_rss_mb": round(after.ru_maxrss / 1024),
            "address_space_limit_mb": address_space_mb, "score": data.get("score"), "tests": len(data.get("tests", []))}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["run"]:
        run()
        return 0  # a result was written whatever happened: Gradescope shows it
    if argv[:1] == ["measure"] and len(argv) >= 2:
        # python -m grader.grading.platforms.gradescope measure ROOT [MB [PYTHON]]
        mb = int(argv[2]) if len(argv) > 2 else 768
        print(json.dumps(measure(Path(argv[1]), mb, argv[3] if len(argv) > 3 else None)))
        return 0
    print("usage: python -m grader.grading.platforms.gradescope run                  (inside Gradescope's container)\n"
          "       python -m grader.grading.platforms.gradescope measure ROOT [MB [PYTHON]]   (time and memory of run_autograder)",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
