"""A batch always finishes, loses no one and leaks nothing (issue 16): every case of
tests/hostile_submissions/ is graded in a class beside honest students; the batch finishes
within its bound, the attacker gets the status the case states, the honest students get
exactly the score they get when graded alone, and every output is written and well-formed."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader import cli
from grader.grading import feedback, report
from grader.grading.grade import find_submissions, grade_many
from grader.engine.results import CheckResult, SubmissionResult
from grader.engine.sandbox import Limits
from hostile_submissions.cases import CASES, ROOT, write_notebook
from test_hostile import reference_sql

LIMITS = Limits(timeout_s=1.0)
BUDGET_S = 12.0
ONLY = ["ex06"]
# Two submissions per worker at most, each within its budget, plus start-up.
BATCH_BOUND_S = 2 * BUDGET_S + 15


def honest_class(root: Path) -> list[Path]:
    """Ada (the reference answer, in her folder) and Bob (a single notebook with a wrong one)."""
    ada = write_notebook(root / "ada" / "ex06.ipynb", "%%sql --save ex06\n" + reference_sql())
    bob = write_notebook(root / "bob.ipynb", "%%sql --save ex06\n" + reference_sql().replace("<=", "<", 1))
    return [ada.parent, bob]


@pytest.fixture(scope="module")
def alone() -> dict[str, float]:
    """The honest students' scores, each graded alone."""
    with tempfile.TemporaryDirectory() as tmp:
        scores = {}
        for path in honest_class(Path(tmp)):
            (r,) = grade_many([path], limits=LIMITS, only=ONLY, workers=1, budget_s=BUDGET_S)
            assert r.status == "graded"
            scores[path.name] = r.score
    assert scores["ada"] > scores["bob.ipynb"] > 0  # the two differ: a mix-up would show
    return scores


def grade_class(root: Path, budget_s: float = BUDGET_S, **kwargs) -> tuple[list[SubmissionResult], float]:
    started = time.monotonic()
    results = grade_many(find_submissions([root]), limits=LIMITS, only=ONLY, workers=2, budget_s=budget_s, **kwargs)
    return results, time.monotonic() - started


def strict_json(text: str) -> dict:
    def refuse(constant):
        raise ValueError(f"bare {constant} in JSON")

    return json.loads(text, parse_constant=refuse)


def student_facing_text(r: SubmissionResult) -> str:
    """Everything of a result a student is shown (the path is the instructor's)."""
    d = r.to_dict()
    d.pop("path")
    return json.dumps(d, ensure_ascii=False)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_submission_costs_nobody_else(case, alone, tmp_path, monkeypatch):
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)  # relative paths in an attack point here
    root = tmp_path / "class"
    honest = honest_class(root)
    attacker = case.build(root, reference_sql())
    results, elapsed = grade_class(root, case.budget_s or BUDGET_S)

    assert elapsed < BATCH_BOUND_S, f"the batch took {elapsed:.1f} s"
    by_path = {r.path: r for r in results}
    for path in honest:  # exact scores, as alone
        assert by_path[str(path)].score == alone[path.name], (path.name, by_path[str(path)].to_dict())
        assert by_path[str(path)].student == path.stem if path.is_file() else path.name
    mine = [r for r in results if str(r.path) not in {str(p) for p in honest}]
    if case.status == "absent":  # a link to a folder is not followed: nothing of it is graded
        assert mine == []
    else:
        assert len(mine) == 1, [r.path for r in mine]
        r = mine[0]
        assert r.status in ({case.status} if isinstance(case.status, str) else case.status), (r.status, r.reason)
        if case.checks is not None:
            assert {c.status for e in r.exercises for c in e.checks} <= case.checks, r.to_dict()
        if r.status == "invalid":
            assert r.reason and r.score == 0
        if r.status == "timeout":
            assert "time budget" in r.reason
        text = student_facing_text(r)
        assert len(text) < 100_000  # messages capped
        for machine_path in {str(Path.home()), tempfile.gettempdir(), str(work), str(ROOT)}:
            assert machine_path not in text
    # Every output is written, well-formed, and holds every student once.
    out = tmp_path / "out"
    report.atomic_write(out / "results.json", report.to_json(results))
    assert len(strict_json((out / "results.json").read_text(encoding="utf-8"))["submissions"]) == len(results)
    report.write_gradebook(out / "gradebook.csv", results)
    rows = list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text(encoding="utf-8"))))
    assert len(rows) == len(results)
    for row in rows:
        assert all(not v or v[0] not in "=+-@\t\r" for v in row.values()), row
    pages = feedback.write_feedback(out / "feedback", results)
    assert len({p.name for p in pages}) == len(results) and all(p.exists() for p in pages)
    # nothing written where learner SQL could have put it
    assert list(work.iterdir()) == []
    # (an empty temp_directory would make the spill attacks aim at the root folder)
    for folder in (Path(tempfile.gettempdir()), Path("/"), ROOT):
        assert not list(folder.glob("hostile_*")), folder


