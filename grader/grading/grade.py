"""Grade submissions: answers -> checks in sandboxes -> results. The `check` verb.

`grade_many` grades a batch; `grade_path` one submission the same way. Neither ever raises on
a bad submission: it becomes a status. The batch design (issue 16):

- this process (the grader) forks one long-lived worker per core after preparing every check
  (the workers inherit what `Check.prepare` built); a worker reads a submission and runs its
  checks, sending each result as it finishes;
- the grader watches from outside: each submission has a budget (reading + checks, default
  60 s), each check `check_budget`; a worker past either, or whose watchdog reports a query
  that ignores DuckDB's interrupt, is killed and replaced, and the submission goes on from
  the next check in a fresh worker;
- a worker that dies costs the check it was on one retry in a fresh worker, then an `error`
  on that check; no later check runs SQL that wedged or killed a worker;
- workers die with the grader (PR_SET_PDEATHSIG, and a thread polling for the parent).
- an answer identical to one already graded in the batch (a blank cell, the same snippet) takes
  that result: the grader collects each shareable result (never a timeout, memory or grader
  error) and sends workers the new ones with their next submission (`_answer_key` says what
  must match; `share=False` turns it off).

`grade_exercise(isolate=True)` (tests, one exercise) keeps the simpler child-per-call design."""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from grader.course import exercises
from grader.engine.exercise import Exercise
from grader.engine.notebook import Submission, exercise_id_of, is_exercise_notebook, notebook_files, read_student, read_submission
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult, bound_check, bound_submission
from grader.engine.sandbox import Limits


def _run_check(check, answers: dict, limits: Limits) -> CheckResult:
    try:
        return check.run(answers, limits)
    except Exception as exc:  # a grader bug must not cost the student the whole batch
        traceback.print_exc()
        return CheckResult(check.name, "error", 0.0, check.points, f"internal grader error: {exc!r}", check.hidden)


def grade_exercise(
    ex: Exercise, answers: dict, hidden: bool = True, limits: Limits = Limits(), isolate: bool = False
) -> ExerciseResult:
    """Run the exercise's checks. `isolate` (used when grading submissions) runs them in a child
    process that is killed when a statement ignores DuckDB's interrupt or memory limit."""
    checks = ex.all_checks(hidden)
    if isolate and _can_fork():
        results = _run_isolated(checks, answers, limits)
    else:
        results = [_run_check(c, answers, limits) for c in checks]
    return ExerciseResult(ex.id, ex.title, results)


# ---------- isolation: a child process per exercise, replaced when a check wedges it ----------

CHILD_MEMORY_BYTES = 3 * 1024**3  # address space a child may add: DuckDB is capped far lower


def check_budget(limits: Limits) -> float:
    """Wall time one check may take in a child (its query, reruns and shrinking) before a kill."""
    return max(30.0, 6 * limits.timeout_s)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _cap_memory() -> None:
    try:
        import resource

        with open("/proc/self/status") as fh:
            size_kb = next(int(line.split()[1]) for line in fh if line.startswith("VmSize:"))
        cap = size_kb * 1024 + CHILD_MEMORY_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except Exception:  # no /proc or no rlimits: the wall-clock kill still applies
        pass


def _child(checks, answers, limits, send) -> None:
    from grader.engine import sandbox

    _cap_memory()

    def stuck(seconds: float) -> None:
        send.send(("stuck", seconds))
        os._exit(0)

    sandbox.ON_STUCK = stuck
    inherited = getattr(sandbox, "_instances", None)
    if isinstance(inherited, dict):  # a DuckDB instance copied by fork is not safe to use
        keep_alive = dict(inherited)  # noqa: F841  (never closed: os._exit ends the child)
        inherited.clear()
    for i, check in enumerate(checks):
        send.send(("done", i, _run_check(check, _answers_at(answers, i), limits)))
    send.close()


def _answers_at(answers: dict | list[dict], i: int) -> dict:
    """One answer set for every check, or one per check (a student's notebooks, see read_student)."""
    return answers[i] if isinstance(answers, list) else answers


