-- expect: error
-- attack: changes a setting through PRAGMA
PRAGMA enable_profiling
