"""Exercise 12: the backfill/incremental diagram; overlapping backfills (`ex12b`, a backfill
script over getvariable('start_ts') .. getvariable('end_ts'), run in both orders, twice and
interleaved on two connections); and what a control-first job loses (`ex12c`)."""

import re
from datetime import datetime as dt

from grader.engine.checks import ManualCheck, ValueCheck, day_judge
from grader.domain.tables import JOB_KEY, load_seed
from grader.engine.exercise import Answer, Exercise
from grader.domain import semantics
from grader.course.harness import (KEEPS_KEY_FAIL, Backfill, BackfillCheck, BackfillControlCheck, BackfillDaysCheck, KeepsKeyCheck, Scenario,
                                 crash_table, quiet_days)

SEED = Scenario("the workbook's sample tables, feature_table empty", load_seed())
END = dt(2025, 12, 7, 23, 59, 59)
START = dt(2025, 12, 1, 23, 59, 59)
# An older run left rows on the range's first and last days (one impression too many), and on each
# a key the events no longer produce (a pair with no event in that day's window): a backfill must
# overwrite the first and remove the second, so a DELETE that starts or stops a day short, ON
# CONFLICT DO NOTHING, and MERGE or INSERT OR REPLACE alone show here.


def _unproduced(day) -> tuple[int, int]:
    produced = {(u, i) for u, i, *_r in semantics.feature_rows(load_seed().rows("events"), [day])}
    users, items = sorted(r[0] for r in load_seed().rows("users")), sorted(r[0] for r in load_seed().rows("items"))
    return next((u, i) for u in users for i in items if (u, i) not in produced)


STALE_END_ROWS = [(u, i, t, c, v, n + 1, c / (n + 1))
                  for day in (START, END)
                  for (u, i, t, c, v, n, _) in semantics.feature_rows(load_seed().rows("events"), [day])[:2]]
STALE_END_ROWS += [(*_unproduced(day), day, 1, 0, 1, 1.0) for day in (START, END)]
# feature_job_control holds one row per job; a backfill leaves every one alone.
CONTROL_ROWS = [("item_features_daily", dt(2025, 12, 9, 23, 59, 59), dt(2025, 12, 10, 6)),
                (JOB_KEY, dt(2025, 12, 4, 23, 59, 59), dt(2025, 12, 5, 6)),
                ("user_features_hourly", dt(2025, 11, 20, 23, 59, 59), dt(2025, 11, 21, 6))]
STALE_END = Scenario("the workbook's sample tables; feature_table holds stale rows of 2025-12-01 and 2025-12-07 "
                     "(the range's first and last days) from an older run, among them a key the events no longer "
                     "produce", load_seed().with_rows("feature_table", STALE_END_ROWS))
OTHER_JOBS = Scenario("the workbook's sample tables, feature_table empty; feature_job_control holds the incremental "
                      "job's row (watermark 2025-12-04) and two other jobs' rows",
                      load_seed().with_rows("feature_job_control", CONTROL_ROWS))
# Days other jobs wrote around a backfill's range, before event 42 (a click of 102 on 201 at 12-01 09:00)
# arrived: recomputed, 12-01, 12-02, 12-06 and 12-07 would change, so a backfill of [12-03, 12-05] that
# writes days outside its range (a range written into the script, a DELETE not bounded by it) shows.
# The incremental job's watermark is 12-01, two days before the range: a backfill that stretches its
# range back to the day after it ("and fill the gap") rewrites 12-02, which is not its day either.
LATE_ARRIVAL = 42
BEHIND = [(JOB_KEY, dt(2025, 12, 1, 23, 59, 59), dt(2025, 12, 2, 6))]
OTHER_DAYS = Scenario("the workbook's sample tables; feature_table holds 2025-11-28..2025-12-08, written before "
                      "event 42 arrived; the incremental job's watermark is 2025-12-01",
                      load_seed().with_rows("feature_table", semantics.feature_rows(
                          [e for e in load_seed().rows("events") if e[0] != LATE_ARRIVAL],
                          semantics.as_of_range(dt(2025, 11, 28, 23, 59, 59), dt(2025, 12, 8, 23, 59, 59))))
                      .with_rows("feature_job_control", BEHIND))
