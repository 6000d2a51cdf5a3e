-- expect: error
-- attack: plants an `events` table in the shared default catalog for the next check
CREATE TABLE memory.main.events AS SELECT * FROM events WHERE false;
CREATE MACRO memory.main.hostile_m(x) AS x
