-- expect: timeout
-- attack: builds one 1 GB string (ignores the interrupt)
SELECT length(repeat('x', 1000000000)) AS n
