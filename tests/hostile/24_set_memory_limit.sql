-- expect: error
-- attack: raises its own memory limit
SET memory_limit = '100GB';
SELECT 1
