"""The class report (grader/grading/class_report.py) and what it is built from: mistake groups,
written answers apart, escaping, folding, the JSON fields, the lesson each check maps to, and
the `grader report` / `grader check --report` commands."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from grader import cli
from grader.course import exercises
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult, Table
from grader.grading import class_data, class_report, lesson_links, report

HOSTILE = "<img src=x onerror=alert(1)>"


def wrong_values(got: int) -> list[Table]:
    return [Table("events: the fewest rows", ["event_id", "user_id", "item_id", "event_ts", "event_type"],
                  [[5, 102, 201, "2025-12-02 11:00:00", "view"], [5, 102, 201, "2025-12-02 11:00:00", "view"]]),
            Table("wrong values", ["", "user_id", "views_7d"], [["expected", 102, 1], ["got", 102, got]])]


def sub(name: str, ex06: dict[str, str], tables: list[Table] | None = None, written: str = "manual",
        status: str = "graded", reason: str | None = None) -> SubmissionResult:
    checks = [CheckResult(c, s, 2.0 if s == "pass" else 0.0, 2.0, f"{c}: {s}", c != "matches_reference_on_sample",
                          list(tables or []) if s == "fail" and c == "matches_reference_on_sample" else [])
              for c, s in ex06.items()]
    ex01 = [CheckResult("backfill_definition", written, 0.0, 1.0, "to be scored")]
    return SubmissionResult(f"subs/{name}.ipynb", name, status,
                            [ExerciseResult("ex06", "Point-in-time user-item features", checks),
                             ExerciseResult("ex01", "Backfill vs incremental", ex01)], reason=reason, seconds=0.2)


def doc(results, **grading) -> dict:
    return json.loads(report.to_json(results, grading or {"seconds": 3.5, "workers": 2}))


RETRIES = {"matches_reference_on_sample": "fail", "retries_deduplicated": "fail", "window_edges": "pass"}
EDGES = {"matches_reference_on_sample": "fail", "retries_deduplicated": "pass", "window_edges": "fail"}
RIGHT = {"matches_reference_on_sample": "pass", "retries_deduplicated": "pass", "window_edges": "pass"}


def test_same_failing_checks_and_same_wrong_values_are_one_group():
    d = doc([sub("ada", RETRIES, wrong_values(2)), sub("bob", RETRIES, wrong_values(2)), sub("cy", RIGHT)])
    (group,) = class_data.mistake_groups(d["submissions"])
    assert group.students == ["subs/ada.ipynb", "subs/bob.ipynb"]
    assert group.ids == ["ex06.matches_reference_on_sample", "ex06.retries_deduplicated"]
    assert group.example["tables"][1]["rows"][1] == ["got", 102, 2]


def test_different_wrong_values_split_a_group():
    d = doc([sub("ada", RETRIES, wrong_values(2)), sub("bob", RETRIES, wrong_values(3)), sub("cy", RETRIES, wrong_values(3))])
    assert [g.size for g in class_data.mistake_groups(d["submissions"])] == [2, 1]


def test_different_failing_checks_split_a_group_largest_first():
    d = doc([sub("ada", EDGES, wrong_values(2)), sub("bob", RETRIES, wrong_values(2)), sub("cy", RETRIES, wrong_values(2))])
    groups = class_data.mistake_groups(d["submissions"])
    assert [(g.size, g.checks[-1]) for g in groups] == [(2, "retries_deduplicated"), (1, "window_edges")]


def test_pending_written_answers_are_never_failures():
    d = doc([sub(n, RIGHT) for n in ("ada", "bob", "cy")])
    assert class_data.mistake_groups(d["submissions"]) == []
    row = next(r for r in d["checks_across_class"] if r["id"] == "ex01.backfill_definition")
    assert row["manual"] == 3 and row["written"] is True and "fail" not in row and "failed_by" not in row
    html = class_report.page(d, picture=lambda c: None)
    assert "No check failed for anyone." in html
    written = html[html.index('id="written"'):html.index('id="attention"')]
    assert "<code>ex01.backfill_definition</code></td><td class=\"num\">3</td>" in written
    checks = html[html.index('id="checks"'):html.index('id="written"')]
    assert "backfill_definition" not in checks  # neither a failure nor a 0% pass rate


def test_a_written_answer_scored_below_full_marks_is_not_a_mistake_group():
    scored = sub("ada", RIGHT, written="fail")
    scored.exercises[1].checks[0].scored_by = "instructor"
    d = doc([scored])
    assert class_data.mistake_groups(d["submissions"]) == []
    row = next(r for r in d["checks_across_class"] if r["id"] == "ex01.backfill_definition")
    assert row["written"] is True and row["fail"] == 1


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def test_hostile_names_and_values_are_escaped_everywhere():
    evil = [Table(HOSTILE, ["", HOSTILE], [["expected", 1], ["got", HOSTILE]])]
    results = [sub(HOSTILE, RETRIES, evil), sub("bob", RETRIES, evil),
               sub("</table><script>x</script>", RIGHT, status="invalid", reason=HOSTILE)]
    results[0].notes = [HOSTILE]
    d = doc(results)
    d["notes"] = [HOSTILE, {"kind": "debris", "message": HOSTILE}, {"kind": HOSTILE, "message": "x"}]
    html = class_report.page(d, picture=lambda c: None)
    parser = Elements()
    parser.feed(html)
    assert "img" not in parser.tags and "script" not in parser.tags
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 7  # name, cell, caption, reason, notes


def test_checks_nobody_failed_are_folded():
    d = doc([sub("ada", RETRIES, wrong_values(2)), sub("bob", RIGHT)])
    html = class_report.page(d, picture=lambda c: None)
    folded = re.search(r"<details class=\"panel\"><summary>(\d+) checks nobody failed</summary>(.*?)</details>", html)
    assert folded and folded.group(1) == "1" and "ex06.window_edges" in folded.group(2)


def test_the_json_names_checks_by_a_stable_id_and_records_the_run():
    d = doc([sub("ada", RETRIES, wrong_values(2))], seconds=4.25, workers=2)
    check = d["submissions"][0]["exercises"][0]["checks"][0]
    assert check["id"] == "ex06.matches_reference_on_sample" and check["name"] == "matches_reference_on_sample"
    assert {"status", "points", "max_points", "message", "hidden", "tables"} <= set(check)
    assert d["submissions"][0]["seconds"] == 0.2
    assert d["grading"] == {"seconds": 4.25, "workers": 2}
    row = d["checks_across_class"][0]
    assert row["failed_by"] == ["ada"] and row["pass_rate"] == 0.0


def test_a_picture_is_drawn_for_the_top_groups_only():
    results = []
    for i in range(class_report.PICTURED_GROUPS + 3):  # as many groups: one student each, own wrong values
        results.append(sub(f"s{i}", RETRIES, wrong_values(10 + i)))
    drawn = []
    html = class_report.page(doc(results), picture=lambda c: drawn.append(c["name"]) or "<svg role=img></svg>")
    assert len(drawn) == class_report.PICTURED_GROUPS
    assert html.count("<div class=picture><svg") == class_report.PICTURED_GROUPS


def test_every_check_maps_to_a_lesson_paragraph_that_exists():
    for ex in exercises.all_exercises():
        declared = lesson_links.declared(ex.id)
        names = {c.name for c in ex.all_checks()}
        assert set(declared) == names, ex.id  # none missing, none stale
        for name in names:
            paragraph = lesson_links.paragraph_for(f"{ex.id}.{name}")
            assert paragraph is not None and paragraph.text.strip()


def test_a_renamed_heading_is_an_error_not_another_paragraph():
    with pytest.raises(LookupError):
        lesson_links.resolve("ex06", "No such heading", "")
    with pytest.raises(LookupError):
        lesson_links.resolve("ex06", "Look at the data first", "a phrase the lesson does not hold")


def test_lesson_text_is_escaped_with_its_inline_forms_kept():
    assert lesson_links.markdown_html("**Leakage.** `a <= b` and *x*") == "<b>Leakage.</b> <code>a &lt;= b</code> and <i>x</i>"


def test_grader_report_rebuilds_the_page_from_a_saved_json(tmp_path, capsys):
    saved = tmp_path / "results.json"
    saved.write_text(report.to_json([sub("ada", RETRIES, wrong_values(2)), sub("bob", RIGHT)], {"seconds": 2.0}))
    out = tmp_path / "class.html"
    assert cli.main(["report", str(saved), "--out", str(out)]) == 0
    html = out.read_text()
    assert html.startswith("<!doctype html>") and 'id="mistakes"' in html and "2.0 s" in html
    assert "<script" not in html and re.findall(r'(?:src|href)="([^"#][^"]*)"', html) == []  # nothing to fetch
    (tmp_path / "bad.json").write_text("[1, 2]")
    assert cli.main(["report", str(tmp_path / "bad.json"), "--out", str(out)]) == 2
    assert cli.main(["report", str(tmp_path / "absent.json")]) == 2


def test_grader_check_writes_the_report_from_the_json_it_writes(tmp_path):
    import shutil

    shutil.copy(cli.Path(__file__).resolve().parent.parent / "solutions" / "ex06.ipynb", tmp_path / "ada.ipynb")
    out, saved = tmp_path / "class.html", tmp_path / "results.json"
    assert cli.main(["check", str(tmp_path / "ada.ipynb"), "--public-only", "--workers", "1", "-q",
                     "--json", str(saved), "--report", str(out)]) == 0
    d = json.loads(saved.read_text())
    assert d["grading"]["seconds"] > 0 and d["grading"]["submissions"] == 1 and d["grading"]["hidden_checks"] is False
    assert out.read_text() == class_report.page(d)  # the same page `grader report results.json` makes


def test_past_the_full_groups_each_group_is_one_line():
    results = [sub(f"s{i}", RETRIES, wrong_values(10 + i)) for i in range(class_report.FULL_GROUPS + 3)]
    html = class_report.page(doc(results), picture=lambda c: None)
    assert html.count('<section class="group">') == class_report.FULL_GROUPS
    assert "3 more groups, one line each" in html and html.count("<tr><td class=\"num\">1</td><td>ex06</td>") == 3


def test_every_kind_of_intake_note_has_a_heading_that_says_what_it_is():
    from grader.delivery.units import NOTE_KINDS

    for kind in NOTE_KINDS:
        heading = report.NOTE_HEADINGS[kind]
        assert len(heading.split()) >= 3, (kind, heading)  # more than the kind's own name


def test_the_notes_panel_counts_one_submission_in_the_singular():
    from dataclasses import replace

    one = replace(sub("ada", RIGHT), notes=["only the copy of ex06 was handed in"])
    page = class_report.page(doc([one, sub("bob", RIGHT)]), picture=lambda c: None)
    assert "Notes on 1 submission<" in page and "Notes on 1 submissions" not in page
