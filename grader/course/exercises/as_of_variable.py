"""The checks that a query reads the as-of time with getvariable('as_of_ts') (Exercises 3 and 11):
each judges the answer's result against its own result on the same data at another as-of time.

A timestamp written into the query (or a SET VARIABLE of the answer's own) returns rows at the
time it names and none at the other: that is exactly the mistake these checks name, so their
message says what to do, as for any other difference. A ResultCheck leaves its explanation out
when none of the expected rows came back (nothing of its concern could be judged); here that
holds only for an answer that returns nothing at the control's time either (now())."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from grader.engine.checks import ResultCheck
from grader.engine.sandbox import SandboxError


@dataclass
class ReadsAsOfCheck(ResultCheck):
    """A ResultCheck with a control at another as-of time whose message keeps its explanation
    when the answer returned rows there and none here."""

    def _diff(self, sql, fixture, limits):
        d = super()._diff(sql, fixture, limits)
        if d.returned_none and not d.computed_none and not d.missing_columns:
            try:
                d.rows_at_control_time = bool(self.reference(sql, fixture, limits))
            except SandboxError:
                pass
        return d

    def message(self, d, fixture=None) -> str:
        said = super().message(d, fixture)
        if getattr(d, "rows_at_control_time", False) and not said.endswith(self.fail):
            return f"{said} {self.fail}"
        return said


def reads_as_of(check: ResultCheck) -> ReadsAsOfCheck:
    """The same check (declared with the exercise's result_checks), told apart as above."""
    assert check.control is not None, "judged against the answer's own result at another as-of time"
    return ReadsAsOfCheck(**{f.name: getattr(check, f.name) for f in dataclasses.fields(check) if f.init})
