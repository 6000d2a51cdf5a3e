-- expect: error
-- attack: reads the hidden checks by absolute path
SELECT content FROM read_text('/work/main/grader/course/exercises/ex06/hidden.py')
