-- expect: error
-- attack: detaches and switches databases
USE memory;
SELECT * FROM events
