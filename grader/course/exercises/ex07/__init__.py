"""Exercise 7: derive ctr_7d and upsert Exercise 6's rows into feature_table, idempotently.

The answer is a script over `feature_rows` (Exercise 6's columns, no ctr) that writes into
`feature_table`. A check runs it (once, or twice for the rerun check) and compares the whole
of `feature_table` afterwards with the oracle: the rows before, with every key of
`feature_rows` inserted or overwritten (ctr_7d derived as a DOUBLE, NULL for 0 impressions),
and every other row exactly as it was."""

from __future__ import annotations

from contextvars import ContextVar
import dataclasses
import struct
from dataclasses import dataclass
from datetime import datetime

from grader.engine import compare
from grader.engine.checks import Fixture, ResultCheck, Verdict
from grader.engine.checks.base import _sql
from grader.domain.tables import FEATURE_COLUMNS, FEATURE_KEY, Dataset, columns as table_columns, load_seed, replace_table
from grader.engine.exercise import Answer, Exercise
from grader.engine.results import Table
from grader.engine.sandbox import SandboxError
from grader.domain import semantics

STATE = "SELECT * FROM feature_table"
D2, D3 = datetime(2025, 12, 2, 23, 59, 59), datetime(2025, 12, 3, 23, 59, 59)
D4 = datetime(2025, 12, 4, 23, 59, 59)
OTHER_BATCH_USER, AHEAD_USER = 106, 107
ZERO_IMPRESSIONS = (103, 202, D3, 0, 0, 0)


# Whether the script being judged wrote nothing on the check's whole fixture (WriteCheck.message
# asks only when it wrote nothing on a shrunk counterexample).
_WROTE_NOTHING: ContextVar = ContextVar("ex07_wrote_nothing", default=lambda: None)


def expected(dataset: Dataset, variables: dict) -> list[tuple]:
    """feature_table after the write: untouched rows kept, feature_rows' keys upserted."""
    rows = {tuple(r[:3]): tuple(r) for r in dataset.rows("feature_table")}
    for user, item, as_of, clicks, views, impressions in dataset.rows("feature_rows"):
        rows[(user, item, as_of)] = (user, item, as_of, clicks, views, impressions, semantics.ctr(clicks, impressions))
    return sorted(rows.values())


def next_batch(rows: list[tuple]):
    """A next batch of feature_rows arriving between the script's two runs (the next run of the
    job): the hook that swaps it in (ResultCheck.between_runs), and feature_table as it must be
    after both runs. A staging table the script never refreshes (CREATE TABLE IF NOT EXISTS)
    writes the first batch again."""

    def arrive(con) -> None:
        replace_table(con, "feature_rows", rows)

    def after_both(dataset: Dataset, variables: dict) -> list[tuple]:
        first = expected(dataset, variables)
        return expected(Dataset({**dataset.tables, "feature_table": first, "feature_rows": list(rows)}), variables)

    return arrive, after_both


def batch_rows(rows: list[tuple]):
    """The rows of the batch's keys, and of those their counts: what the first run did to the
    other rows, and ctr_7d, are other checks' concern, and so are the batch's counts written into
    other columns (moved_counts: the sample check's finding; the batch was written)."""
    keys = {tuple(compare._norm(v) for v in r[:3]) for r in rows}

    def aspect(d, fixture):
        d = d.only(columns=["clicks_7d", "views_7d", "impressions_7d"])
        d = dataclasses.replace(d, changed=[(e, g) for e, g in d.changed if moved_counts(e[3:6], g[3:6]) != tuple(g[3:6])])
        return d.where(lambda r: tuple(compare._norm(v) for v in r[:3]) in keys)

    return aspect


def next_batch_check(name: str, fixture: Fixture, rows: list[tuple], points: float, fail: str, passed: str = "") -> WriteCheck:
    arrive, after_both = next_batch(rows)
    return dataclasses.replace(
        write_check(name, fixture, points, fail, runs=2, passed=passed, own_ctr=False, aspect=batch_rows(rows),
                    between_runs=arrive),
        expected=after_both)


