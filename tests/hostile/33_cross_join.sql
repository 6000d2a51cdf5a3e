-- expect: timeout
-- attack: a huge cross join
SELECT count(*) FROM range(100000) a, range(100000) b, range(100000) c
