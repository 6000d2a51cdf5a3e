-- expect: error
-- attack: semicolons only
;;;
