-- expect: error
-- attack: writes a file next to the grader
COPY events TO 'hostile_leak.csv'
