# Every target sets up .venv itself from requirements.txt, so on a fresh machine
# `make book` and `make test` are all you need (Python 3.11+ and make).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard book/*.ipynb))
JB_FLAGS := -W -n --keep-going
# Jupyter refuses to start as root (as on CI machines and containers) unless told.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help venv book test unit nbval browser execute bench screenshot lab clean

help:
	@echo "make book     build the HTML book (prints the path of index.html)"
	@echo "make test     unit + hygiene tests, nbval on every notebook, strict book build, browser tests"
	@echo "make lab      JupyterLab on the notebooks, live widgets"
	@echo "make execute  re-run every notebook in place in a fresh kernel (refreshes stored outputs)"
	@echo "make bench    train both sine recipes in one run; writes _build/bench/sine.json and models"
	@echo "make screenshot  re-take the README's picture of a built page"
	@echo "make clean    remove _build and .venv"

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@echo "Open: $(CURDIR)/_build/html/index.html"

unit: $(STAMP)
	$(BIN)/python -m pytest tests -m "not browser"

nbval: $(STAMP)
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg -p no:cacheprovider $(NOTEBOOKS)

browser: book
	$(BIN)/python -m pytest tests -m browser

test: $(STAMP)
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	$(BIN)/python -m pytest tests --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg $(NOTEBOOKS)

execute: $(STAMP)
	$(BIN)/python tests/execute_notebooks.py $(NOTEBOOKS)

bench: $(STAMP)
	$(BIN)/python tests/bench_sine.py

screenshot: book
	$(BIN)/python tests/screenshot.py

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=book $(LAB_FLAGS)


clean:
	rm -rf _build $(VENV)
