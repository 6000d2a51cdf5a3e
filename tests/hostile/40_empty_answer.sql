-- expect: error
-- attack: an empty answer

