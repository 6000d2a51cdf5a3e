-- expect: error
-- attack: stores a secret
CREATE PERSISTENT SECRET hostile (TYPE s3, KEY_ID 'a', SECRET 'b')