# A backfill of [11-29, 12-01] on the sample: no event happened on 11-30, but its window holds the events
# of 11-24..11-29, so it has feature rows. Every sample day of 12-01..12-07 has events of its own, so a
# backfill that takes its as-of days from the events' dates (SELECT DISTINCT CAST(event_ts AS DATE) ...)
# instead of generating every day of its range shows only here.
QUIET = Backfill("Q", dt(2025, 11, 29, 23, 59, 59), dt(2025, 12, 1, 23, 59, 59))
assert quiet_days(SEED, QUIET.days) == [dt(2025, 11, 30, 23, 59, 59)]
MIDDLE = Backfill("D", dt(2025, 12, 3, 23, 59, 59), dt(2025, 12, 5, 23, 59, 59))
OTHER_DAYS_FAIL = ("A backfill of [12-03, 12-05] changed rows outside its range: it must write only the days from "
                   "getvariable('start_ts') to getvariable('end_ts'), not a range written into the script or stretched "
                   "to the control row's watermark, and its DELETE (or overwrite) must be bounded by both, or it wipes or rewrites days other jobs wrote")
A = Backfill("A", dt(2025, 12, 1, 23, 59, 59), dt(2025, 12, 5, 23, 59, 59))
B = Backfill("B", dt(2025, 12, 3, 23, 59, 59), dt(2025, 12, 7, 23, 59, 59))
C = Backfill("C", dt(2025, 12, 1, 23, 59, 59), dt(2025, 12, 7, 23, 59, 59))  # one backfill of A and B's union

FIX_OPTIONS = {
    "A": "keep updating the control row first, and retry the write until it succeeds",
    "B": "update the control row only after the write has succeeded (or in the same transaction as the write)",
    "C": "set last_as_of_ts from now() so the next run picks up the current day",
    "D": "rebuild the whole feature table every night instead",
}

# The job of part (c): it advances the control row first, outside any transaction.
# The lesson's plain INSERT backfill (not idempotent): the second of two overlapping jobs fails on the key.
PLAIN_INSERT_BACKFILL = """
INSERT INTO feature_table
SELECT ev.user_id, ev.item_id, day.as_of_ts,
       count(*) FILTER (WHERE ev.event_type = 'click'), count(*) FILTER (WHERE ev.event_type = 'view'),
       count(*), count(*) FILTER (WHERE ev.event_type = 'click')::DOUBLE / NULLIF(count(*), 0)
FROM (SELECT DISTINCT * FROM events) AS ev
JOIN generate_series(getvariable('start_ts'), getvariable('end_ts'), INTERVAL 1 DAY) AS day(as_of_ts)
  ON ev.event_ts <= day.as_of_ts AND ev.event_ts > day.as_of_ts - INTERVAL 7 DAY
GROUP BY ALL
"""
CONTROL_FIRST_JOB = """
UPDATE feature_job_control
SET last_as_of_ts = last_as_of_ts + INTERVAL 1 DAY, last_run_ts = now()
WHERE feature_job_control.job_key = 'user_item_features_daily';

INSERT OR REPLACE INTO feature_table
SELECT ev.user_id, ev.item_id, ctl.last_as_of_ts AS as_of_ts,
       count(*) FILTER (WHERE ev.event_type = 'click') AS clicks_7d,
       count(*) FILTER (WHERE ev.event_type = 'view') AS views_7d,
       count(*) AS impressions_7d,
       count(*) FILTER (WHERE ev.event_type = 'click')::DOUBLE / NULLIF(count(*), 0) AS ctr_7d
FROM (SELECT DISTINCT * FROM events) AS ev, feature_job_control AS ctl
WHERE ctl.job_key = 'user_item_features_daily'
  AND ev.event_ts <= ctl.last_as_of_ts AND ev.event_ts > ctl.last_as_of_ts - INTERVAL 7 DAY
GROUP BY ALL;
""".strip()


