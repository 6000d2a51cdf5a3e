-- expect: error
-- attack: aggregates a huge string
SELECT string_agg(repeat('x', 1000000), ',') FROM range(100000)
