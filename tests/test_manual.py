"""Written answers are worth points: `manual` (to be scored) until the instructor's score is
merged, never a 0 nobody gave; exported for scoring and merged into every output."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from grader import cli
from grader.course import exercises
from grader.grading import manual
from grader.engine.checks import ManualCheck
from grader.engine.notebook import SubmittedAnswer
from grader.engine.structured import UNANSWERED
from test_feedback_page import failing_notebook

WRITTEN = [(ex.id, c) for ex in exercises.all_exercises() for c in ex.all_checks() if isinstance(c, ManualCheck)]
IDS = [f"{ex_id}-{c.name}" for ex_id, c in WRITTEN]
SENTENCE = "the job reads the watermark from the control table and writes only the next day idempotently"


def answers_for(check: ManualCheck, value) -> dict:
    if check.key is not None:
        value = {check.key: value}
    return {check.answer: SubmittedAnswer(check.answer, "structured", value=value)}


def test_every_written_answer_is_worth_points():
    assert WRITTEN and all(c.points > 0 for _, c in WRITTEN), [(e, c.name) for e, c in WRITTEN if c.points <= 0]


@pytest.mark.parametrize("ex_id, check", WRITTEN, ids=IDS)
def test_a_list_of_strings_is_read_as_bullets(ex_id, check):
    bullets = [SENTENCE, SENTENCE, SENTENCE]
    r = check.run(answers_for(check, bullets))
    assert r.status == "manual" and r.pending and r.max_points == check.points, r.message
    assert check.text(answers_for(check, bullets)) == "\n".join(f"• {b}" for b in bullets)


@pytest.mark.parametrize("ex_id, check", WRITTEN, ids=IDS)
def test_a_dict_of_strings_is_read_as_its_text(ex_id, check):
    # bullets labelled a, b, c: the instructor reads them, each after its label
    value = {"a": SENTENCE, "b": SENTENCE, "c": UNANSWERED}  # c: still the template's ...
    r = check.run(answers_for(check, value))
    assert r.status == "manual" and r.max_points == check.points, r.message
    assert check.text(answers_for(check, value)) == f"• a: {SENTENCE}\n• b: {SENTENCE}"


@pytest.mark.parametrize("ex_id, check", WRITTEN, ids=IDS)
@pytest.mark.parametrize("value", [..., "", "   ", [], ["", " "], [1, 2, 3], {}, {"a": " "}, {"a": 1}, 42], ids=repr)
def test_nothing_written_is_missing_and_scores_zero(ex_id, check, value):
    r = check.run(answers_for(check, value))
    assert r.status == "missing" and r.points == 0 and r.max_points == check.points


@pytest.mark.parametrize("ex_id, check", WRITTEN, ids=IDS)
def test_a_written_answer_waits_as_manual_never_zero(ex_id, check):
    r = check.run(answers_for(check, SENTENCE + " " + SENTENCE))
    d = r.to_dict()
    assert r.status == "manual" and d["points"] is None and d["max_points"] == check.points


def test_pending_points_are_shown_apart_from_the_automatic_total(tmp_path):
    from grader.grading.grade import grade_path

    r = grade_path(failing_notebook(tmp_path / "ada.ipynb"), only=["ex01", "ex10"])
    ex10 = next(e for e in r.exercises if e.id == "ex10")
    assert ex10.manual_pending == 3
    assert ex10.max_score == exercises.get("ex10").max_points() - 3  # the automatic maximum
    assert r.to_dict()["manual_pending"] == r.manual_pending == 5


@pytest.fixture
def exported(tmp_path):
    folder = tmp_path / "subs"
    failing_notebook(folder / "ada.ipynb")
    failing_notebook(folder / "bob.ipynb")
    out = tmp_path / "answers.csv"
    assert cli.main(["manual", "export", str(folder), "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    return folder, out, rows


def test_export_has_one_row_per_student_and_written_answer(exported):
    _, _, rows = exported
    assert list(rows[0]) == manual.COLUMNS
    keys = {(r["student"], r["exercise"], r["check"]) for r in rows}
    assert keys == {(s, e, c) for s in ("ada", "bob") for e, c in
                    [("ex01", "backfill_definition"), ("ex01", "incremental_definition"), ("ex10", "explains_the_rerun")]}
    assert all(r["score"] == "" and r["comment"] == "" and r["max_points"] for r in rows)
    bullets = next(r for r in rows if r["check"] == "explains_the_rerun")["text"]
    assert bullets.count("•") == 3
    assert all(not Path(r["path"]).is_absolute() for r in rows)


def test_export_text_cannot_run_as_a_spreadsheet_formula(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "ex04 = {'next_as_of_ts': '2025-12-03 23:59:59', 'why': '=HYPERLINK(\"http://x\", \"click\") the watermark plus one day'}")]
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "eve.ipynb").write_text(nbformat.writes(nb))
    rows = manual.export_rows([tmp_path / "s"])
    (written,) = list(csv.DictReader(io.StringIO(manual.to_csv(rows))))
    assert written["text"].startswith("'=HYPERLINK")  # a spreadsheet shows it as text


def fill(out: Path, rows: list[dict], scores: dict[tuple[str, str], tuple[str, str]]) -> None:
    for r in rows:
        if (r["student"], r["check"]) in scores:
            r["score"], r["comment"] = scores[(r["student"], r["check"])]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=manual.COLUMNS)
    w.writeheader()
    w.writerows(rows)
    out.write_text(buf.getvalue(), encoding="utf-8")


def test_merged_scores_reach_json_gradebook_and_feedback(exported, tmp_path):
    folder, out, rows = exported
    fill(out, rows, {("ada", "explains_the_rerun"): ("2", "Say when the control row moves."),
                     ("ada", "backfill_definition"): ("1", ""),
                     ("bob", "explains_the_rerun"): ("3", "")})
    js, book, fb = tmp_path / "r.json", tmp_path / "book.csv", tmp_path / "fb"
    assert cli.main(["check", str(folder), "-q", "--workers", "1", "--manual", str(out), "--json", str(js),
                     "--gradebook", str(book), "--feedback", str(fb)]) == 0
    subs = {s["student"]: s for s in json.loads(js.read_text())["submissions"]}
    checks = {(s, c["name"]): c for s, sub in subs.items() for e in sub["exercises"] for c in e["checks"]}
    rerun = checks[("ada", "explains_the_rerun")]
    assert (rerun["status"], rerun["points"], rerun["max_points"], rerun["scored_by"]) == ("fail", 2, 3, "instructor")
    assert "Say when the control row moves." in rerun["message"]
    assert checks[("ada", "backfill_definition")]["status"] == "pass"
    assert checks[("ada", "incremental_definition")]["status"] == "manual"  # left blank: still to be scored
    assert checks[("ada", "incremental_definition")]["points"] is None
    assert subs["ada"]["manual_pending"] == 1 and subs["bob"]["manual_pending"] == 2
    ada_ex10 = next(e for e in subs["ada"]["exercises"] if e["id"] == "ex10")
    assert ada_ex10["max_score"] == exercises.get("ex10").max_points() and "manual_pending" not in ada_ex10
    gradebook = {r["student"]: r for r in csv.DictReader(io.StringIO(book.read_text()))}
    assert gradebook["ada"]["total"] == f"{subs['ada']['score']:g}" and gradebook["ada"]["manual_pending"] == "1"
    page = (fb / "ada.html").read_text()
    assert "scored by your instructor" in page and "Say when the control row moves." in page


@pytest.mark.parametrize("score, problem", [("4", "outside 0..3"), ("-1", "outside"), ("lots", "not a number")])
def test_bad_scores_are_refused_and_the_answer_stays_manual(exported, score, problem):
    folder, out, rows = exported
    fill(out, rows, {("ada", "explains_the_rerun"): (score, "")})
    from grader.grading.grade import grade_path

    results = [grade_path(folder / "ada.ipynb", only=["ex10"])]
    problems = manual.merge_file(results, out, folder)
    assert any(problem in p for p in problems), problems
    check = next(c for c in results[0].exercises[0].checks if c.name == "explains_the_rerun")
    assert check.status == "manual" and check.pending


def test_namesakes_in_two_folders_are_told_apart_by_path(tmp_path):
    from grader.grading.grade import grade_path

    a = failing_notebook(tmp_path / "sec_a" / "ada.ipynb")
    b = failing_notebook(tmp_path / "sec_b" / "ada.ipynb")
    results = [grade_path(p, only=["ex10"]) for p in (a, b)]
    scores = {("sec_b/ada.ipynb", "ex10", "explains_the_rerun"): manual.Score(3, ""),
              ("ada", "ex10", "explains_the_rerun"): manual.Score(1, "")}  # by name: ambiguous, unused
    manual.merge(results, scores, base=tmp_path)
    got = [next(c for c in r.exercises[0].checks if c.name == "explains_the_rerun") for r in results]
    assert got[0].status == "manual" and (got[1].status, got[1].points) == ("pass", 3)


# ---------- what the person scoring sees, and which rows reach which student ----------

def test_every_written_answer_declares_a_rubric_and_has_a_model_answer():
    models = manual.model_answers()
    assert all(c.rubric.strip() for _, c in WRITTEN), [c.name for _, c in WRITTEN if not c.rubric.strip()]
    assert set(models) == {(e, c.name) for e, c in WRITTEN}, set((e, c.name) for e, c in WRITTEN) - set(models)


def test_export_puts_model_answer_and_rubric_beside_each_answer(exported):
    _, _, rows = exported
    declared = {(e, c.name): c.rubric for e, c in WRITTEN}
    models = manual.model_answers()
    for r in rows:
        assert r["rubric"] == declared[(r["exercise"], r["check"])]
        model = manual._unquote(r["model_answer"])  # a leading "-" is kept from running as a formula
        assert model == models[(r["exercise"], r["check"])] and model != r["text"]


def one_student_folder(root: Path, name: str) -> Path:
    """A student's folder of exercise notebooks (the failing notebook answers ex01, ex06 and ex10)."""
    failing_notebook(root / name / "ex10.ipynb")
    return root / name


