# Two commands do all the set-up on a fresh machine:
#   make demo   — create .venv, install ceasewatch, run the demo on the embedded default
#   make test   — the same plus development tools, then the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORE_STAMP := $(VENV)/.installed-core
DEV_STAMP := $(VENV)/.installed-dev
WEB_STAMP := web/node_modules/.installed

.PHONY: demo test lint typecheck bench bench-fusion data-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(CORE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(CORE_STAMP) $@

# The dashboard's front-end packages (Leaflet), exactly as web/package-lock.json names them.
$(WEB_STAMP): web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	touch $@

demo: $(CORE_STAMP) $(WEB_STAMP)
	$(BIN)/ceasewatch demo --out demo-output

test: $(DEV_STAMP) $(WEB_STAMP)
	$(BIN)/python -m pytest
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

bench: $(DEV_STAMP)
	$(BIN)/python bench/where.py
	$(BIN)/python bench/simulate.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/adjudication.py
	$(BIN)/python bench/pipeline.py

bench-fusion: $(CORE_STAMP)
	bash bench/fusion_peers/setup.sh
	$(BIN)/python bench/fusion.py

data-check: $(DEV_STAMP)
	$(BIN)/python scripts/build_data.py --check

clean:
	rm -rf $(VENV) demo-output .pytest_cache .hypothesis web/node_modules
