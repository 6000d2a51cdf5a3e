-- expect: error
-- attack: reads raw bytes
SELECT * FROM read_blob('/etc/passwd')