def scores_csv(path: Path, rows: list[dict]) -> Path:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=sorted({k for r in rows for k in r}))
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def rerun_check(js: Path) -> dict:
    sub = json.loads(js.read_text())["submissions"][0]
    return next(c for e in sub["exercises"] for c in e["checks"] if c["name"] == "explains_the_rerun")


def test_a_row_keyed_by_folder_name_reaches_a_folder_graded_on_its_own(tmp_path):
    ada = one_student_folder(tmp_path / "class", "ada")
    answers = scores_csv(tmp_path / "a.csv", [{"folder": "ada/", "exercise": "ex10", "check": "explains_the_rerun",
                                              "score": "2"}])
    js = tmp_path / "r.json"
    # graded alone, the folder's path relative to itself is ".": before, the row matched nothing
    assert cli.main(["check", str(ada), "-q", "--workers", "1", "--manual", str(answers), "--json", str(js)]) == 0
    assert (rerun_check(js)["status"], rerun_check(js)["points"]) == ("fail", 2)


@pytest.mark.parametrize("row, problem", [
    ({"student": "bob", "score": "2"}, "matches no graded submission"),
    ({"student": "ada", "score": "9"}, "outside 0..3"),
    ({"student": "ada", "score": "2", "check": "no_such_answer"}, "no written answer"),
], ids=["unmatched", "out-of-range", "unknown-answer"])
def test_rows_not_merged_are_listed_and_the_exit_status_says_so(tmp_path, capsys, row, problem):
    ada = one_student_folder(tmp_path / "class", "ada")
    answers = scores_csv(tmp_path / "a.csv", [{"exercise": "ex10", "check": "explains_the_rerun", **row}])
    js = tmp_path / "r.json"
    status = cli.main(["check", str(ada), "-q", "--workers", "1", "--manual", str(answers), "--json", str(js)])
    assert status == manual.EXIT_ROWS_NOT_MERGED == 3
    assert problem in capsys.readouterr().err
    assert rerun_check(js)["status"] == "manual" and js.exists()  # every output still written