def empty_table(fixture: Fixture) -> Fixture:
    """The same feature_rows written into an empty feature_table: where the script's own ctr_7d
    for each key is read from."""
    return fixture.with_tables({"feature_table": []})


@dataclass
class WriteCheck(ResultCheck):
    """A ResultCheck for a write script: a failure on a later run is the rerun bug itself, and
    its starting tables are shown then too.

    `own_ctr`: ctr_7d is the ctr checks' concern, so the checks about keys, untouched rows,
    stale rows and reruns expect, for each key of feature_rows, the ctr_7d the script itself
    writes into an empty feature_table (the course's value when it writes none there). A
    script with a wrong ctr then loses the ctr checks, and keeps these. Likewise for the counts
    when the script writes feature_rows' counts into other columns (moved_counts): the sample
    check shows that; these checks judge where its rows go."""

    own_ctr: bool = False
    # `own_ctr_runs`: how many runs on the empty table give that ctr_7d: 1 is the INSERT path's;
    # 2 the UPDATE path's (every key is there for the second run), for a check whose rows are
    # written over existing ones (stale rows): an upsert whose branches compute ctr_7d differently
    # is then the ctr checks' concern, not told it left a column stale.
    own_ctr_runs: int = 1
    # `both_paths`: the script runs twice and the table after the second run is judged, so every
    # key of feature_rows is written once as new and once over a row already there (an upsert's
    # two branches can compute ctr_7d differently). When the second run fails (a plain INSERT's
    # duplicate key: rerun_is_idempotent's concern) the table after the first run is judged.
    both_paths: bool = False
    # `each_run`: with several runs, the table is judged after the first run too: a rerun can
    # mend what the first run wrote wrong (an upsert whose UPDATE reads the old row's counts, an
    # INSERT branch whose ctr_7d is wrong where the UPDATE's is right), and a check that says
    # "right after a run and a rerun" must have seen both.
    each_run: bool = False

    def __post_init__(self):
        if self.own_ctr:
            self.control = empty_table

    def _result(self, sql, fixture, limits, runs=None):
        if not self.both_paths or runs is not None:
            return super()._result(sql, fixture, limits, runs)
        try:
            return super()._result(sql, fixture, limits, 2)
        except SandboxError as exc:
            if exc.run != 2:
                raise
            return super()._result(sql, fixture, limits, 1)

    def reference(self, sql, fixture, limits):
        rows = self.expected(fixture.dataset, fixture.variables)
        if not self.own_ctr:
            return super().reference(sql, fixture, limits)
        inserted = self._own_rows(sql, fixture, limits, 1)
        if inserted is None:
            return rows
        # a key already in feature_table is written by the UPDATE path (own_ctr_runs=2), a new
        # key by the INSERT path
        updated = self._own_rows(sql, fixture, limits, 2) if self.own_ctr_runs == 2 else None
        there = {tuple(compare._norm(v) for v in r[:3]) for r in fixture.dataset.rows("feature_table")}
        new = {tuple(compare._norm(v) for v in r[:3]) for r in fixture.dataset.rows("feature_rows")}
        out = []
        for r in rows:
            k = tuple(compare._norm(v) for v in r[:3])
            own = updated if updated is not None and k in there else inserted
            if k in new and k in own:
                out.append((*r[:3], *moved_counts(r[3:6], inserted.get(k, r)[3:6]), own[k][6]))
            else:
                out.append(r)
        return out

    def _own_rows(self, sql, fixture, limits, runs: int) -> dict | None:
        """key -> the row the script writes into an empty feature_table in `runs` runs (after 2,
        the UPDATE path's; a rerun that fails, as a plain INSERT's, updates nothing: the first
        run's). None when it cannot be read."""
        try:
            clean = self._result(sql, empty_table(fixture), limits, runs=runs)
        except SandboxError as exc:
            if runs == 1 or exc.run != 2:
                return None
            return self._own_rows(sql, fixture, limits, 1)
        got, missing = compare.project(clean.columns, clean.rows, FEATURE_COLUMNS)
        if missing:
            return None
        return {tuple(compare._norm(v) for v in r[:3]): r for r in got}

    def reference_label(self) -> str:
        return "expected" if self.own_ctr else super().reference_label()

    def finding(self, d) -> str:
        found = d.summary()
        if not self.own_ctr:
            return super().finding(d)
        # the expected ctr_7d of a written key is the script's own: say so where it shows (a row the
        # script should have left alone is expected as it was, whatever the script computes)
        written = {tuple(compare._norm(v) for v in r[:3]) for r in self.fixture.dataset.rows("feature_rows")}
        own = any(not compare.values_equal(e[6], g[6]) and tuple(compare._norm(v) for v in e[:3]) in written
                  for e, g in d.changed)
        return f"{found} (ctr_7d as your own script computes it)" if own else found

    def message(self, d, fixture=None) -> str:
        """A script that left feature_table exactly as it found it wrote nothing: say that, not
        the mistake this check names (a key, other days) that it never had the chance to make.
        Judged on the check's whole fixture: on the few rows a counterexample is shrunk to, a
        script that skips only the stale rows also writes nothing, but it did write the rest."""
        before = fixture.dataset.rows("feature_table") if fixture is not None else None
        if before is not None and fixture.dataset.rows("feature_rows") and \
                compare.diff(before, FEATURE_COLUMNS, d.got, FEATURE_COLUMNS).equal and _WROTE_NOTHING.get()() is not False:
            return (f"Your script wrote nothing: feature_table is exactly as it was before it ran "
                    f"({d.summary()}); it must write every row of feature_rows, with ctr_7d.")
        return super().message(d, fixture)

    def _wrote_nothing(self, answer, limits) -> bool | None:
        """Whether the script leaves this check's whole fixture as it found it (None: unknown)."""
        try:
            state = self._result(_sql(answer, self.answer), self.fixture, limits)
        except SandboxError:
            return None
        got, missing = compare.project(state.columns, state.rows, FEATURE_COLUMNS)
        if missing:
            return None
        return compare.diff(self.fixture.dataset.rows("feature_table"), FEATURE_COLUMNS, got, FEATURE_COLUMNS).equal

    def evaluate(self, answer, limits):
        if self.each_run and self.runs > 1:
            first = dataclasses.replace(self, runs=1, each_run=False, both_paths=False).evaluate(answer, limits)
            if first.status != "pass":
                return dataclasses.replace(first, message=f"After the first run: {first.message}")
        token = _WROTE_NOTHING.set(lambda: self._wrote_nothing(answer, limits))
        try:
            verdict = super().evaluate(answer, limits)
        except SandboxError as exc:
            if (exc.run or 1) > 1:
                if self.between_runs is not None:  # one slip, one check: a failing rerun is judged there
                    return Verdict("pass", f"Not judged here: the first run worked, the next one failed ({exc}); "
                                           "a script that fails when run again is rerun_is_idempotent's concern.")
                return Verdict("fail", f"The first run worked, the next one failed: {str(exc).rstrip('.')}. {self.fail}", self._inputs())
            raise
        finally:
            _WROTE_NOTHING.reset(token)
        if self.each_run and verdict.status != "pass":
            return dataclasses.replace(verdict, message=f"After the rerun: {verdict.message}")
        return verdict

    def _inputs(self) -> list[Table]:
        out = []
        for table, caption in (("feature_table", "feature_table before your script"), ("feature_rows", "feature_rows (the input)")):
            rows = self.fixture.dataset.rows(table)
            out.append(Table(caption if rows else f"{caption}: empty", table_columns(table), [list(r) for r in rows]))
        return out


