"""The class table (`--json`'s checks_across_class, and the terminal summary): which check failed
for whom. Checks with failures come first, most failures first; each row has a stable id; written
answers waiting for a score are counted apart, never as failures or as "none answered"."""

import io
import json

from rich.console import Console

from grader.grading import class_data, report
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult


def student(name: str, statuses: dict[str, dict[str, str]]) -> SubmissionResult:
    exercises = [ExerciseResult(ex, ex, [CheckResult(c, s, 1.0 if s == "pass" else 0.0, 1.0, f"{c} says {s}")
                                         for c, s in checks.items()])
                 for ex, checks in statuses.items()]
    return SubmissionResult(f"{name}.ipynb", name, "graded", exercises)


CLASS = [
    student("ada", {"ex07": {"rerun": "pass", "ctr": "fail", "key": "pass"}, "ex11": {"grid": "missing", "edges": "missing"}}),
    student("bob", {"ex07": {"rerun": "pass", "ctr": "fail", "key": "error"}, "ex11": {"grid": "missing", "edges": "missing"}}),
    student("cy", {"ex07": {"rerun": "pass", "ctr": "fail", "key": "pass"}, "ex11": {"grid": "missing", "edges": "missing"}}),
]


def rows(results) -> list[dict]:
    return json.loads(report.to_json(results))["checks_across_class"]


def test_checks_with_failures_come_first_most_failures_first():
    assert [r["id"] for r in rows(CLASS)][:3] == ["ex07.ctr", "ex07.key", "ex07.rerun"]
    assert rows(CLASS)[0] == {"id": "ex07.ctr", "exercise": "ex07", "check": "ctr", "fail": 3, "pass_rate": 0.0,
                              "failed_by": ["ada", "bob", "cy"]}


def test_every_check_has_its_own_row_with_a_stable_id_never_a_sentence():
    ids = [r["id"] for r in rows(CLASS)]
    assert ids == ["ex07.ctr", "ex07.key", "ex07.rerun", "ex11.grid", "ex11.edges"]
    assert rows(CLASS)[3] == {"id": "ex11.grid", "exercise": "ex11", "check": "grid", "missing": 3, "pass_rate": 0.0}


def test_the_students_behind_a_failing_check_are_named():
    by_id = {r["id"]: r for r in rows(CLASS)}
    assert by_id["ex07.key"]["failed_by"] == ["bob"]
    assert "failed_by" not in by_id["ex07.rerun"]


def test_written_answers_waiting_for_a_score_are_counted_apart_not_as_failures():
    written = [student(n, {"ex01": {"definition": "manual"}}) for n in ("ada", "bob", "cy")]
    written.append(student("dee", {"ex01": {"definition": "missing"}}))
    (row,) = rows(written)
    assert row == {"id": "ex01.definition", "exercise": "ex01", "check": "definition", "missing": 1, "manual": 3,
                   "written": True, "pass_rate": 0.0}
    rate = class_data.check_rates([r.to_dict() for r in written])[0]
    assert (rate.failures, rate.pending, rate.judged) == (0, 3, 1)


def test_terminal_summary_ends_with_the_most_common_mistakes_not_every_check():
    out = io.StringIO()
    report.print_summary(CLASS, Console(file=out, width=160))
    text = out.getvalue()
    tail = text[text.index("Most common mistakes"):]
    lines = [" ".join(line.replace("│", " ").split()) for line in tail.splitlines() if "ex07" in line]
    # ada and cy failed ctr alone: one group of 2; bob failed ctr and key: a group of 1
    assert lines == ["2 ex07.ctr ctr says fail", "1 ex07.ctr +1 ctr says fail"]
    assert "rerun" not in tail  # a check everybody passed is not listed


def test_terminal_student_table_folds_past_forty_with_a_pointer():
    many = [student(f"s{i:03d}", {"ex07": {"ctr": "fail" if i % 3 else "pass"}}) for i in range(45)]
    out = io.StringIO()
    report.print_summary(many, Console(file=out, width=160), report_path="class.html", json_path="r.json")
    text = out.getvalue()
    assert "s039" in text and "s040" not in text
    assert "5 more submissions" in text and "class.html" in text and "r.json" in text
