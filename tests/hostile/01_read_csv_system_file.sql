-- expect: error
-- attack: reads a system file
SELECT * FROM read_csv('/etc/passwd')
