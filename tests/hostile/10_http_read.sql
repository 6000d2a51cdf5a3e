-- expect: error
-- attack: reads over the network
SELECT * FROM read_csv('https://example.com/hostile_leak.csv')