def _run_isolated(checks: list, answers: dict | list[dict], limits: Limits) -> list[CheckResult]:
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    results: list[CheckResult] = []
    while len(results) < len(checks):
        start = len(results)
        recv, send = ctx.Pipe(duplex=False)
        rest = answers[start:] if isinstance(answers, list) else answers
        proc = ctx.Process(target=_child, args=(checks[start:], rest, limits, send))
        proc.start()
        send.close()
        lost = None
        while len(results) < len(checks):
            check = checks[len(results)]
            try:
                if not recv.poll(check_budget(limits)):
                    lost = ("timeout", f"{check.answer}: the check did not finish within {check_budget(limits):g} s and was stopped")
                    break
                message = recv.recv()
            except (EOFError, OSError):
                lost = ("error", f"{check.answer}: the query crashed the grader's sandbox (it ran out of memory?)")
                break
            if message[0] == "stuck":
                lost = ("timeout", f"{check.answer}: stopped after {message[1]:g} s: the query builds one enormous "
                        "value (a huge string or list?) and never finished")
                break
            results.append(message[2])
        if lost:
            results.append(CheckResult(check.name, lost[0], 0.0, check.points, lost[1], check.hidden))
            # The same answer would wedge the next child too: its other checks are not re-run.
            while len(results) < len(checks) and checks[len(results)].answer == check.answer:
                nxt = checks[len(results)]
                results.append(CheckResult(nxt.name, lost[0], 0.0, nxt.points,
                                           f"{lost[1]} (not run again: see {check.name})", nxt.hidden))
        proc.kill()
        proc.join()
        recv.close()
    return results


def _assemble(path, student, wanted, flat, outcomes, **extra) -> SubmissionResult:
    by_exercise: dict[str, list[CheckResult]] = {ex.id: [] for ex in wanted}
    for (ex, _), outcome in zip(flat, outcomes):
        by_exercise[ex.id].append(outcome)
    results = [ExerciseResult(ex.id, ex.title, by_exercise[ex.id]) for ex in wanted]
    return SubmissionResult(str(path), student, extra.pop("status", "graded"), results, **extra)


def grade_path(path, hidden: bool = True, limits: Limits = Limits(), only=None, budget_s: float | None = None,
               show_hidden_rows: bool = False) -> SubmissionResult:
    """Grade one submission: a notebook file, or a student's folder of exercise notebooks, as
    grade_many does (in a worker process, under the submission budget). A lone exercise
    notebook (`ex06.ipynb` named on its own) is graded on its exercise only."""
    return grade_many([Path(path)], hidden, limits, workers=1, only=only, budget_s=budget_s,
                      show_hidden_rows=show_hidden_rows)[0]


def exercises_for(path: Path, only=None) -> list[str]:
    """The exercises a submission is graded on: `only`, else its own exercise for a lone
    exercise notebook, else every exercise."""
    if only:
        return list(only)
    exercise_id = exercise_id_of(path)
    if exercise_id in exercises.IDS and not path.is_dir():
        return [exercise_id]
    return list(exercises.available())


def read_unit(path: Path) -> Submission:
    """A submission as find_submissions names it: a student's folder or one notebook file."""
    if path.is_dir() and not path.is_symlink():
        files, skipped = notebook_files(path)
        sub = read_student([f for f in files if is_exercise_notebook(f)], _show_name(path.name))
        sub.notes[:0] = skipped
        if not files:
            sub.invalid = "no exercise notebook in this folder could be read" + (": " + "; ".join(skipped) if skipped else "")
        return sub
    sub = read_submission(path)
    sub.student = _show_name(path.stem)
    exercise_id = exercise_id_of(path)
    if exercise_id:
        files, _ = notebook_files(path.parent)
        twins = [f.name for f in files if f != path and exercise_id_of(f) == exercise_id]
        if twins:
            sub.notes.insert(0, f"graded as a submission of its own: its folder also holds {', '.join(map(_show_name, twins[:3]))}"
                                f"{', …' if len(twins) > 3 else ''} for {exercise_id}, so the folder is not one student's work")
    return sub


def _show_name(name: str) -> str:
    from grader.engine.results import safe_text

    return safe_text(name, paths=False)


