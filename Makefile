# causalxai — the two commands are `make book` and `make test`; both install what they
# need into .venv on first use (Python 3.11 required).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
export JUPYTER_PREFER_ENV_PATH := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help install browser book test sweep-test unit lint lab lock clean distclean

help:
	@echo "make book   run every notebook (default parameters, cached) and build the HTML book"
	@echo "make test   ruff, layer contracts, unit tests, every notebook with smoke parameters, strict book build,"
	@echo "            every page in headless Chromium (screenshots in _build/screenshots/)"
	@echo "make sweep-test  the 20-combination chapter sweep, locally and on Dask (about 2 min)"
	@echo "make unit   unit tests only (fast)"
	@echo "make lab    JupyterLab with the project kernel"
	@echo "make clean  remove executed notebooks and the built book (keeps .venv)"

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if v == (3, 11) else "causalxai needs Python 3.11, found %d.%d at $(PYTHON): run make PYTHON=/path/to/python3.11" % v)'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (causalxai)" >/dev/null
	@touch $@

install: $(STAMP)

# Debian's chromium and chromedriver for the real-browser book check (no-op when present).
browser:
	bash .ci/install-browser

book: $(STAMP)
	$(BIN)/python -m causalxai run --params default -j $(JOBS)
	$(BIN)/python -m causalxai book --params default

test: $(STAMP) browser
	$(BIN)/ruff check src tests notebooks
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -m "not sweep20"

# The 20-combination sweep of a Part II chapter, locally and on a loopback Dask cluster
# (about two minutes; .ci/run runs it after `make test`).
sweep-test: $(STAMP)
	$(BIN)/python -m pytest -m sweep20 -p no:cacheprovider

unit: $(STAMP) browser
	$(BIN)/python -m pytest -m "not notebooks and not book"

lint: $(STAMP)
	$(BIN)/ruff check src tests notebooks
	$(BIN)/lint-imports

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=.

lock: $(STAMP)
	{ head -n 2 constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -vi '^causalxai'; } > constraints.new && mv constraints.new constraints.txt

clean:
	rm -rf .cache executed _build

distclean: clean
	rm -rf $(VENV)
