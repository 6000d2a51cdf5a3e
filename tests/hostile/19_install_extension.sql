-- expect: error
-- attack: installs an extension
INSTALL httpfs