def find_submissions(paths: Iterable[str | Path], log: Callable[[str], None] | None = None) -> list[Path]:
    """The submissions under `paths`, each once, sorted.

    A folder holding exercise notebooks (`ex06.ipynb`, `ex06-ada.ipynb`) is one student's
    submission when they are notebooks of distinct exercises (the workbook is twelve
    notebooks). When two of them are the same exercise (a class folder holding `ex06-ada`
    and `ex06-bob`), the folder is not one student's: each of its notebooks is a submission
    by itself, graded on its exercise, and `log` is told. Any other notebook is a submission
    by itself, named by its file. Links inside folders are never followed; paths are made
    absolute without resolving links."""
    found: list[Path] = []
    for p in map(Path, paths):
        if not p.exists():
            raise FileNotFoundError(f"no such file or folder: {p}")
        p = Path(os.path.abspath(p))
        if p.is_symlink():  # `grader check submissions/*` would otherwise follow a student's link
            if log:
                log(f"{_show_name(str(p))} is a link: not followed (name the file or folder it points to)")
            continue
        if not p.is_dir():
            found.append(p)  # a file named on the command line is graded as given
            continue
        for folder, files, skipped in _walk(p, log=log):
            ex_files = [f for f in files if is_exercise_notebook(f)]
            found.extend(f for f in files if not is_exercise_notebook(f))
            if not ex_files:
                if skipped:  # only links, pipes or devices: reported as an unreadable submission
                    found.append(folder)
                continue
            by_id: dict[str, list[Path]] = {}
            for f in ex_files:
                by_id.setdefault(exercise_id_of(f), []).append(f)
            repeated = {i: fs for i, fs in by_id.items() if len(fs) > 1}
            if not repeated:
                found.append(folder)
                continue
            found.extend(ex_files)
            if log:
                i, fs = sorted(repeated.items())[0]
                log(f"{_show_name(str(folder))} holds {len(fs)} notebooks for {i} ({', '.join(_show_name(f.name) for f in fs[:4])}"
                    f"{', …' if len(fs) > 4 else ''}): it is not one student's folder, so each of its "
                    f"{len(ex_files)} exercise notebooks is graded as a submission of its own")
    return sorted(dict.fromkeys(found))


def _walk(root: Path, max_depth: int = 8, log: Callable[[str], None] | None = None):
    """(folder, its .ipynb regular files) for root and the folders below it, links never
    followed, `.ipynb_checkpoints` and hidden folders skipped."""
    stack = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        files, skipped = notebook_files(folder)
        yield folder, files, skipped
        if depth >= max_depth:
            continue
        try:
            entries = list(os.scandir(folder))
            subdirs = sorted(e.path for e in entries if e.is_dir(follow_symlinks=False)
                             and not e.name.startswith(".") and e.name != "__pycache__")
            links = sorted(e.name for e in entries if e.is_symlink() and e.is_dir())
        except OSError:
            continue
        if links and log:
            log(f"{_show_name(str(folder))}: not followed, links to folders: {', '.join(map(_show_name, links[:5]))}")
        stack.extend((Path(d), depth + 1) for d in reversed(subdirs))


# ---------- the batch: long-lived worker processes, watched and replaced from outside ----------

DEFAULT_BUDGET_S = 60.0  # per submission: reading it and every check; the grader's aim is ~1 s


@dataclass
class _Job:
    index: int
    path: Path
    exercise_ids: list[str]
    hidden: bool
    limits: Limits
    show_hidden_rows: bool
    share: bool = True  # answers already graded in this batch are not graded again (see _answer_key)


def _flat_checks(job: _Job) -> list[tuple[Exercise, object]]:
    return [(ex, c) for ex in map(exercises.get, job.exercise_ids) for c in ex.all_checks(job.hidden)]


