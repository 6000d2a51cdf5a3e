"""`check()` inside a running notebook: it grades what the notebook holds now.

The kernel knows the cells it ran (their source as run, their cell id, when); the notebook file
on disk (JupyterLab tells the kernel its path, `JPY_SESSION_NAME`) knows the cells as last saved.
Neither alone is the notebook on screen, so check() combines them cell by cell, the newer wins:

- a cell run after the last save counts as it ran (the file is older than that run);
- a cell saved after its last run counts as saved, and if the two differ it was edited and
  not run again: check() grades the saved version (what the grader would read) and says so;
- a cell run in this kernel but absent from a file saved later was deleted: it no longer counts,
  even though jupysql still holds its snippet (a renamed `--save ex6` no longer passes as ex06);
- a cell in the file that this kernel never ran is not graded: "run your answer cell first".

Answers are then read from those cells exactly as the grader reads a file (saved snippets
expanded as jupysql does, literal cells read without running them, near-miss names hinted), so
a pass here means the same answer passes at grading time. Edits neither saved nor run are
invisible to a kernel; the report says when the file was last saved so nothing is claimed that
is not known. Without a notebook file (nbval, nbclient, a console) the cells run are the notebook.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.course import exercises
from grader.grading import report
from grader.grading.grade import grade_exercise
from grader.engine.notebook import SubmittedAnswer, extract_answers
from grader.engine.results import CheckResult, ExerciseResult

FOOTER = (
    "Public checks only. Your instructor's grading also runs hidden checks on other data, "
    "so passing here is necessary, not sufficient."
)


@dataclass
class CheckReport:
    result: ExerciseResult
    notes: list[str] = field(default_factory=list)  # what check() knows about where answers came from

    def _repr_html_(self) -> str:
        import html

        notes = "".join(f'<div style="color:#9a6700;margin:2px 0">⚠ {html.escape(n)}</div>' for n in self.notes)
        return notes + report.exercise_html(self.result, self._footer())

    def __repr__(self) -> str:
        text = report.exercise_text(self.result, self._footer())
        return "\n".join([f"! {n}" for n in self.notes] + [text])

    def _footer(self) -> str:
        if not self.passed:
            return FOOTER
        tried = exercises.hidden_check_names(exercises.get(self.result.id))
        if not tried:
            return "Public checks passed. " + FOOTER
        return ("Public checks passed; not yet the verdict. Your instructor's grading also tries, on other data: "
                + ", ".join(n.replace("_", " ") for n in tried) + ".")

    @property
    def passed(self) -> bool:
        return all(c.status in ("pass", "manual") for c in self.result.checks)


# ---------- what this kernel ran ----------

@dataclass
class Ran:
    source: str
    cell_id: str | None
    at: float  # time.time() when the cell started
    failed: bool = False  # the run raised (a SQL error, jupysql refusing BEGIN...)


_ran: list[Ran] = []  # every cell run in this kernel, in order (see track_cells)


def track_cells(ip) -> None:
    """Record each cell as it runs: source, JupyterLab's cell id, time. IPython's input history
    skips cells run with store_history=False (as nbval runs them) and knows no cell ids."""

    def record(info) -> None:
        if isinstance(getattr(info, "raw_cell", None), str):
            cell_id = getattr(info, "cell_id", None)
            _ran.append(Ran(info.raw_cell, cell_id if isinstance(cell_id, str) and cell_id else None, time.time()))

    def outcome(result) -> None:
        if _ran and not getattr(result, "success", True):
            _ran[-1].failed = True

    ip.events.register("pre_run_cell", record)
    ip.events.register("post_run_cell", outcome)


def last_cell() -> str:
    """The source of the cell running now (or last run)."""
    return _ran[-1].source if _ran else ""


def _runs() -> list[Ran]:
    if _ran:
        return list(_ran)
    from IPython import get_ipython  # no tracking (imported outside a shell): the input history

    ip = get_ipython()
    history = list(ip.history_manager.input_hist_raw) if ip else []
    return [Ran(src, None, 0.0) for src in history if isinstance(src, str) and src]


def _latest_per_cell(runs: list[Ran]) -> list[Ran]:
    """Each cell once, as it last ran, in the order of those last runs (a cell without an id is
    its own cell). A cell re-run with new content replaces what it ran before."""
    latest: dict[object, Ran] = {}
    for i, r in enumerate(runs):
        key = r.cell_id if r.cell_id else i
        latest.pop(key, None)
        latest[key] = r
    return list(latest.values())


# ---------- the notebook file ----------

def notebook_path() -> Path | None:
    """The notebook this kernel serves, as JupyterLab told it at start (absolute path)."""
    name = os.environ.get("JPY_SESSION_NAME")
    try:
        from IPython import get_ipython

        ip = get_ipython()
        name = (ip.user_ns.get("__session__") if ip else None) or name
    except Exception:
        pass
    if not isinstance(name, str) or not name.endswith(".ipynb"):
        return None
    path = Path(name)
    return path if path.is_file() else None


@dataclass
class SavedNotebook:
    path: Path
    saved_at: float
    cells: list[dict]


def _saved_notebook() -> SavedNotebook | None:
    path = notebook_path()
    if path is None:
        return None
    try:
        saved_at = path.stat().st_mtime
        data = json.loads(path.read_text(encoding="utf-8"))
        cells = [c for c in data.get("cells", []) if isinstance(c, dict)]
    except (OSError, ValueError, AttributeError):
        return None
    if cells and not any(isinstance(c.get("id"), str) for c in cells):
        return None  # nbformat < 4.5 has no cell ids: nothing to match the cells run against
    for c in cells:
        if isinstance(c.get("source"), list):
            c["source"] = "".join(s for s in c["source"] if isinstance(s, str))
    return SavedNotebook(path, saved_at, cells)


# ---------- the notebook now: file and kernel, cell by cell ----------

@dataclass
class View:
    cells: list[dict]  # code/markdown cells as the notebook holds them now, in notebook order
    origin: list[str]  # per cell: "ran", "saved-ran" (saved = ran), "edited" (saved after its run, differs), "not-run"
    runs: list[Ran | None] = field(default_factory=list)  # per cell: its last run here, if any
    saved: SavedNotebook | None = None


def notebook_now() -> View:
    runs = _latest_per_cell(_runs())
    saved = _saved_notebook()
    if saved is None:
        return View([{"cell_type": "code", "source": r.source} for r in runs], ["ran"] * len(runs), list(runs))
    by_id = {r.cell_id: r for r in runs if r.cell_id}
    in_file = set()
    cells, origin, last = [], [], []
    for c in saved.cells:
        cid = c.get("id")
        r = by_id.get(cid) if isinstance(cid, str) else None
        kind = c.get("cell_type", "code")
        source = c.get("source", "") if isinstance(c.get("source"), str) else ""
        last.append(r)
        if r is None:
            cells.append({"cell_type": kind, "source": source})
            origin.append("not-run" if kind == "code" else "saved")
            continue
        in_file.add(cid)
        if r.at > saved.saved_at:  # run after the last save: the file is older than the cell
            cells.append({"cell_type": "code", "source": r.source})
            origin.append("ran")
        elif kind == "code" and source == r.source:
            cells.append({"cell_type": "code", "source": source})
            origin.append("saved-ran")
        else:  # saved after its last run, and different: edited (or made Markdown) and not run
            cells.append({"cell_type": kind, "source": source})
            origin.append("edited")
    for r in runs:  # cells run here that the file does not hold
        if r.cell_id not in in_file and (r.at > saved.saved_at or not r.cell_id):  # newer than the file
            cells.append({"cell_type": "code", "source": r.source})
            origin.append("ran")
            last.append(r)
        # else: deleted from the notebook before its last save; it no longer counts
    return View(cells, origin, last, saved)


def _clock(t: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(t))


def kernel_answers(names: list[str]) -> tuple[dict[str, SubmittedAnswer], list[str]]:
    """The answers `names` as the notebook holds them now, and notes for the student when what
    is graded is not simply the cell they ran. An answer that is not graded becomes "missing",
    its reason (never run here, renamed, a near-miss name) in its message."""
    view = notebook_now()
    answers, _ = extract_answers(view.cells)
    notes: list[str] = []
    for name in names:
        a = answers.get(name)
        given = a is not None and a.kind != "missing"
        origin = view.origin[a.cell] if given and a.cell is not None and a.cell < len(view.origin) else ""
        if given and origin == "not-run" and not _placeholder(a):
            answers[name] = SubmittedAnswer(name, "missing", error=(
                f"the notebook has its answer cell (cell {a.cell + 1}), but this kernel has not run it since it "
                "started (a new kernel, or a restart): run your answer cell first, then check again"))
        elif given and origin in ("ran", "saved-ran") and view.runs[a.cell] is not None and view.runs[a.cell].failed:
            notes.append(f"{name}: your answer cell failed when it last ran here (see its error). check() grades "
                         "the cell's text, as your instructor's grader will, so it can pass even though this "
                         "notebook could not run it; make it run here too.")
        elif given and origin == "edited":
            notes.append(f"{name}: graded the cell as saved in {view.saved.path.name} at "
                         f"{_clock(view.saved.saved_at)}; it differs from what you last ran in it (edited and not "
                         "run again). Run the cell so that its output matches what is graded.")
        elif not given:
            why = []
            if _snippet_in_kernel(name):
                why.append(f"this kernel still holds an `{name}` snippet from an earlier run, but no cell of the "
                           f"notebook saves {name} now (renamed or deleted)")
            if a is not None and a.error:
                why.append(a.error)
            if why:
                answers[name] = SubmittedAnswer(name, "missing", error="; ".join(why))
    return {n: a for n, a in answers.items() if n in names}, notes


def _placeholder(answer: SubmittedAnswer) -> bool:
    """The untouched template: "not answered yet" says more than "run it first"."""
    from grader.engine.placeholder import UNANSWERED
    from grader.engine.structured import is_unanswered

    if answer.kind == "sql":
        return UNANSWERED in (answer.sql or "")
    value = answer.value
    if isinstance(value, dict):
        return bool(value) and all(is_unanswered(v) for v in value.values())
    return answer.error is None and is_unanswered(value)


def _snippet_in_kernel(name: str) -> bool:
    try:
        from sql.store import store

        return name in store
    except Exception:
        return False


def check_in_kernel(exercise_id: str) -> CheckReport:
    try:
        ex = exercises.get(exercise_id)
        answers, notes = kernel_answers([a.name for a in ex.answers])
        return CheckReport(grade_exercise(ex, answers, hidden=False), notes)
    except Exception as exc:  # check() must never stop a notebook
        return CheckReport(
            ExerciseResult(exercise_id, "check", [CheckResult("check", "error", 0, 0, f"could not run the checks: {exc}")])
        )
