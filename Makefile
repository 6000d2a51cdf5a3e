# Two commands matter: `make lab` (open the workbook) and `make test` (everything CI runs).
# Both build .venv from the pins in pyproject.toml first, once.
include mk/lab.mk

.PHONY: test test-browser notebooks diagrams bench release clean-venv

# Three runs: the grader's own tests; strict nbval on solutions/ (stored outputs must
# reproduce); lax nbval on notebooks/ (unanswered student notebooks run without an error).
# The notebooks run one at a time: kernels started at the same moment by two workers can pick
# the same free TCP port, and one then dies before it answers ("Kernel died before replying
# to kernel_info", seen in a clean-clone run); serial costs about 15 s in all.
# The grader's tests include tests/test_browser_notebook.py (JupyterLab in headless Chromium),
# which runs where /usr/bin/chromium is installed and is skipped elsewhere.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q tests
	$(BIN)/python -m pytest -q --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg solutions/
	$(BIN)/python -m pytest -q --nbval-lax notebooks/

# The real-browser test alone (needs Debian's chromium: apt-get install chromium);
# screenshots of each step land in build/screenshots/notebook-ex06/.
test-browser: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_browser_notebook.py

# Maintainers: rebuild solutions/ (executed) and notebooks/ (stripped) from grader/course/exercises/*/lesson.md.
notebooks: $(STAMP)
	$(BIN)/grader release notebooks

diagrams: $(STAMP)
	$(BIN)/grader release diagrams

bench: $(STAMP)
	$(BIN)/grader bench grading --json bench-grading.json
	$(BIN)/grader bench pipelines --json bench-pipelines.json

release: $(STAMP)
	$(BIN)/grader release bundle release/

clean-venv:
	rm -rf $(VENV)
