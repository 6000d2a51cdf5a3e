-- expect: error
-- attack: sniffs a file
SELECT * FROM sniff_csv('/etc/passwd')
