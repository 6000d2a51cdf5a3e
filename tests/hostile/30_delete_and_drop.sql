-- expect: error
-- attack: empties and drops fixture tables, then reads what is gone
DELETE FROM events;
DROP TABLE users;
SELECT count(*) FROM users
