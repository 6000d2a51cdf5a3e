# Two commands matter: `make lab` (open the workbook) and `make test` (everything CI runs).
# Both build .venv from the pins in pyproject.toml first, once.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export PLOOMBER_STATS_ENABLED := false
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: lab test venv notebooks solutions diagrams bench release clean-venv

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@# no "get Jupyter news?" prompt: the workbook makes no web calls
	$(BIN)/jupyter labextension disable --level=sys_prefix "@jupyterlab/apputils-extension:announcements" >/dev/null
	@touch $(STAMP)

venv: $(STAMP)

# Offline by design: no news feed, no update check, no extension-manager calls to PyPI.
# Jupyter refuses to run as root without --allow-root (containers, CI): pass it only then.
LAB_FLAGS := --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
             --LabApp.extension_manager=readonly $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_FLAGS) notebooks/

# Three runs: the grader's own tests; strict nbval on solutions/ (stored outputs must
# reproduce); lax nbval on notebooks/ (unanswered student notebooks run without an error).
# One notebook per worker (--dist loadfile): a notebook's cells share one kernel.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q tests
	$(BIN)/python -m pytest -n 2 --dist loadfile -q --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg solutions/
	$(BIN)/python -m pytest -n 2 --dist loadfile -q --nbval-lax notebooks/

# Maintainers: rebuild solutions/ (executed) and notebooks/ (stripped) from grader/exercises/*/lesson.md.
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
