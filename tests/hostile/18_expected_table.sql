-- expect: error
-- attack: reads a table of expected results
SELECT * FROM expected
