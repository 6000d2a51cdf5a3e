-- expect: error
-- attack: lists files
SELECT * FROM glob('grader/course/exercises/*/*')