def moved_counts(right: tuple, own: tuple) -> tuple:
    """The counts a key is expected with: the script's own where they are feature_rows' counts in
    other columns (an INSERT whose column list is not the SELECT's order: the sample check's finding,
    not a key or rerun mistake), feature_rows' otherwise (a count computed wrong is never taken)."""
    def norm(xs):
        return sorted((compare._norm(v) for v in xs), key=repr)
    return tuple(own) if norm(own) == norm(right) else tuple(right)


def write_check(name: str, fixture: Fixture, points: float, fail: str, runs: int = 1, passed: str = "",
                own_ctr: bool = True, **judging) -> WriteCheck:
    """A check on feature_table after the script; the input rows (feature_rows and
    feature_table) are shrunk to the fewest that still show the failure."""
    return WriteCheck(
        name=name, answer="ex07", points=points, fail=fail, passed=passed, fixture=fixture,
        expected=expected, columns=FEATURE_COLUMNS, key=FEATURE_KEY, state_sql=STATE, runs=runs,
        shrink_tables=("feature_rows", "feature_table"), own_ctr=own_ctr, **judging,
    )


# The next run's feature_rows on the sample: the one pair first seen on 2025-12-04 (a pair of
# its own, so a write keyed without as_of_ts is not caught here a second time).
NEXT_ON_SAMPLE = [(103, 204, D4, 0, 1, 1)]


