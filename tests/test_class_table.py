"""The class table (`grader check` output and --json): which mistake was common. Checks with
failures come first, most failures first; an exercise's checks nobody answered fold into one
line (issue 11.5)."""

import io
import json

from rich.console import Console

from grader.grading import report
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult


def student(name: str, statuses: dict[str, dict[str, str]]) -> SubmissionResult:
    exercises = [ExerciseResult(ex, ex, [CheckResult(c, s, 1.0 if s == "pass" else 0.0, 1.0, "") for c, s in checks.items()])
                 for ex, checks in statuses.items()]
    return SubmissionResult(f"{name}.ipynb", name, "graded", exercises)


CLASS = [
    student("ada", {"ex07": {"rerun": "pass", "ctr": "fail", "key": "pass"}, "ex11": {"grid": "missing", "edges": "missing"}}),
    student("bob", {"ex07": {"rerun": "pass", "ctr": "fail", "key": "error"}, "ex11": {"grid": "missing", "edges": "missing"}}),
    student("cy", {"ex07": {"rerun": "pass", "ctr": "fail", "key": "pass"}, "ex11": {"grid": "missing", "edges": "missing"}}),
]


def test_checks_with_failures_come_first_most_failures_first():
    rates = report.pass_rates(CLASS)
    assert list(rates)[:3] == [("ex07", "ctr"), ("ex07", "key"), ("ex07", "rerun")]
    assert rates[("ex07", "ctr")] == {"fail": 3}


def test_an_exercise_nobody_answered_is_one_line():
    rates = report.pass_rates(CLASS)
    assert [k for k in rates if k[0] == "ex11"] == [("ex11", "2 checks, none answered")]
    assert rates[("ex11", "2 checks, none answered")] == {"missing": 3, "checks": 2}
    assert ("ex11", "grid") in report.pass_rates(CLASS, fold_missing=False)


def test_a_check_some_answered_is_not_folded():
    mixed = CLASS + [student("dee", {"ex11": {"grid": "pass", "edges": "missing"}})]
    rates = report.pass_rates(mixed)
    assert rates[("ex11", "grid")] == {"missing": 3, "pass": 1}


def test_printed_table_and_json_carry_the_same_rows():
    out = io.StringIO()
    report.print_summary(CLASS, Console(file=out, width=160))
    text = out.getvalue()
    assert text.index("ctr") < text.index("rerun") and "2 checks, none answered" in text
    rows = json.loads(report.to_json(CLASS))["checks_across_class"]
    assert [(r["exercise"], r["check"]) for r in rows] == list(report.pass_rates(CLASS))
    assert rows[0] == {"exercise": "ex07", "check": "ctr", "fail": 3}
