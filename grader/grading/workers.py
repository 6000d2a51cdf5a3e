"""The batch behind grade_many: long-lived worker processes, each reading a submission and running its
checks, watched and replaced from outside (the design is in grade.py's docstring)."""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from grader.course import exercises
from grader.engine import readonly
from grader.engine.exercise import Exercise
from grader.engine.notebook import Submission
from grader.engine.results import CheckResult, SubmissionResult, bound_check, bound_submission
from grader.engine.sandbox import Limits
from grader.grading.steps import Steps, assemble, cap_memory, check_budget, limits_for, rows_shown, show_name


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
    unit: object = None  # the intake's Unit (grader/delivery/units.py): what to read and who it is


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


def _worker_main(conn, parent: int, steps: Steps) -> None:
    """A worker: grades one job at a time with `steps`, sending each check's result as it finishes."""
    from grader.engine import sandbox

    _die_with_parent(parent)
    cap_memory()

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
            sub = steps.read(job.unit or job.path)
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
                sandbox.DB_DETAILS = rows_shown(check, job.show_hidden_rows)
                result = bound_check(steps.run_check(check, sub.answers_for(ex.id), limits_for(check, job.limits, job.show_hidden_rows)), job.show_hidden_rows)
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
    readonly.forget()  # the kept fixture of read-only queries too


class _Worker:
    def __init__(self, ctx, steps: Steps):
        recv, send = ctx.Pipe(duplex=True)
        self.conn = recv
        self.proc = ctx.Process(target=_worker_main, args=(send, os.getpid(), steps), daemon=True)
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
        student, label, invalid, notes = self.read or (show_name(
            self.job.unit.identity.student if self.job.unit else self.job.path.stem), None, None, [])
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
        return assemble(self.job.path, student, wanted, self.checks, outcomes, status=status or "graded",
                         reason=reason, notes=list(notes) + self.notes, label=label, seconds=seconds)


def _grade_in_workers(jobs: list[_Job], workers: int, budget_s: float, progress, steps: Steps) -> list[SubmissionResult]:
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
        worker = worker or _Worker(ctx, steps)
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
