# Every target sets up .venv itself from requirements.txt, so on a fresh machine
# `make book` and `make test` are all you need (Python 3.11+ and make).
PYTHON ?= python3
# PyTorch from an extra package index, e.g. its CPU-only wheels (no NVIDIA libraries on Linux):
#   make book TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH_INDEX ?=
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard book/*.ipynb))
JB_FLAGS := -W -n --keep-going
# Jupyter refuses to start as root (as on CI machines and containers) unless told.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)
# Explorers precompute their frames for the book unless this says "lazy" (make lab).
FRAMES_ENV := RNN_EXPLORER_FRAMES
# Tests run on every core (pytest-xdist), one file per worker so a notebook's cells stay in order.
PARALLEL := -n auto --dist loadfile
NBVAL := $(BIN)/python -m pytest -p no:cacheprovider $(PARALLEL) --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg
# Stored outputs must not depend on the CPU: the notebooks are checked a second time on PyTorch's
# generic CPU code path (no AVX2/AVX-512 kernels) with one thread, as another laptop would run them.
OTHER_CPU := ATEN_CPU_CAPABILITY=default OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

.PHONY: help venv book book-en book-zh pdf gettext update-po test unit nbval nbval-other-cpu browser execute bench audit screenshot lab clean

help:
	@echo "make book     build both editions: _build/html/index.html (English), _build/html/zh_CN/ (中文)"
	@echo "make pdf      one PDF per edition in _build/pdf/ (Chromium prints the single-page HTML)"
	@echo "make update-po  re-extract the English text and merge it into book/locale/zh_CN catalogs"
	@echo "make test     unit + hygiene tests, nbval on every notebook (twice: this CPU, then the generic"
	@echo "              CPU path on one thread), strict book build, browser tests"
	@echo "make unit     unit and hygiene tests only; make nbval / make nbval-other-cpu: the notebooks only"
	@echo "make lab      JupyterLab on the notebooks, live widgets"
	@echo "make execute  re-run every notebook in place in a fresh kernel (refreshes stored outputs)"
	@echo "make bench    chapter 6's two sine recipes, chapters 7-8's memory task and chapter 8's comparison,"
	@echo "              trained and measured; writes _build/bench/sine.json, memory.json, gru.json"
	@echo "make audit    Lighthouse (npm, Debian's Chromium) on every page, plain and gzip-served"
	@echo "make screenshot  re-take the README's picture of a built page"
	@echo "make clean    remove _build and .venv"

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX),) -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

book: book-en book-zh
	@echo "Open: $(CURDIR)/_build/html/index.html   中文版: $(CURDIR)/_build/html/zh_CN/index.html"

# Sphinx rebuilds only the pages that changed; a newer static file, template or config means all.
book-en: $(STAMP)
	$(BIN)/jupyter-book build . $(JB_FLAGS) $$($(BIN)/python tests/editions.py stale)

book-zh: $(STAMP)
	$(BIN)/python tests/editions.py zh

pdf: $(STAMP)
	$(BIN)/python tests/editions.py pdf

gettext: $(STAMP)
	$(BIN)/python tests/editions.py gettext

update-po: $(STAMP)
	$(BIN)/python tests/editions.py update

unit: $(STAMP)
	$(BIN)/python -m pytest tests -m "not browser"

nbval: $(STAMP)
	env -u $(FRAMES_ENV) $(NBVAL) $(NOTEBOOKS)

nbval-other-cpu: $(STAMP)
	env -u $(FRAMES_ENV) $(OTHER_CPU) $(NBVAL) $(NOTEBOOKS)

browser: book
	$(BIN)/python -m pytest tests -m browser

test: book pdf
	env -u $(FRAMES_ENV) $(NBVAL) tests $(NOTEBOOKS)
	env -u $(FRAMES_ENV) $(OTHER_CPU) $(NBVAL) $(NOTEBOOKS)

execute: $(STAMP)
	env -u $(FRAMES_ENV) $(BIN)/python tests/execute_notebooks.py $(NOTEBOOKS)

bench: $(STAMP)
	$(BIN)/python tests/bench_sine.py
	$(BIN)/python tests/bench_memory.py
	$(BIN)/python tests/bench_gru.py

audit: book
	npm ci --prefix tests/lighthouse --no-audit --no-fund --loglevel=error
	$(BIN)/python tests/audit.py
	$(BIN)/python tests/audit.py --gzip

screenshot: book
	$(BIN)/python tests/screenshot.py

lab: $(STAMP)
	$(FRAMES_ENV)=lazy $(BIN)/jupyter lab --notebook-dir=book $(LAB_FLAGS)

clean:
	rm -rf _build $(VENV)
