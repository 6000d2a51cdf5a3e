"""The kinds of check an exercise declares. Each check is named for the mistake it catches and
runs on its own fixture, in its own sandbox, under its own time limit.

One module per part: base.py (Fixture, Verdict, Check and the diff tables every check shows),
result.py (ResultCheck: an SQL answer's rows against the oracle), controls.py (the controls and
aspects a ResultCheck is declared with), value.py (ValueCheck, ManualCheck: structured and written
answers). Everything is re-exported here: `from grader.engine.checks import ResultCheck`."""

from grader.engine.checks.base import (  # noqa: F401
    Aspect, Check, Control, DIMENSION_EPOCH, Expected, Fixture, INPUT_TABLES, Verdict, _sql,
    diff_tables, form_lead, missing_dimensions, with_dimensions,
)
from grader.engine.checks.result import (  # noqa: F401
    ResultCheck, result_checks,
)
from grader.engine.checks.controls import (  # noqa: F401
    EDGE, at_answered, duplicates_only, edges_moved, edges_moved_around, extra_rows_only, far_end_settled, keys_only,
    missing_rows_only, moved_to, no_extra_rows, only_columns, then, without_future_events,
    without_events_older_than, without_old_events, without_retries, without_retries_twins_apart,
)
from grader.engine.checks.value import (  # noqa: F401
    Judge, ManualCheck, ValueCheck,
)
# Judges declared beside checks, importable from here as before (the judges live in judges.py).
from grader.engine.judges import (  # noqa: F401
    Unreadable, as_set, close_to, day_judge, day_text, days_judge, days_text, equals, parse_as_of_day,
    parse_days, parse_timestamp,
)
