-- expect: error
-- attack: turns file access back on
SET enable_external_access = true;
SELECT * FROM read_csv('/etc/passwd')
