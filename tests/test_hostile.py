"""Hostile input is contained: every SQL attack in tests/hostile/ ends as a check with the status
its header states (error or timeout) and a message, writes no file outside the grader's temp
folder, finishes within its time bound, and costs nobody else anything. Structured answers
that try to run code are refused without running anything."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import nbformat
import pytest

from grader.course import exercises
from grader.engine.checks import ValueCheck, equals
from grader.engine.exercise import Exercise
from grader.grading.grade import grade_exercise, grade_many, grade_path
from grader.engine.notebook import extract_answers
from grader.engine.sandbox import STUCK_GRACE_S, Limits

CORPUS = sorted((Path(__file__).parent / "hostile").glob("*.sql"))
LIMITS = Limits(timeout_s=1.0)
# One check: its own time limit, the grace before a wedged child is killed, fork and setup.
BOUND_S = LIMITS.timeout_s + STUCK_GRACE_S + 2.5
REPO = Path(__file__).resolve().parent.parent
TIMES: dict[str, float] = {}


def parse_case(path: Path) -> tuple[str, str, str]:
    """(expected status, attack, the answer's SQL without the header)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    expect = lines[0].split(":", 1)[1].strip()
    attack = lines[1].split(":", 1)[1].strip()
    return expect, attack, "".join(lines[2:])


def notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def reference_sql() -> str:
    return "\n".join(reference_lines_block("ex06"))


def reference_lines_block(exercise_id: str) -> list[str]:
    from grader.authoring import lesson

    cell = next(c for c in lesson.read(exercises.get(exercise_id).lesson).cells if c.role == "solution" and c.save)
    return cell.source.split("\n")[1:]


def leaked_files(roots: list[Path]) -> list[Path]:
    found = []
    for root in roots:
        if root.exists():
            found.extend(p for p in root.iterdir() if "hostile_" in p.name)
    return found


def test_corpus_is_large_and_headed():
    assert len(CORPUS) >= 30
    for path in CORPUS:
        expect, attack, _ = parse_case(path)
        assert expect in ("error", "timeout"), path.name
        assert attack, path.name


@pytest.mark.parametrize("case", CORPUS, ids=lambda p: p.stem)
def test_hostile_sql_is_contained(case: Path, tmp_path: Path, monkeypatch):
    expect, attack, sql = parse_case(case)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)  # relative paths in the attack point here
    nb = notebook(tmp_path / "mallory.ipynb", f"%%sql --save ex06\n{sql}")
    started = time.perf_counter()
    result = grade_path(nb, hidden=False, limits=LIMITS, only=["ex06"])
    elapsed = time.perf_counter() - started
    TIMES[case.stem] = elapsed

    assert result.status == "graded"
    checks = result.exercises[0].checks
    assert [c.status for c in checks] == [expect] * len(checks), [c.message for c in checks]
    for c in checks:
        assert c.points == 0 and c.message.startswith("ex06"), c.message
    assert elapsed < BOUND_S, f"{case.stem} took {elapsed:.1f} s"
    # Nothing written: not here, not next to the repo, not in /tmp, not in the home folder.
    assert list(work.iterdir()) == []
    assert leaked_files([work, REPO, REPO / "grader", Path("/tmp"), Path.home()]) == []


def test_slowest_case_is_within_bound():
    """Runs after the corpus (same module, file order): report the slowest case."""
    if not TIMES:
        pytest.skip("corpus not run in this session")
    name, slowest = max(TIMES.items(), key=lambda kv: kv[1])
    print(f"\nslowest hostile case: {name} {slowest:.2f} s (bound {BOUND_S:.1f} s)")
    assert slowest < BOUND_S


WORST = ["36_repeat_1e9", "37_list_range_1e9", "31_poison_shared_catalog", "28_drop_fixture_table", "33_cross_join"]


def test_hostile_answers_leave_other_checks_alone():
    """A hostile answer and the reference side by side in one exercise: the hostile copies of the
    checks end in error/timeout, the reference's checks (run after, in the same process) pass."""
    ex06 = exercises.get("ex06")
    for stem in WORST:
        expect, _, sql = parse_case(next(p for p in CORPUS if p.stem == stem))
        # one public and two hidden checks are enough to be hostile with (each burns its time limit)
        hostile = [dataclasses.replace(c, answer="ex06h") for c in ex06.checks[:1] + ex06.hidden[:2]]
        mixed = Exercise("ex06", "mixed", "", [], hostile + ex06.all_checks())
        answers, _ = extract_answers([
            {"cell_type": "code", "source": f"%%sql --save ex06h\n{sql}"},
            {"cell_type": "code", "source": "%%sql --save ex06\n" + reference_sql()},
        ])
        result = grade_exercise(mixed, answers, limits=LIMITS, isolate=True)
        n = len(hostile)
        assert {c.status for c in result.checks[:n]} == {expect}, stem
        assert [c.status for c in result.checks[n:]] == ["pass"] * len(ex06.all_checks()), (stem, [c.message for c in result.checks[n:]])


