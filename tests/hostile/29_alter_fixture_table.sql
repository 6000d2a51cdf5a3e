-- expect: error
-- attack: renames the fixture's events
ALTER TABLE events RENAME TO hostile_events;
SELECT * FROM events