def test_identity_comes_from_the_folder_not_metadata(tmp_path):
    """mallory/ claiming to be ada takes neither ada's row nor her page."""
    root = tmp_path / "class"
    honest_class(root)
    next(c for c in CASES if c.name == "claims_to_be_ada").build(root, reference_sql())
    results, _ = grade_class(root)
    assert sorted(r.student for r in results) == ["ada", "bob", "mallory"]
    mallory = next(r for r in results if r.student == "mallory")
    assert mallory.label == "ada"
    pages = feedback.write_feedback(tmp_path / "feedback", results)
    assert sorted(p.stem for p in pages) == ["ada", "bob", "mallory"]


def test_feedback_file_names_are_unique_bounded_and_safe():
    names = ["a/b", "a_b", "a_b-2", "A_B", "..", ".hidden", "", "x" * 300, "\udcff", "\ud800", "[/oops]", "CON", "é"]
    results = [SubmissionResult(f"/class/{i}", n, "graded", []) for i, n in enumerate(names)]
    files = report.feedback_names(results)
    assert len({f.lower() for f in files}) == len(files)
    for f in files:
        assert 0 < len(f) <= report.MAX_FILE_STEM and f.isascii() and not f.startswith(".")
        assert all(ch.isalnum() or ch in "-_~" for ch in f), f


def test_hidden_rows_are_shown_only_when_the_instructor_opts_in(tmp_path):
    root = tmp_path / "class"
    next(c for c in CASES if c.name == "exfiltrate_rows").build(root, reference_sql())
    wrong = write_notebook(root / "eve" / "ex06.ipynb", "%%sql --save ex06\n" + reference_sql().replace("<=", "<", 1))
    withheld, _ = grade_class(root)
    shown, _ = grade_class(root, show_hidden_rows=True)

    def hidden_checks(results, student):
        r = next(r for r in results if r.student == student)
        return [c for e in r.exercises for c in e.checks if c.hidden]

    leaks = hidden_checks(withheld, "mallory")
    assert leaks and all(c.status == "error" and "LEAK:" not in c.message and "withheld" in c.message for c in leaks)
    assert all(not c.tables for c in hidden_checks(withheld, "eve"))
    assert any(c.tables for c in hidden_checks(shown, "eve"))  # the opt-in shows counterexamples
    assert any("LEAK:" in c.message for c in hidden_checks(shown, "mallory"))
    # the public check runs on the public sample: its error text is the learner's to see
    public = [c for r in withheld if r.student == "mallory" for e in r.exercises for c in e.checks if not c.hidden]
    assert public and all("LEAK:" in c.message for c in public)
    assert wrong.exists()


def test_a_class_folder_of_same_exercise_notebooks_is_not_merged(tmp_path, alone):
    """Issue 10.4: ex06-ada.ipynb and ex06-bob.ipynb in one folder are two submissions, each
    named by the student its file names (so a roster can match them)."""
    root = tmp_path / "class"
    root.mkdir()
    ada = write_notebook(root / "ex06-ada.ipynb", "%%sql --save ex06\n" + reference_sql())
    bob = write_notebook(root / "ex06-bob.ipynb", "%%sql --save ex06\n" + reference_sql().replace("<=", "<", 1))
    said = []
    found = find_submissions([root], log=said.append)
    assert [u.path for u in found] == [ada, bob]
    assert said and "ex06" in said[0] and "not one student's" in said[0]
    results = grade_many(found, limits=LIMITS, workers=2, budget_s=BUDGET_S)
    assert [r.student for r in results] == ["ada", "bob"]
    assert [[e.id for e in r.exercises] for r in results] == [["ex06"], ["ex06"]]
    assert [r.score for r in results] == [alone["ada"], alone["bob.ipynb"]]
    assert all(any("graded as a submission of its own" in n for n in r.notes) for r in results)


def test_a_folder_of_distinct_exercises_is_still_one_student(tmp_path):
    ada = tmp_path / "class" / "ada"
    write_notebook(ada / "ex06.ipynb", "%%sql --save ex06\n" + reference_sql())
    write_notebook(ada / "ex11.ipynb", "%%sql --save ex11\nSELECT 1")
    assert [u.path for u in find_submissions([tmp_path / "class"])] == [ada]


# ---------- dead workers ----------

