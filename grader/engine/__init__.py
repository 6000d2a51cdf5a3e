"""The grading engine: reading answers from notebooks (notebook, snippets, structured), running
them in a locked-down DuckDB (sandbox), comparing, shrinking and explaining results, the check
kinds (checks, judges, harness/) and the declaration format (exercise). Knows the course's
tables and oracle (grader.course.tables, grader.course.semantics), never its exercises."""
