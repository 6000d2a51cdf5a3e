"""`check()` inside a running notebook: answers come from the live kernel the same way the
grader reads them from a file (jupysql's saved snippets; literal cells in the input history,
never the live Python objects), so a pass here means the same answer passes at grading time."""

from __future__ import annotations

from dataclasses import dataclass

from . import exercises, report
from .grade import grade_exercise
from .notebook import SubmittedAnswer, extract_answers
from .results import CheckResult, ExerciseResult

FOOTER = (
    "Public checks only. Your instructor's grading also runs hidden checks on other data, "
    "so passing here is necessary, not sufficient."
)


@dataclass
class CheckReport:
    result: ExerciseResult

    def _repr_html_(self) -> str:
        return report.exercise_html(self.result, self._footer())

    def __repr__(self) -> str:
        return report.exercise_text(self.result, self._footer())

    def _footer(self) -> str:
        if all(c.status in ("pass", "manual") for c in self.result.checks):
            return "All public checks passed. " + FOOTER
        return FOOTER

    @property
    def passed(self) -> bool:
        return all(c.status in ("pass", "manual") for c in self.result.checks)


_ran: list[str] = []  # raw source of every cell run in this kernel, in order (see track_cells)


def track_cells(ip) -> None:
    """Record each cell as it runs. IPython's input history skips cells run with
    store_history=False (as nbval runs them), so check() would miss literal answers there."""

    def record(info) -> None:
        if isinstance(getattr(info, "raw_cell", None), str):
            _ran.append(info.raw_cell)

    ip.events.register("pre_run_cell", record)


def _kernel_answers(names: list[str]) -> dict[str, SubmittedAnswer]:
    from IPython import get_ipython

    ip = get_ipython()
    # Raw history holds cells as typed (with their %%sql lines), in execution order.
    history = list(ip.history_manager.input_hist_raw) if ip else []
    if _ran:  # cells run without history (nbval, nbclient with store_history=False) are here too
        history = list(_ran)
    cells = [{"cell_type": "code", "source": src} for src in history if isinstance(src, str)]
    answers, _ = extract_answers(cells)
    try:
        from sql.store import store

        for name in names:
            if name in store:
                answers[name] = SubmittedAnswer(name, "sql", sql=str(store[name]))
    except Exception:  # jupysql missing or no connection: fall back to history
        pass
    return {n: a for n, a in answers.items() if n in names}


def check_in_kernel(exercise_id: str) -> CheckReport:
    try:
        ex = exercises.get(exercise_id)
        answers = _kernel_answers([a.name for a in ex.answers])
        return CheckReport(grade_exercise(ex, answers, hidden=False))
    except Exception as exc:  # check() must never stop a notebook
        return CheckReport(
            ExerciseResult(exercise_id, "check", [CheckResult("check", "error", 0, 0, f"could not run the checks: {exc}")])
        )