def test_batch_goes_on_after_hostile_submissions(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    paths = []
    # one runaway query (each of its checks burns the time limit) and the two that attack the
    # sandbox's tables stand for the five: the batch must go on after each kind
    for stem in ["36_repeat_1e9", "31_poison_shared_catalog", "28_drop_fixture_table"]:
        _, _, sql = parse_case(next(p for p in CORPUS if p.stem == stem))
        paths.append(notebook(tmp_path / f"mallory_{stem}.ipynb", f"%%sql --save ex06\n{sql}"))
    paths.append(notebook(tmp_path / "ada.ipynb", "%%sql --save ex06\n" + reference_sql()))
    results = grade_many(paths, limits=LIMITS, workers=1, only=["ex06"])
    assert [r.status for r in results] == ["graded"] * len(paths)
    for r in results[:-1]:
        assert r.score == 0 and {c.status for c in r.exercises[0].checks} <= {"error", "timeout"}
    ada = results[-1]
    assert ada.score == ada.max_score > 0, [c.message for c in ada.exercises[0].checks]


# ---------- structured answers that try code ----------

CODE_ATTEMPTS = {
    "import": "ex09 = __import__('os').system('touch hostile_pwned')",
    "call": "ex09 = open('/etc/passwd').read()",
    "exec": "ex09 = exec(\"open('hostile_pwned', 'w')\")",
    "attribute": "ex09 = ().__class__",
    "attribute_call": "ex09 = ().__class__.__bases__[0].__subclasses__()",
    "lambda": "ex09 = (lambda: 1)()",
    "lambda_value": "ex09 = lambda: 1",
    "list_comprehension": "ex09 = [x for x in range(10**9)]",
    "dict_comprehension": "ex09 = {k: 1 for k in 'abc'}",
    "generator": "ex09 = sum(x for x in range(10))",
    "name": "ex09 = os",
    "power_tower": "ex09 = 10**10**10",
    "big_power": "ex09 = 2**(2**100)",
    "string_times_huge": "ex09 = 'x' * 10**9",
    "list_times_huge": "ex09 = [0] * 10**9",
    "fstring": "ex09 = f\"{__import__('os')}\"",
    "walrus": "ex09 = (y := 1)",
    "conditional": "ex09 = 1 if __import__('os') else 2",
    "dict_unpack": "ex09 = {**globals()}",
    "subscript": "ex09 = {'a': 1}['a']",
    "bytes": "ex09 = b'\\x00'",
}


@pytest.mark.parametrize("source", CODE_ATTEMPTS.values(), ids=CODE_ATTEMPTS.keys())
def test_structured_code_is_refused_without_running(source, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    started = time.perf_counter()
    answers, _ = extract_answers([{"cell_type": "code", "source": source}])
    assert time.perf_counter() - started < 1.0
    answer = answers["ex09"]
    assert answer.error, f"{source!r} was accepted as {answer.value!r}"
    check = ValueCheck(name="value", answer="ex09", points=1, fail="wrong", judge=equals(1))
    result = check.run(answers)
    assert result.status == "error" and result.points == 0
    assert result.message.startswith("ex09 could not be read:")
    assert list(tmp_path.iterdir()) == []  # nothing ran


def test_refusal_messages_name_the_construct():
    messages = {k: extract_answers([{"cell_type": "code", "source": s}])[0]["ex09"].error for k, s in CODE_ATTEMPTS.items()}
    assert "function call" in messages["call"]
    assert "attribute access" in messages["attribute"]
    assert "lambda" in messages["lambda_value"]
    assert "comprehension" in messages["dict_comprehension"]
    assert "too large" in messages["power_tower"] or "exponent" in messages["power_tower"]
    assert "the grader never runs Python" in messages["import"]


def test_forked_child_stops_a_runaway_query_at_its_own_limit():
    """Checks run in forked children: the watchdog thread the parent left waiting must not be the
    one a child's deadline relies on (the child would wait for the whole check budget instead)."""
    from grader.engine import sandbox
    from grader.engine.sandbox import SandboxError
    from tests.test_grading_fast_path import DATASET

    sandbox.query(DATASET, "SELECT count(*) AS n FROM events")  # the parent's watchdog is waiting
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        sandbox.query(DATASET, "SELECT 1 AS n", None, Limits(timeout_s=0.2))
        time.sleep(0.4)  # the child's own watchdog now sleeps long, to be woken by the next deadline
        started = time.monotonic()
        try:
            sandbox.query(DATASET, "SELECT count(*) FROM range(100000) a, range(100000) b", None, Limits(timeout_s=0.5))
            kind = "finished"
        except SandboxError as exc:
            kind = exc.kind
        os.write(write, f"{kind} {time.monotonic() - started:.2f}".encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    kind, elapsed = os.read(read, 100).decode().split()
    os.close(read)
    assert kind == "timeout"
    assert float(elapsed) < 0.5 + STUCK_GRACE_S + 1.0
