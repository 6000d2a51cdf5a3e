-- expect: error
-- attack: comments only
-- I will do this later
/* really */