def _die_with_parent(parent: int) -> None:
    """A worker ends as soon as the grader that started it is gone (even after kill -9)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except Exception:
        pass

    def watch() -> None:  # elsewhere (and as a second line): poll for a new parent
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    import threading

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)


def _worker_main(conn, parent: int) -> None:
    """A worker: grades one job at a time, sending each check's result as it finishes."""
    from grader.engine import sandbox

    _die_with_parent(parent)
    _cap_memory()

    def stuck(seconds: float) -> None:
        try:
            conn.send(("stuck", seconds))
        finally:
            os._exit(0)

    sandbox.ON_STUCK = stuck
    inherited = getattr(sandbox, "_instances", None)
    if isinstance(inherited, dict):  # a DuckDB instance copied by fork is not safe to use or close
        keep_alive = dict(inherited)  # noqa: F841  (never closed: os._exit ends the worker)
        inherited.clear()
    known: dict[str, CheckResult] = {}  # this batch's shared answers: _answer_key -> result
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        if message is None:
            os._exit(0)
        job, skip, shared = message if len(message) == 3 else (*message, {})
        known.update(shared)
        _fresh_sandbox(sandbox)  # nothing of one student's sandbox is left for the next
        try:
            sub = read_unit(job.path)
        except Exception as exc:  # a grader bug: this submission is reported, the batch goes on
            traceback.print_exc()
            sub = Submission(str(job.path), job.path.name, invalid=f"the grader failed to read it: {exc!r}"[:500])
        flat = _flat_checks(job)
        sql_of = [_sql_key(sub.answers_for(ex.id).get(check.answer)) for ex, check in flat] if not sub.invalid else []
        keys = [_answer_key(ex, check, sub.answers_for(ex.id).get(check.answer), job)
                for ex, check in flat] if job.share and not sub.invalid else []
        conn.send(("read", (sub.student, sub.label, sub.invalid, [n[:500] for n in sub.notes[:200]]), sql_of, keys))
        if not sub.invalid:
            for i, (ex, check) in enumerate(flat):
                if i in skip:
                    continue
                key = keys[i] if keys else None
                if key is not None and key in known:  # the same answer to the same check: its result
                    conn.send(("done", i, known[key]))
                    continue
                sandbox.DB_DETAILS = not check.hidden or job.show_hidden_rows
                result = bound_check(_run_check(check, sub.answers_for(ex.id), job.limits), job.show_hidden_rows)
                if key is not None and _shareable(result) and len(known) < SHARED_MAX:
                    known[key] = result
                conn.send(("done", i, result))
        sandbox.DB_DETAILS = True
        conn.send(("end",))


def _answer_key(ex: Exercise, check, answer, job: _Job) -> str | None:
    """What a check's result depends on, as one digest: the check graded (the very object, which
    carries this process's disguised fixtures, plus its exercise, name and the disguise secret
    in force), the answer's content (kind, SQL text, value, reading error; not its student, file
    or cell), and how it is graded (limits, hidden rows shown or not). Two students whose answers
    share the key get the same result, so the check runs once per batch. None: never shared."""
    import hashlib
    import pickle

    from grader.engine.exercise import SECRET_ENV

    what = None if answer is None else (answer.kind, answer.sql, answer.value, answer.error)
    try:
        blob = pickle.dumps((id(check), ex.id, check.name, check.answer, type(check).__qualname__, check.hidden,
                             os.environ.get(SECRET_ENV) or "", job.limits, job.show_hidden_rows, job.hidden, what),
                            protocol=4)
    except Exception:  # a value pickle cannot write: graded on its own
        return None
    return hashlib.sha256(blob).hexdigest()


# Results kept for sharing, at most: the answers many students share (a blank cell, the
# template's text) come early and often; a class of all-different answers would otherwise
# keep every result of the batch in every worker.
SHARED_MAX = 5_000


def _shareable(result: CheckResult) -> bool:
    """A result another student's identical answer may reuse: a verdict on the answer itself,
    never one that depends on the machine at the time (a time limit, memory, a grader crash)."""
    if result.status == "timeout":
        return False
    if result.status == "error":
        text = result.message
        return not (text.startswith("internal grader error") or "out of memory" in text or "stopped after" in text)
    return True


def _sql_key(answer) -> str | None:
    """What makes two checks' SQL the same run: the rendered SQL text (None when not SQL)."""
    if answer is None or getattr(answer, "kind", None) != "sql" or not answer.sql:
        return None
    import hashlib

    return hashlib.sha256(answer.sql.encode("utf-8", "surrogatepass")).hexdigest()


