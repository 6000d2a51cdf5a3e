-- expect: error
-- attack: loads rows from a file
COPY events FROM 'data/events.csv'
