-- expect: error
-- attack: looks for expected results in another catalog
ATTACH ':memory:' AS peek;
SELECT * FROM peek.expected
