"""A check judged only for a job whose clean runs on its sample write rows (workspace.gate): a
job that writes nothing is trivially never ahead of its data and never touches another job's
row, so such checks award nothing for it and say what to make pass first."""

from __future__ import annotations

from dataclasses import dataclass

from grader.engine.checks import Check, Verdict
from grader.engine.notebook import SubmittedAnswer
from grader.engine.sandbox import Limits
from grader.course.harness.workspace import Scenario, _statements, gate, not_judged


@dataclass
class GatedCheck(Check):
    sample: Scenario = None  # type: ignore[assignment]
    runs: int = 2
    first: str = "next_days_match_reference"  # the check to make pass first when not judged

    def gated(self, answer: SubmittedAnswer, limits: Limits) -> tuple[list[str], Verdict | None]:
        """The job's statements, and the verdict when its clean runs on `sample` fail or write nothing."""
        statements = _statements(answer, self.answer)
        problem = gate(statements, self.sample, limits, self.runs)
        return statements, (not_judged(problem, self.first) if problem else None)