def _killing_run_check(flag: Path | None):
    """A run_check step that kills its own worker process (as the out-of-memory killer does) on
    mallory's answer: every time, or only the first time when `flag` is given."""
    from grader.grading import grade

    real = grade.STEPS.run_check

    def run(check, answers, limits):
        answer = answers.get("ex06")
        if answer is not None and "KILL_ME" in (answer.sql or ""):
            if flag is None or not flag.exists():
                if flag is not None:
                    flag.write_text("killed once")
                os.kill(os.getpid(), signal.SIGKILL)
        return real(check, answers, limits)

    return run


@pytest.mark.parametrize("every_time", [True, False], ids=["dies_every_time", "dies_once"])
def test_a_killed_worker_costs_only_its_own_submission(every_time, tmp_path, alone, monkeypatch):
    from grader.grading import grade

    flag = None if every_time else tmp_path / "flag"
    steps = dataclasses.replace(grade.STEPS, run_check=_killing_run_check(flag))  # the workers are forked with it
    root = tmp_path / "class"
    honest = honest_class(root)
    # the reference answer, marked by its alias (comments are stripped as jupysql strips them)
    marked = "SELECT * FROM (" + reference_sql().strip().rstrip(";") + ") AS KILL_ME"
    write_notebook(root / "mallory" / "ex06.ipynb", "%%sql --save ex06\n" + marked)
    write_notebook(root / "zed" / "ex06.ipynb", "%%sql --save ex06\n" + reference_sql())  # queued behind mallory
    results, elapsed = grade_class(root, steps=steps)
    by_student = {r.student: r for r in results}
    assert by_student["ada"].score == alone["ada"] and by_student["zed"].score == alone["ada"]
    assert by_student["bob"].score == alone["bob.ipynb"]
    assert all(r.status == "graded" for r in results)
    mallory = by_student["mallory"]
    if every_time:  # retried once, then reported on the check; the other checks still run
        first = mallory.exercises[0].checks[0]
        assert first.status == "error" and "died twice" in first.message
        assert mallory.score == 0
    else:  # the retry in a fresh worker succeeds: nothing lost
        assert mallory.score == alone["ada"]
        assert any("retried in a fresh worker" in n for n in mallory.notes)
    assert honest


def test_workers_do_not_outlive_a_killed_grader(tmp_path):
    """kill -9 of `grader check` mid-batch: its workers end within seconds."""
    root = tmp_path / "class"
    for i in range(4):
        write_notebook(root / f"s{i}" / "ex06.ipynb", "%%sql --save ex06\nSELECT length(repeat('x', 1000000000)) AS n")
    proc = subprocess.Popen([sys.executable, "-m", "grader.cli", "check", str(root), "-q", "--workers", "2",
                             "--timeout", "5"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers: list[int] = []
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            workers = _children(proc.pid)
        assert len(workers) >= 2, "the grader never started its workers"
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)]
    finally:
        if proc.poll() is None:
            proc.kill()


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_cli_prints_and_writes_for_hostile_names(tmp_path):
    """The summary table and every output survive names that are markup, not UTF-8 or long."""
    root = tmp_path / "class"
    honest_class(root)
    for name in ("rich_markup_name", "non_utf8_folder", "long_name", "lone_surrogate_label"):
        next(c for c in CASES if c.name == name).build(root, reference_sql())
    out = tmp_path / "out"
    code = cli.main(["check", str(root), "--json", str(out / "r.json"), "--gradebook", str(out / "g.csv"),
                     "--feedback", str(out / "fb"), "--workers", "2", "--timeout", "1", "--budget", str(BUDGET_S)])
    assert code == 0
    assert len(strict_json((out / "r.json").read_text(encoding="utf-8"))["submissions"]) == 6
    assert len(list((out / "fb").iterdir())) == 6


def test_links_named_on_the_command_line_are_not_followed(tmp_path):
    """`grader check submissions/*` expands a student's link too: it is named, not followed."""
    (tmp_path / "mallory").symlink_to(ROOT / "solutions", target_is_directory=True)
    (tmp_path / "eve.ipynb").symlink_to(ROOT / "solutions" / "ex06.ipynb")
    said = []
    assert find_submissions([tmp_path / "mallory", tmp_path / "eve.ipynb"], log=said.append) == []
    assert len(said) == 2 and all("not followed" in s for s in said)


