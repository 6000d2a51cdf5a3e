-- expect: error
-- attack: drops the fixture's events
DROP TABLE events;
SELECT * FROM events
