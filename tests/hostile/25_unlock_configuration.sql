-- expect: error
-- attack: unlocks the configuration
SET lock_configuration = false
