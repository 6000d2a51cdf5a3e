"""The grading engine: reading answers from notebooks (notebook, snippets, structured), running
them in a locked-down DuckDB (sandbox), comparing, shrinking and explaining results, the check
kinds (checks, judges) and the declaration format (exercise). Knows the course's tables and
oracle (grader.domain), never the course's exercises or harness (grader.course)."""