def test_checks_count_against_the_budget(tmp_path, alone, monkeypatch):
    """Checks that each finish in time but together outlast the budget: the submission is
    stopped at its budget, its finished checks kept, the rest count 0."""
    from grader.grading import grade

    real = grade.STEPS.run_check

    def slow(check, answers, limits):
        if "AS mallory" in (answers["ex06"].sql or ""):  # her answer, marked by its alias
            time.sleep(1.5)
        return real(check, answers, limits)

    root = tmp_path / "class"
    honest_class(root)
    marked = "SELECT * FROM (" + reference_sql().strip().rstrip(";") + ") AS mallory"
    write_notebook(root / "mallory" / "ex06.ipynb", "%%sql --save ex06\n" + marked)
    results = grade_many(find_submissions([root]), limits=LIMITS, only=ONLY, workers=2, budget_s=4,
                         steps=dataclasses.replace(grade.STEPS, run_check=slow))
    by_student = {r.student: r for r in results}
    mallory = by_student["mallory"]
    assert mallory.status == "timeout" and "time budget of 4 s" in mallory.reason
    statuses = [c.status for c in mallory.exercises[0].checks]
    assert "pass" in statuses and statuses[-1] == "timeout"  # the first ones finished, the last did not
    assert 0 < mallory.score < alone["ada"]
    assert by_student["ada"].score == alone["ada"] and by_student["bob"].score == alone["bob.ipynb"]


def test_reading_counts_against_the_budget(tmp_path, alone, monkeypatch):
    """A submission whose reading never ends is stopped at its budget, from outside."""
    from grader.grading import grade

    real = grade.STEPS.read

    def slow_read(unit):  # a Unit from find_submissions (str: its path)
        if str(unit).endswith("mallory"):
            time.sleep(600)
        return real(unit)

    root = tmp_path / "class"
    honest_class(root)
    write_notebook(root / "mallory" / "ex06.ipynb", "%%sql --save ex06\n" + reference_sql())
    started = time.monotonic()
    results = grade_many(find_submissions([root]), limits=LIMITS, only=ONLY, workers=2, budget_s=3,
                         steps=dataclasses.replace(grade.STEPS, read=slow_read))
    assert time.monotonic() - started < 30
    by_student = {r.student: r for r in results}
    assert by_student["mallory"].status == "timeout" and "time budget of 3 s" in by_student["mallory"].reason
    assert by_student["mallory"].score == 0
    assert by_student["ada"].score == alone["ada"] and by_student["bob"].score == alone["bob.ipynb"]


def test_spill_folders_of_dead_grader_processes_are_removed(monkeypatch):
    """Earlier versions left <tmp>/week12-grader-PID behind; the next run removes those whose
    process is gone, and leaves a running process's alone."""
    from grader.grading.grade import remove_stale_temp_folders

    tmp = Path(tempfile.gettempdir())
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale, live = tmp / f"week12-grader-{dead.pid}", tmp / f"week12-grader-{os.getpid()}"
    for folder in (stale, live):
        folder.mkdir(exist_ok=True)
        (folder / "spill.tmp").write_bytes(b"x" * 1000)
    try:
        remove_stale_temp_folders()
        assert not stale.exists() and live.exists()
    finally:
        import shutil

        shutil.rmtree(live, ignore_errors=True)
        shutil.rmtree(stale, ignore_errors=True)


def test_the_sandbox_has_no_temp_folder_to_name():
    from grader.engine import sandbox
    from grader.domain.tables import load_seed

    con = sandbox.open_sandbox(load_seed())
    try:
        assert con.execute("SELECT current_setting('temp_directory')").fetchone()[0] == ""
    finally:
        con.close()


def test_a_worker_killed_from_outside_mid_batch_loses_nobody(tmp_path, alone, monkeypatch):
    """The out-of-memory killer's view: kill -9 of one worker process while the class is being
    graded. Every student is honest here, so every score must be exactly the one alone."""
    import threading

    from grader.grading import grade

    real = grade.STEPS.run_check

    def unhurried(check, answers, limits):  # the batch lasts long enough to be killed mid-way
        time.sleep(0.1)
        return real(check, answers, limits)


    root = tmp_path / "class"
    honest_class(root)
    for i in range(6):
        write_notebook(root / f"ada{i}" / "ex06.ipynb", "%%sql --save ex06\n" + reference_sql())
    killed: list[int] = []

    def kill_one() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not killed:
            time.sleep(0.2)
            if len(_children(os.getpid())) >= 2:
                time.sleep(0.5)  # mid-submission
                for victim in _children(os.getpid())[:1]:
                    try:
                        os.kill(victim, signal.SIGKILL)
                        killed.append(victim)
                    except ProcessLookupError:
                        pass

    killer = threading.Thread(target=kill_one)
    killer.start()
    results, _ = grade_class(root, steps=dataclasses.replace(grade.STEPS, run_check=unhurried))
    killer.join()
    assert killed, "no worker was killed"
    assert any("retried in a fresh worker" in n for r in results for n in r.notes)  # it was at work
    for r in results:
        assert r.status == "graded", r.to_dict()
        assert r.score == (alone["bob.ipynb"] if r.student == "bob" else alone["ada"]), r.student
