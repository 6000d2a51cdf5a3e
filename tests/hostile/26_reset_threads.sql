-- expect: error
-- attack: resets a limit
RESET threads
