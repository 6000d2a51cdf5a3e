-- expect: error
-- attack: builds one 8 GB list (ignores the memory limit)
SELECT len(range(1000000000)) AS n
