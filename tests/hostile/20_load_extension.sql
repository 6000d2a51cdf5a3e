-- expect: error
-- attack: loads an extension
LOAD httpfs
