# Shared by this repository's Makefile and the student bundle's: build .venv from the pins in
# pyproject.toml (once), and open the workbook in JupyterLab.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export PLOOMBER_STATS_ENABLED := false
export PYDEVD_DISABLE_FILE_VALIDATION := 1

# Offline by design: no news feed, no update check, no extension-manager calls to PyPI.
# Jupyter refuses to run as root without --allow-root (containers, CI): pass it only then.
LAB_FLAGS := --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
             --LabApp.extension_manager=readonly $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab venv

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@# no "get Jupyter news?" prompt: the workbook makes no web calls
	$(BIN)/jupyter labextension disable --level=sys_prefix "@jupyterlab/apputils-extension:announcements" >/dev/null
	@touch $(STAMP)

venv: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_FLAGS) notebooks/
