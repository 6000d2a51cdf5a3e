-- expect: error
-- attack: a statement that returns no rows
CREATE TABLE hostile_t AS SELECT 1 AS x