_LETTER = re.compile(r"^(?:option\s+)?[(\[]?([a-d])[)\]]?(?:$|\s*[).:,;\-\u2013\u2014]\s*(.*)$)", re.I | re.S)


def _words(text: str) -> str:
    """Lower case, punctuation and backticks gone, spaces collapsed: how option texts compare."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _by_text(text: str) -> str | None:
    """The option whose text this is (as given, or without its parenthetical), else None."""
    said = _words(text)
    for letter, option in FIX_OPTIONS.items():
        if said and said in (_words(option), _words(re.sub(r"\([^)]*\)", "", option))):
            return letter
    return None


def option_letter(value) -> str | None:
    """The option a student chose, in the forms they write it: 'B', 'b', 'b)', '(B)', 'B.',
    'option B', 'B: update ...', or the option's own text (with or without its parenthetical,
    punctuation or backticks). None when it names no option. A first word 'a' followed by text is
    the article, not option A: 'a retry loop ...' is read as text."""
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str):
        return None
    text = value.strip().strip("'\"`*").strip()
    m = _LETTER.match(text)
    if m:
        return m.group(1).upper()
    found = _by_text(text)
    if found is None:  # 'B update the control row ...': a letter, a space, then the option's text
        m = re.match(r"^([a-d])\s+(.+)$", text, re.I | re.S)
        if m and _by_text(m.group(2)):
            found = _by_text(m.group(2))
    return found


def fix_judge(value) -> tuple[bool, str]:
    letter = option_letter(value)
    if letter is None:
        return False, (f"{value!r} names none of the options: write the chosen option's letter, e.g. 'B', "
                       "or its text as given")
    if letter == "B":
        return True, ""
    return False, (f"{letter}: retrying does not help when the process dies after the control update, and now() "
                   "or a full rebuild hide the problem; the fix is the order of the writes")


def control_first_crashes():
    """In the notebook: the control-first job crashed after each statement, then rerun."""
    return crash_table(CONTROL_FIRST_JOB, SEED)


def backfill_check(name: str, points: float, fail: str, passed: str = "", **kw) -> BackfillCheck:
    return BackfillCheck(name=name, answer="ex12b", points=points, fail=fail, passed=passed, **kw)


EXERCISE = Exercise(
    id="ex12",
    title="Backfill and incremental: overlaps and the order of writes",
    teaches="idempotent partition overwrite under overlapping and concurrent backfills; why control comes last",
    answers=[
        Answer("ex12a", "structured", "(a)+(b) in words: why overlapping INSERT backfills duplicate, how overwrite/MERGE fixes it"),
        Answer("ex12b", "sql", "backfill script: every as-of day from getvariable('start_ts') to getvariable('end_ts')"),
        Answer("ex12c", "structured", "{'lost_as_of_ts': day, 'fix': option letter}"),
    ],
    checks=[
        ManualCheck(name="explains_overlap_duplicates", answer="ex12a", points=3, min_words=20,
                    fail="Explain (b) in a few sentences"),
        backfill_check(
            "backfill_matches_reference", 2,
            "One backfill over [2025-12-01, 2025-12-07] should write every as-of day of the range (both ends "
            "included, one day apart) with the course's features (a row for each pair with an event in that day's "
            "window, and none for a pair without one), overwriting the stale rows an older run left "
            "on 2025-12-01 and 2025-12-07 and removing its keys the events no longer produce",
            "One backfill wrote 12-01..12-07 exactly as the course defines them.",
            scenario=STALE_END, jobs=[C], orders=["C"], shrink=True,
        ),
        BackfillDaysCheck(
            name="writes_days_without_events", answer="ex12b", points=1, scenario=SEED, jobs=[QUIET],
            orders=["Q"], gated=True,
            fail="A backfill writes every as-of day of its range, one day apart from getvariable('start_ts') to "
                 "getvariable('end_ts'), a day on which no event happened too: its 7-day window still holds "
                 "events, so it has feature rows. As-of days taken from the events' dates (SELECT DISTINCT "
                 "CAST(event_ts AS DATE) ...) skip it; generate them from the range (generate_series)",
            passed="A backfill of [11-29, 12-01] wrote 11-30 too, a day without events of its own.",
        ),
        KeepsKeyCheck(
            name="feature_table_keeps_its_key", answer="ex12b", points=1, scenario=SEED, variables=C.variables,
            first="backfill_matches_reference", fail=KEEPS_KEY_FAIL,
            passed="After a backfill feature_table still has PRIMARY KEY (user_id, item_id, as_of_ts).",
        ),
        # Scored by the hidden backfill_leaves_control_rows_alone; here the student sees it before hand-in.
        BackfillControlCheck(
            name="control_table_left_as_it_was", answer="ex12b", points=0, scenario=OTHER_JOBS, jobs=[C],
            orders=["C"], gated=True,
            fail="A backfill leaves feature_job_control alone: the watermark and last_run_ts belong to the "
                 "incremental job (a backfill that moves them, to its end_ts or now(), moves the watermark "
                 "backwards when it repairs an old range, or skips days the incremental job never wrote)",
            passed="The backfill left every control row as it was.",
        ),
        # Scored by the hidden leaves_other_days_alone (on other data); here the student sees it before hand-in.
        backfill_check(
            "other_days_left_as_they_were", 0, OTHER_DAYS_FAIL,
            "A backfill of [12-03, 12-05] left every other day as it was.",
            scenario=OTHER_DAYS, jobs=[MIDDLE], orders=["D"], outside_only=True, gated=True, gate=SEED,
        ),
        backfill_check(
            "overlapping_backfills_both_orders", 2,
            "Two overlapping backfills must leave the table as one backfill of their union would, whichever runs "
            "first: the days both write (12-03..12-05) are overwritten, not inserted twice",
            scenario=SEED, jobs=[A, B], orders=["AB", "BA"], gated=True,
        ),
        backfill_check(
            "rerun_backfill_is_idempotent", 1,
            "Running the same backfill twice (a retried task, an operator's rerun) must change nothing: "
            "the second run overwrites what the first wrote",
            scenario=SEED, jobs=[A], orders=["AA"], gated=True,
        ),
        backfill_check(
            "concurrent_backfills_converge", 2,
            "Backfills A and B running at the same time on two connections (a failed task retried, as an "
            "orchestrator retries it) must still end with the table of one backfill over 12-01..12-07",
            scenario=SEED, jobs=[A, B], interleave=True, gated=True,
        ),
        ValueCheck(
            name="lost_day_named", answer="ex12c", key="lost_as_of_ts", points=1,
            judge=day_judge(dt(2025, 12, 3, 23, 59, 59), {
                dt(2025, 12, 4, 23, 59, 59): "12-04 is what the next run computes; the day it never writes is the one before",
                dt(2025, 12, 2, 23, 59, 59): "12-02 was written before the failing run started",
            }),
            fail="Which as-of day is never written?", passed="2025-12-03: the control row already says it is done.",
        ),
        ValueCheck(
            name="fix_is_control_after_write", answer="ex12c", key="fix", points=1,
            judge=fix_judge,
            fail="Choose the fix", passed="Advance the control row only once the write is committed.",
        ),
    ],
)


def schedules(name_or_sql: str = "ex12b"):
    """In the notebook: every order and interleaving the public checks try, and the outcome."""
    from grader.course.harness import schedules_table

    return schedules_table(name_or_sql, [c for c in EXERCISE.checks
                                            if isinstance(c, BackfillCheck) and not isinstance(c, BackfillControlCheck)])
