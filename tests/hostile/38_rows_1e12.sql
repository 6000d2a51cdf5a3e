-- expect: error
-- attack: returns a trillion rows
SELECT * FROM range(1000000000000)
