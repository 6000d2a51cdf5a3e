"""What a job's feature values get wrong, said the same way in every job exercise (ex08's
incremental run, ex12's backfill): the failure text of the hidden value checks both declare."""

VALUE_MISTAKES = {
    "window_edges":
        "The window's edges are off: the course's window is as_of_ts - 7 days < event_ts <= as_of_ts, on "
        "timestamps, not whole days (an event exactly at as_of_ts counts, one exactly 7 days earlier does not, "
        "and one half a second after as_of_ts belongs to the next day)",
    "retries_deduplicated":
        "Retried events were counted more than once: deduplicate on event_id before counting "
        "(SELECT DISTINCT, or QUALIFY row_number() OVER (PARTITION BY event_id ...) = 1)",
    "all_types_in_impressions":
        "impressions_7d counts events of every type, not only clicks and views (and clicks_7d / views_7d "
        "count only their own type, spelled as stored, with 0 and not NULL where a pair has none of it: "
        "sum(CASE ... THEN 1 END) needs ELSE 0)",
}