def _fresh_sandbox(sandbox) -> None:
    instances = getattr(sandbox, "_instances", None)
    if isinstance(instances, dict):
        for con in instances.values():
            try:
                con.close()
            except Exception:
                pass
        instances.clear()
    state = getattr(sandbox, "_state", None)
    if isinstance(state, dict):
        state.update(suspect=False, attached=[], live=set())


class _Worker:
    def __init__(self, ctx):
        recv, send = ctx.Pipe(duplex=True)
        self.conn = recv
        self.proc = ctx.Process(target=_worker_main, args=(send, os.getpid()), daemon=True)
        self.proc.start()
        send.close()
        self.synced = 0  # how many of the batch's shared results this worker has been sent

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.join(5)
        except Exception:
            pass
        self.conn.close()


class _Run:
    """One submission being graded: what came back so far and its deadlines."""

    def __init__(self, job: _Job, budget_s: float):
        self.job = job
        self.checks = _flat_checks(job)
        self.results: dict[int, CheckResult] = {}
        self.started = time.monotonic()
        self.deadline = self.started + budget_s
        self.budget_s = budget_s
        self.read = None  # (student, label, invalid, notes) once the worker has read it
        self.died: set[int] = set()  # check positions (-1: reading) a worker already died on
        self.sql_of: list[str | None] = []  # per check, the SQL it runs (a hash), from the worker
        self.keys: list[str | None] = []  # per check, its _answer_key (empty when not shared)
        self.check_started = self.started
        self.notes: list[str] = []

    def next_index(self) -> int:
        i = 0
        while i in self.results:
            i += 1
        return i

    def current(self) -> int:
        return -1 if self.read is None else self.next_index()

    def lose(self, i: int, status: str, message: str) -> None:
        """Check i ends as `status`; no later check runs the same SQL again (it would wedge or
        kill a fresh worker the same way): they end the same, with a pointer to this one."""
        ex, check = self.checks[i]
        self.results[i] = CheckResult(check.name, status, 0.0, check.points, message, check.hidden)
        key = self.sql_of[i] if i < len(self.sql_of) else None
        for j in range(i + 1, len(self.checks)):
            nxt = self.checks[j][1]
            same = (key is not None and j < len(self.sql_of) and self.sql_of[j] == key) or (
                nxt.answer == check.answer and all(self.checks[k][1].answer == check.answer for k in range(i, j)))
            if same and j not in self.results:
                self.results[j] = CheckResult(nxt.name, status, 0.0, nxt.points,
                                              f"{message} (not run again: see {ex.id} {check.name})", nxt.hidden)

    def finish(self, status: str | None = None, reason: str | None = None) -> SubmissionResult:
        student, label, invalid, notes = self.read or (_show_name(self.job.path.stem if not self.job.path.is_dir()
                                                                    else self.job.path.name), None, None, [])
        seconds = time.monotonic() - self.started
        if (invalid and status is None) or status == "invalid":
            return SubmissionResult(str(self.job.path), student, "invalid", [], reason=reason or invalid,
                                    notes=list(notes) + self.notes, label=label, seconds=seconds)
        wanted = [exercises.get(i) for i in self.job.exercise_ids]
        outcomes = []
        for i, (ex, check) in enumerate(self.checks):
            outcomes.append(self.results.get(i) or CheckResult(
                check.name, "timeout", 0.0, check.points,
                f"not run: the submission used up its time budget of {self.budget_s:g} s", check.hidden))
        return _assemble(self.job.path, student, wanted, self.checks, outcomes, status=status or "graded",
                         reason=reason, notes=list(notes) + self.notes, label=label, seconds=seconds)