def test_an_unscored_csv_changes_nothing_and_exits_zero(exported, tmp_path):
    folder, out, _ = exported
    js = tmp_path / "r.json"
    assert cli.main(["check", str(folder), "-q", "--workers", "1", "--manual", str(out), "--json", str(js)]) == 0
    subs = json.loads(js.read_text())["submissions"]
    assert all(c["status"] == "manual" for s in subs for e in s["exercises"] for c in e["checks"] if c["max_points"] and c.get("points") is None)


def test_rows_match_by_email_or_canvas_user_id_when_the_result_carries_them(tmp_path):
    from grader.grading.grade import grade_path

    a = grade_path(failing_notebook(tmp_path / "x" / "lovelace.ipynb"), only=["ex10"])
    b = grade_path(failing_notebook(tmp_path / "y" / "smith.ipynb"), only=["ex10"])
    a.student = "ada@uni.example"  # as Gradescope names its submitter (submission_metadata.json)
    b.canvas_user_id = "9014"  # as a Canvas download names its uploader
    answers = scores_csv(tmp_path / "a.csv", [
        {"email": "ADA@uni.example", "exercise": "ex10", "check": "explains_the_rerun", "score": "3"},
        {"id": "9014", "exercise": "ex10", "check": "explains_the_rerun", "score": "1"}])
    assert manual.merge_file([a, b], answers, tmp_path) == []
    got = [next(c for c in r.exercises[0].checks if c.name == "explains_the_rerun") for r in (a, b)]
    assert [(c.status, c.points) for c in got] == [("pass", 3), ("fail", 1)]


def test_a_name_two_submissions_share_is_refused_not_guessed(tmp_path):
    from grader.grading.grade import grade_path

    results = [grade_path(failing_notebook(tmp_path / s / "ada.ipynb"), only=["ex10"]) for s in ("a", "b")]
    answers = scores_csv(tmp_path / "s.csv", [{"student": "ada", "exercise": "ex10", "check": "explains_the_rerun",
                                               "score": "3"}])
    problems = manual.merge_file(results, answers, tmp_path)
    assert len(problems) == 1 and "names 2 submissions" in problems[0]
    assert all(c.status == "manual" for r in results for c in r.exercises[0].checks if c.name == "explains_the_rerun")


def test_rubrics_stay_out_of_what_students_get():
    # A rubric says the answer ("about 1/12 of a year"): it lives in hidden.py, which the release
    # bundle leaves out, never in the exercise's public declaration.
    from grader.authoring import release

    grader_dir = Path(manual.__file__).resolve().parents[1]
    public = "".join(p.read_text(encoding="utf-8") for p in grader_dir.rglob("*.py") if release._released(p))
    for _, c in WRITTEN:
        assert c.rubric and c.rubric not in public, c.name
