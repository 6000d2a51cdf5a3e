-- expect: timeout
-- attack: sums range(1e12)
SELECT sum(range) FROM range(1000000000000)