def as_float(ctr):
    """ctr_7d as a 4-byte FLOAT keeps it (`(2 / 3)::FLOAT` in the lesson's setup cell)."""
    return None if ctr is None else struct.unpack("f", struct.pack("f", ctr))[0]


def sample() -> Dataset:
    """The notebook's tables: 2025-12-02 already written, 2025-12-03 to write, two stale rows.

    feature_table also holds what this write must leave alone: user 106's 2025-12-03 rows (another
    batch of the day, already written) and a 2025-12-04 row a backfill wrote ahead. feature_rows
    holds one pair with zero impressions (its only event is half a second after the day ends: an
    upstream grid on whole days kept it), where ctr_7d divides by zero.
    The lesson's setup cell inserts exactly these rows (tests/test_ex07.py holds them equal)."""
    events = load_seed().rows("events")
    rows = semantics.feature_rows(events, [D2, D3])
    # Yesterday's run was an older job that stored ctr_7d through a FLOAT: a write that rewrites
    # rows it does not own (an UPDATE of ctr_7d with no WHERE) changes their digits.
    written = [(*r[:6], as_float(r[6])) for r in rows if r[2] == D2]
    # An earlier run of 2025-12-03 left two stale rows: one counted a retried view twice, one counted
    # every event that is not a click as a view (clicks_7d, impressions_7d and ctr_7d right, so an
    # update made only when the rate changed leaves it stale).
    stale = [(101, 201, D3, 1, 2, 3, 1 / 3), (104, 201, D3, 1, 2, 3, 1 / 3)]
    other_batch = [r for r in rows if r[2] == D3 and r[0] == OTHER_BATCH_USER]
    ahead = [r for r in semantics.feature_rows(events, [D4]) if r[0] == AHEAD_USER]
    to_write = [r[:6] for r in rows if r[2] == D3 and r[0] != OTHER_BATCH_USER] + [ZERO_IMPRESSIONS]
    return Dataset({"feature_table": written + stale + other_batch + ahead, "feature_rows": sorted(to_write)})


EXERCISE = Exercise(
    id="ex07",
    title="Derived ctr_7d and an idempotent MERGE",
    teaches="ctr as a DOUBLE with NULLIF; upserting on the full write key; reruns that change nothing",
    answers=[Answer("ex07", "sql", "script: write feature_rows + ctr_7d into feature_table, keyed on (user_id, item_id, as_of_ts)")],
    checks=[
        write_check(
            "matches_reference_on_sample",
            Fixture("sample", sample()),
            2,
            "feature_table on the workbook's sample tables must be the expected table after your script runs, "
            "and again after a rerun (as a scheduler may run it): every 2025-12-03 row of feature_rows written once with ctr_7d "
            "(NULL for zero impressions), every other row (2025-12-02, user 106's batch, 2025-12-04) kept as it was",
            passed="feature_table is right after a run and a rerun on the sample tables.",
            own_ctr=False, runs=2, each_run=True,
        ),
        # Scored by the hidden next_batch_is_written (on other data); here the student sees it before hand-in.
        next_batch_check(
            "next_batch_written_on_sample", Fixture("sample", sample()), NEXT_ON_SAMPLE, 0,
            "Run again with the next batch in feature_rows (one new pair, 103 x 204 on 2025-12-04), your "
            "script must write that batch: it writes whatever feature_rows holds when it runs (a staging "
            "table made once with CREATE TABLE IF NOT EXISTS, never refreshed, writes the first batch again)",
            "A next batch in feature_rows was written on the sample tables.",
        ),
    ],
)
