# The two commands of README.md: `make serve` and `make test`. Each creates its own virtual environment.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
VENDOR := src/clustergraph/adapters/static/vendor/VERSIONS.json

.PHONY: serve test install install-test system-deps system-deps-test web build validate docs check lint bench clean

serve: install system-deps build validate docs  ## install, build the graph, validate it, serve http://$(HOST):$(PORT)
	$(BIN)/clustergraph serve --host $(HOST) --port $(PORT)

test: install-test system-deps-test  ## install what the tests need and run every test
	$(BIN)/python -m pytest

install: $(VENV)/.installed $(VENDOR)
install-test: $(VENV)/.installed-test $(VENDOR)

# The web UI's front-end assets (YASGUI, d3-geo, world-atlas ...) from npm, bundled into the package.
web: $(VENDOR)
$(VENDOR): web/package.json web/package-lock.json web/build.mjs
	cd web && npm ci --no-audit --no-fund --loglevel=error
	node web/build.mjs

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

# morph-kgc (spreadsheets in) pins older pyoxigraph and rdflib than it needs for what clustergraph calls;
# its own dependencies are in pyproject.toml, and it is installed without them (see pyproject.toml).
MORPH_KGC := morph-kgc==2.10.0

$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m pip install --quiet --no-deps '$(MORPH_KGC)'
	touch $@

$(VENV)/.installed-test: $(VENV)/.created pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps '$(MORPH_KGC)'
	touch $(VENV)/.installed $@

system-deps:  ## Java for HermiT (and, for browser tests, chromium) when missing
	scripts/system-deps.sh

system-deps-test:  ## what `make test` needs: Java, Debian's chromium for the browser tests, Virtuoso 7
	scripts/system-deps.sh chromium virtuoso

build: install
	$(BIN)/clustergraph build

validate: build  ## the whole graph against shapes/ (violations stop `make serve`; warnings are listed)
	$(BIN)/clustergraph validate --format markdown

docs: install  ## the ontology's HTML documentation (pyLODE) in build/ontology, served at /ontology
	$(BIN)/clustergraph docs

check: install system-deps
	$(BIN)/clustergraph check

lint: install-test  ## mypy --strict and ruff ([tool.mypy], [tool.ruff] in pyproject.toml); tests/test_lint.py runs both
	$(BIN)/python -m mypy --strict src
	$(BIN)/python -m ruff check src tests

bench: install-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .clustergraph build dist web/node_modules src/clustergraph/adapters/static/vendor
