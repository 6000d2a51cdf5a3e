# Two commands matter: `make lab` (open the workbook) and `make test` (everything CI runs).
# Both build .venv from the pins in pyproject.toml first, once.
include mk/lab.mk

.PHONY: test test-exercise test-browser notebooks diagrams bench release clean-venv

# Three runs: the grader's own tests; strict nbval on solutions/ (stored outputs must
# reproduce); lax nbval on notebooks/ (unanswered student notebooks run without an error).
# The two nbval runs run side by side (one notebook at a time each; their kernels' start-up and
# first import were most of their time), the lax run's output printed after the strict run's.
# Kernels started at the same moment by two processes can pick the same free TCP port, and
# one then dies before it answers ("Kernel died before replying to kernel_info", seen in a
# clean-clone run): tests/nbval_kernels.py makes each run start its kernels holding a lock
# file the other shares, until the kernel is up and its ports bound.
# The grader's tests include tests/test_browser_notebook.py (JupyterLab in headless Chromium),
# which runs where /usr/bin/chromium is installed and is skipped elsewhere.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q tests
	@mkdir -p build
	@echo "$(BIN)/python -m pytest -q -p tests.nbval_kernels --nbval-lax notebooks/  (beside the next run; its output after it)"
	@$(BIN)/python -m pytest -q -p tests.nbval_kernels --nbval-lax notebooks/ > build/nbval-notebooks.log 2>&1 & lax=$$!; \
	echo "$(BIN)/python -m pytest -q -p tests.nbval_kernels --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg solutions/"; \
	$(BIN)/python -m pytest -q -p tests.nbval_kernels --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg solutions/; strict=$$?; \
	wait $$lax; lax_status=$$?; \
	echo "--- notebooks/ (lax nbval):"; cat build/nbval-notebooks.log; \
	test $$strict -eq 0 && test $$lax_status -eq 0

# One exercise, built and tested: make test-exercise EX=ex06 (24 s; ex08 37 s, ex12 46 s). Its two
# notebooks rebuilt from its lesson; its own tests (tests/test_exNN.py, if any), its rows of the
# wrong-answer matrix (grader/course/exercises/exNN/matrix.py, graded by tests/test_matrix.py) and
# of the every-exercise tests (pytest -k selects by the id, which names the exercise), on two
# workers (ex08: 38 s with one, 29 s with two); strict nbval of its solution notebook and lax
# nbval of the student's.
test-exercise: $(STAMP)
	@case "$(EX)" in ex[0-9][0-9]) ;; *) echo "usage: make test-exercise EX=ex06" >&2; exit 2;; esac
	$(BIN)/grader release notebooks --only $(EX)
	$(BIN)/grader release docs
	$(BIN)/python -m pytest -q -n 2 -k "$(EX) or every_check_maps_to_a_lesson" $(wildcard tests/test_$(EX).py) tests/test_matrix.py \
		tests/test_trivial_answers.py tests/test_project.py tests/test_fixture_data.py tests/test_disguise.py tests/test_class_report.py
	$(BIN)/python -m pytest -q --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg solutions/$(EX).ipynb
	$(BIN)/python -m pytest -q --nbval-lax notebooks/$(EX).ipynb

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
