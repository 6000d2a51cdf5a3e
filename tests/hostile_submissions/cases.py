"""Hostile notebooks and folders, built at test time (a FIFO, a link or a file name that is not
UTF-8 cannot be committed). Each case puts one attacker into a class folder beside honest
students; tests/test_hostile_submissions.py grades the class and checks that the batch
finished, the attacker's status, and that the honest students' scores are exactly what they get
alone.

A case: `build(class_folder, reference_sql)` makes the attacker's submission and returns its
path; `status` is the attacker's submission status; `checks` (if set) the statuses its ex06
checks may have; `attack` says what it does; `budget_s` (if set) the class's time budget per
submission, for a case that burns its budget whatever it is."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat

ROOT = Path(__file__).resolve().parents[2]


def write_notebook(path: Path, *sources: str, metadata: dict | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    if metadata:
        nb.metadata.update(metadata)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def folder(root: Path, name: str | bytes) -> Path:
    path = Path(os.fsdecode(os.path.join(os.fsencode(root), os.fsencode(name))))
    path.mkdir(parents=True)
    return path


@dataclass
class Case:
    name: str
    attack: str
    build: Callable[[Path, str], Path]
    status: str | set[str] = "graded"
    checks: set[str] | None = None
    extra: dict = field(default_factory=dict)
    budget_s: float | None = None


def _exponential_snippets(root: Path, ref: str) -> Path:
    # 40 snippets, each reading every earlier one: jupysql's expansion order, computed naively,
    # doubles with each snippet; sqlglot's parser does too on a chain of JOINs without ON.
    cells = ["%%sql --save s0\nSELECT * FROM events"]
    for i in range(1, 40):
        cells.append(f"%%sql --save s{i}\nSELECT * FROM " + " JOIN ".join(f"s{j}" for j in range(i)))
    cells.append("%%sql --save ex06\nSELECT * FROM s39")
    return write_notebook(folder(root, "mallory") / "ex06.ipynb", *cells)


def _answer_regex(root: Path, ref: str) -> Path:
    # 0.9 MB of `ex01:` lines in one cell that is not valid Python: the answer-name scan was
    # quadratic (96 KB took 8.9 s)
    return write_notebook(folder(root, "mallory") / "ex06.ipynb", "ex01:\n" * 150_000 + "(")


def _blank_lines(root: Path, ref: str) -> Path:
    return write_notebook(folder(root, "mallory") / "ex06.ipynb", "\n" * 900_000 + "ex01 = (")


def _fifo(root: Path, ref: str) -> Path:
    os.mkfifo(folder(root, "mallory") / "ex06.ipynb")  # open() on it blocks for ever
    return root / "mallory"


def _link_to_dev_zero(root: Path, ref: str) -> Path:
    (folder(root, "mallory") / "ex06.ipynb").symlink_to("/dev/zero")  # its size reads 0
    return root / "mallory"


def _links_to_solutions(root: Path, ref: str) -> Path:
    mallory = folder(root, "mallory")
    for name in ("ex06.ipynb", "ex11.ipynb"):
        (mallory / name).symlink_to(ROOT / "solutions" / name)
    return mallory


def _folder_link_to_solutions(root: Path, ref: str) -> Path:
    (root / "mallory").symlink_to(ROOT / "solutions", target_is_directory=True)
    return root / "mallory"


def _big_sql_cells(root: Path, ref: str) -> Path:
    # 60 saved cells of ~50 KB, each naming the previous snippet (so each one is parsed)
    body = "SELECT " + ", ".join(f"{i} + 1 AS c{i}" for i in range(4_500))
    cells = [f"%%sql --save s0\n{body} FROM events"]
    cells += [f"%%sql --save s{i}\n{body} FROM s{i - 1}" for i in range(1, 60)]
    cells.append("%%sql --save ex06\nSELECT * FROM s59")
    return write_notebook(folder(root, "mallory") / "ex06.ipynb", *cells)


def _snippet_chain(root: Path, ref: str) -> Path:
    # 1,200 snippets each reading the one before: long, but not a loop
    cells = ["%%sql --save s0\nSELECT 1 AS x"] + [f"%%sql --save s{i}\nSELECT * FROM s{i - 1}" for i in range(1, 1200)]
    cells.append("%%sql --save ex06\nSELECT * FROM s1199")
    return write_notebook(folder(root, "mallory") / "ex06.ipynb", *cells)


def _snippet_loop(root: Path, ref: str) -> Path:
    return write_notebook(folder(root, "mallory") / "ex06.ipynb", "%%sql --save a\nSELECT 1 AS x",
                          "%%sql --save b\nSELECT * FROM a", "%%sql --save a\nSELECT * FROM b",
                          "%%sql --save ex06\nSELECT * FROM a")


def _deep_json(root: Path, ref: str) -> Path:
    # one deeply nested file beside a good notebook: the folder is still graded
    mallory = folder(root, "mallory")
    (mallory / "ex05.ipynb").write_text("[" * 200_000 + "]" * 200_000)
    write_notebook(mallory / "ex06.ipynb", "%%sql --save ex06\n" + ref)
    return mallory


def _lone_surrogate_label(root: Path, ref: str) -> Path:
    path = folder(root, "mallory") / "ex06.ipynb"
    write_notebook(path, "%%sql --save ex06\nSELECT 1")
    data = json.loads(path.read_text())
    data["metadata"]["student"] = "\ud800 mallory"
    path.write_text(json.dumps(data))  # ensure_ascii: the lone surrogate is written as \ud800
    return path.parent


def _non_utf8_folder(root: Path, ref: str) -> Path:
    return write_notebook(folder(root, b"mal\xffory") / "ex06.ipynb", "%%sql --save ex06\nSELECT 1").parent


def _rich_markup_name(root: Path, ref: str) -> Path:
    return write_notebook(folder(root, "[/oops]") / "ex06.ipynb", "%%sql --save ex06\nSELECT 1").parent


def _long_name(root: Path, ref: str) -> Path:
    return write_notebook(folder(root, "m" * 250) / "ex06.ipynb", "%%sql --save ex06\nSELECT 1").parent


def _formula_name(root: Path, ref: str) -> Path:
    return write_notebook(folder(root, "=HYPERLINK(\"http:x\")") / "ex06.ipynb", "%%sql --save ex06\nSELECT 1").parent


def _claims_to_be_ada(root: Path, ref: str) -> Path:
    # metadata.student names the honest neighbour: it must not take her row or page
    return write_notebook(folder(root, "mallory") / "ex06.ipynb", "%%sql --save ex06\n" + ref,
                          metadata={"student": "ada"}).parent


def _huge_error(root: Path, ref: str) -> Path:
    return write_notebook(folder(root, "mallory") / "ex06.ipynb", "%%sql --save ex06\nSELECT error(repeat('<b>', 8e6))").parent


def _exfiltrate_rows(root: Path, ref: str) -> Path:
    sql = ("SELECT error('LEAK:' || (SELECT string_agg(event_id || '|' || user_id || '|' || item_id || '|' || event_ts, ';') "
           "FROM events))")
    return write_notebook(folder(root, "mallory") / "ex06.ipynb", f"%%sql --save ex06\n{sql}").parent


def _temp_dir_copy(root: Path, ref: str) -> Path:
    sql = ("COPY (SELECT 42 AS hostile_spill) TO (current_setting('temp_directory') || '/hostile_spill.csv');\n"
           "SELECT * FROM read_csv(current_setting('temp_directory') || '/hostile_spill.csv')")
    return write_notebook(folder(root, "mallory") / "ex06.ipynb", f"%%sql --save ex06\n{sql}").parent


def _temp_dir_attach(root: Path, ref: str) -> Path:
    sql = ("ATTACH (current_setting('temp_directory') || '/hostile_attach.db') AS spill;\n"
           "CREATE TABLE spill.t AS SELECT * FROM events; SELECT * FROM spill.t")
    return write_notebook(folder(root, "mallory") / "ex06.ipynb", f"%%sql --save ex06\n{sql}").parent


def _temp_setting_empty(root: Path, ref: str) -> Path:
    # names the spill folder in its answer: there is none to name
    sql = "SELECT user_id, item_id, as_of_ts, 0 AS clicks_7d, 0 AS views_7d, 0 AS impressions_7d FROM events " \
          "WHERE current_setting('temp_directory') <> '' AND false"
    return write_notebook(folder(root, "mallory") / "ex06.ipynb", f"%%sql --save ex06\n{sql}").parent


def _relative_attach(root: Path, ref: str) -> Path:
    # DuckDB names the absolute path it refused: the grader's working directory
    return write_notebook(folder(root, "mallory") / "ex06.ipynb", "%%sql --save ex06\nATTACH 'hostile_x.db'; SELECT 1").parent


def _infinity(root: Path, ref: str) -> Path:
    sql = ("SELECT user_id, item_id, getvariable('as_of_ts')::TIMESTAMP AS as_of_ts, 'inf'::DOUBLE AS clicks_7d, "
           "'-inf'::DOUBLE AS views_7d, 'nan'::DOUBLE AS impressions_7d FROM events")
    return write_notebook(folder(root, "mallory") / "ex06.ipynb", f"%%sql --save ex06\n{sql}").parent


def _ignores_interrupts(root: Path, ref: str) -> Path:
    return write_notebook(folder(root, "mallory") / "ex06.ipynb",
                          "%%sql --save ex06\nSELECT length(repeat('x', 1000000000)) AS n").parent


def _slow_and_wrong(root: Path, ref: str) -> Path:
    # each run under the check's time limit, and wrong, so every failing check shrinks at full cost
    sql = ("SELECT user_id, item_id, getvariable('as_of_ts')::TIMESTAMP AS as_of_ts, 1 AS clicks_7d, 1 AS views_7d, "
           "(SELECT count(*) FROM range(120000000) r WHERE r.range % 7 = 3) AS impressions_7d FROM events")
    return write_notebook(folder(root, "mallory") / "ex06.ipynb", f"%%sql --save ex06\n{sql}").parent


CASES = [
    Case("exponential_snippets", "40 snippets each reading all earlier ones", _exponential_snippets, checks={"error", "fail"}),
    Case("answer_name_regex", "0.9 MB of `ex01:` lines", _answer_regex, checks={"missing"}),
    Case("blank_lines", "900,000 blank lines before a broken answer", _blank_lines, checks={"missing"}),
    Case("fifo_notebook", "ex06.ipynb is a FIFO", _fifo, status="invalid"),
    Case("link_to_dev_zero", "ex06.ipynb links to /dev/zero", _link_to_dev_zero, status="invalid"),
    Case("links_to_solutions", "ex06/ex11.ipynb link to the instructor's solutions", _links_to_solutions, status="invalid"),
    Case("folder_link_to_solutions", "the student folder links to solutions/", _folder_link_to_solutions, status="absent"),
    Case("big_sql_cells", "60 saved SQL cells of 50 KB", _big_sql_cells, checks={"error"}),
    Case("snippet_chain_1200", "a chain of 1,200 snippets", _snippet_chain, checks={"error", "fail"}),
    Case("snippet_loop", "snippets that read each other", _snippet_loop, checks={"error"}),
    Case("deep_json", "a deeply nested JSON file beside a good notebook", _deep_json, checks={"pass"}),
    Case("lone_surrogate_label", "metadata.student holds a lone surrogate", _lone_surrogate_label, checks={"fail", "error"}),
    Case("non_utf8_folder", "the folder name is not UTF-8", _non_utf8_folder, checks={"fail", "error"}),
    Case("rich_markup_name", "the folder is named [/oops]", _rich_markup_name, checks={"fail", "error"}),
    Case("long_name", "a 250-character folder name", _long_name, checks={"fail", "error"}),
    Case("formula_name", "the folder name is a spreadsheet formula", _formula_name, checks={"fail", "error"}),
    Case("claims_to_be_ada", "metadata.student names the neighbour", _claims_to_be_ada, checks={"pass"}),
    Case("huge_error", "error(repeat('<b>', 8e6))", _huge_error, checks={"error"}),
    Case("exfiltrate_rows", "error() carrying the events table", _exfiltrate_rows, checks={"error"}),
    Case("temp_dir_copy", "COPY TO the sandbox's temp folder", _temp_dir_copy, checks={"error"}),
    Case("temp_dir_attach", "ATTACH a file in the sandbox's temp folder", _temp_dir_attach, checks={"error"}),
    Case("temp_setting_empty", "an answer that needs a temp folder to exist", _temp_setting_empty, checks={"fail", "error"}),
    Case("relative_attach", "an error that names the grader's working directory", _relative_attach, checks={"error"}),
    Case("infinity", "results holding inf, -inf and NaN", _infinity, checks={"fail"}),
    Case("ignores_interrupts", "one enormous value: ignores DuckDB's interrupt", _ignores_interrupts, checks={"timeout"}),
    # over the budget (timeout) on a slow machine, just under it on a fast one: either way bounded.
    # It spends all the budget it is given, so it is given 4 s (as the budget tests give theirs)
    Case("slow_and_wrong", "wrong and slow on every run, under the check's limit", _slow_and_wrong,
         status={"timeout", "graded"}, checks={"fail", "timeout"}, budget_s=4.0),
]
