-- expect: error
-- attack: loads a database from disk
IMPORT DATABASE '/tmp'
