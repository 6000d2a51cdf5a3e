-- expect: error
-- attack: writes a file into /tmp
COPY (SELECT * FROM events) TO '/tmp/hostile_leak.parquet' (FORMAT parquet)
