-- expect: error
-- attack: loads an extension from a path
LOAD '/tmp/hostile_evil.duckdb_extension'
