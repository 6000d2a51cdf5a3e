-- expect: error
-- attack: reads a JSON file
SELECT * FROM read_json_auto('/etc/hostname')
