-- expect: error
-- attack: reads the course CSVs behind the fixture's back
SELECT * FROM read_csv_auto('data/events.csv')
