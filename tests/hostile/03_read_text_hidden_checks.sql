-- expect: error
-- attack: reads another check's hidden fixtures
SELECT content FROM read_text('grader/course/exercises/ex06/hidden.py')
