-- expect: error
-- attack: dumps the fixture to disk
EXPORT DATABASE 'hostile_dump'