def _grade_in_workers(jobs: list[_Job], workers: int, budget_s: float, progress) -> list[SubmissionResult]:
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork")
    pending = list(reversed(jobs))
    slots: list[tuple[_Worker | None, _Run | None]] = [(None, None)] * workers
    done: dict[int, SubmissionResult] = {}
    # Results of answers shared by several students, in the order learned; each worker is sent
    # those it has not seen with its next submission, so a shared answer runs once per batch.
    shared: list[tuple[str, CheckResult]] = []
    learned: set[str] = set()

    def learn(run: _Run, i: int, result: CheckResult) -> None:
        key = run.keys[i] if i < len(run.keys) else None
        if key is not None and key not in learned and _shareable(result) and len(shared) < SHARED_MAX:
            learned.add(key)
            shared.append((key, result))

    def start(slot: int, run: _Run, worker: _Worker | None = None) -> None:
        worker = worker or _Worker(ctx)
        run.check_started = time.monotonic()
        message = (run.job, set(run.results))
        if run.job.share:
            message += (dict(shared[worker.synced:]),)
            worker.synced = len(shared)
        try:
            worker.conn.send(message)
        except (OSError, ValueError):  # the worker is already gone: the next wait sees it
            pass
        slots[slot] = (worker, run)

    def complete(slot: int, run: _Run, worker: _Worker | None, *args) -> None:
        result = bound_submission(run.finish(*args), run.job.show_hidden_rows)
        done[run.job.index] = result
        slots[slot] = (worker, None)
        if progress:
            progress(result)

    def replace(slot: int, run: _Run, worker: _Worker) -> None:
        """The worker is killed; the submission goes on in a fresh one, or ends at its budget."""
        worker.kill()
        if all(i in run.results for i in range(len(run.checks))) and run.read:
            complete(slot, run, None)
        elif time.monotonic() >= run.deadline:
            complete(slot, run, None, "timeout", _budget_reason(run))
        else:
            start(slot, run)

    try:
        while pending or any(run for _, run in slots):
            for slot, (worker, run) in enumerate(slots):
                if run is None and pending:
                    start(slot, _Run(pending.pop(), budget_s), worker)
            busy = [(slot, w, r) for slot, (w, r) in enumerate(slots) if r is not None]
            now = time.monotonic()
            nearest = min(min(r.deadline, r.check_started + check_budget(r.job.limits)) for _, _, r in busy)
            ready = wait([w.conn for _, w, _ in busy] + [w.proc.sentinel for _, w, _ in busy],
                         timeout=max(0.0, min(nearest - now, 1.0)))
            for slot, worker, run in busy:
                if worker.conn in ready or worker.proc.sentinel in ready:
                    _drain(slot, worker, run, complete, replace, learn)
            now = time.monotonic()
            for slot, (worker, run) in enumerate(slots):
                if run is None or worker is None:
                    continue
                if now >= run.deadline:
                    worker.kill()
                    complete(slot, run, None, "timeout", _budget_reason(run))
                elif now >= run.check_started + check_budget(run.job.limits):
                    i = run.current()
                    budget = check_budget(run.job.limits)
                    if i < 0:
                        run.notes.append(f"reading the submission took over {budget:g} s")
                        worker.kill()
                        complete(slot, run, None, "timeout", f"reading the submission took over {budget:g} s; it was stopped")
                        continue
                    run.lose(i, "timeout", f"{run.checks[i][1].answer}: the check did not finish within {budget:g} s and was stopped")
                    replace(slot, run, worker)
    finally:
        for worker, _ in slots:
            if worker is not None:
                try:
                    worker.conn.send(None)
                except Exception:
                    pass
                worker.kill()
    return [done[j.index] for j in jobs]


def _budget_reason(run: _Run) -> str:
    ran = sum(1 for r in run.results.values() if "not run" not in r.message)
    return (f"grading stopped after the submission's time budget of {run.budget_s:g} s "
            f"({ran} of {len(run.checks)} checks had finished; the rest count 0)")


