-- expect: error
-- attack: creates a database file
ATTACH 'hostile_stolen.duckdb' AS stolen