def _drain(slot, worker: _Worker, run: _Run, complete, replace, learn=None) -> None:
    """Handle everything the worker sent; a dead worker costs only the check it was on, and
    only after it has been tried once more in a fresh worker."""
    while True:
        try:
            if not worker.conn.poll():
                if worker.proc.is_alive():
                    return
                raise EOFError
            message = worker.conn.recv()
        except (EOFError, OSError):
            i = run.current()
            if i in run.died:  # the second death on the same spot: reported, not retried again
                if i < 0:
                    worker.kill()
                    complete(slot, run, None, "invalid",
                             "the grader's worker process died twice while reading this submission")
                    return
                run.lose(i, "error", f"{run.checks[i][1].answer}: the grader's worker process died twice on this check "
                                     "(killed, or out of memory?)")
            else:
                run.died.add(i)
                run.notes.append(f"a grader worker died {'while reading' if i < 0 else 'on ' + run.checks[i][1].name}; "
                                 "retried in a fresh worker")
            replace(slot, run, worker)
            return
        kind = message[0]
        run.check_started = time.monotonic()
        if kind == "read":
            run.read, run.sql_of = message[1], message[2]
            run.keys = message[3] if len(message) > 3 else []
        elif kind == "done":
            run.results[message[1]] = message[2]
            if learn is not None:
                learn(run, message[1], message[2])
        elif kind == "stuck":
            i = run.current()
            run.lose(i, "timeout", f"{run.checks[i][1].answer}: stopped after {message[1]:g} s: the query builds one "
                                   "enormous value (a huge string or list?) and never finished")
            replace(slot, run, worker)
            return
        elif kind == "end":
            complete(slot, run, worker)
            return


def grade_many(
    paths: list[Path],
    hidden: bool = True,
    limits: Limits = Limits(),
    workers: int | None = None,
    only=None,
    progress: Callable[[SubmissionResult], None] | None = None,
    budget_s: float | None = None,
    show_hidden_rows: bool = False,
    share: bool = True,
) -> list[SubmissionResult]:
    """Grade every path; results come back in `paths` order.

    Each submission gets `budget_s` (default DEFAULT_BUDGET_S) for reading it and running all
    its checks, in a worker process this process watches and kills when the budget, a check's
    budget or an ignored interrupt says so; a worker that dies is replaced and the check it
    was on tried once more. Texts are bounded (results.bound_submission); a hidden check's
    rows and DuckDB's own error text on hidden data are withheld unless `show_hidden_rows`.
    `share`: an answer identical to one already graded in this batch (a blank cell, the same
    snippet) takes that result instead of running again (see _answer_key); False grades every
    answer afresh (the benchmark's reference path)."""
    paths = [Path(p) for p in paths]
    if not paths:
        return []
    budget_s = DEFAULT_BUDGET_S if budget_s is None else budget_s
    workers = max(1, min(workers or os.cpu_count() or 1, len(paths)))
    jobs = [_Job(i, p, exercises_for(p, only), hidden, limits, show_hidden_rows, share) for i, p in enumerate(paths)]
    from grader.engine.sandbox import remove_stale_temp_folders

    remove_stale_temp_folders()
    if not _can_fork():  # no fork (Windows): in this process, one at a time, without a budget
        return [_grade_here(job, progress) for job in jobs]
    for ex_id in dict.fromkeys(i for j in jobs for i in j.exercise_ids):
        for check in exercises.get(ex_id).all_checks(hidden):  # built once, inherited by every worker
            check.prepare(limits)
    return _grade_in_workers(jobs, workers, budget_s, progress)


def _grade_here(job: _Job, progress) -> SubmissionResult:
    from grader.engine import sandbox

    started = time.monotonic()
    try:
        sub = read_unit(job.path)
        if sub.invalid:
            result = SubmissionResult(str(job.path), sub.student, "invalid", [], reason=sub.invalid, notes=sub.notes,
                                      label=sub.label)
        else:
            flat = _flat_checks(job)
            outcomes = []
            for ex, check in flat:
                sandbox.DB_DETAILS = not check.hidden or job.show_hidden_rows
                outcomes.append(_run_check(check, sub.answers_for(ex.id), job.limits))
            sandbox.DB_DETAILS = True
            wanted = [exercises.get(i) for i in job.exercise_ids]
            result = _assemble(job.path, sub.student, wanted, flat, outcomes, notes=sub.notes, label=sub.label,
                               seconds=time.monotonic() - started)
    except Exception as exc:  # report it, grade the rest
        result = SubmissionResult(str(job.path), job.path.stem, "invalid", [], reason=f"grader crashed: {exc!r}")
    result = bound_submission(result, job.show_hidden_rows)
    if progress:
        progress(result)
    return result
