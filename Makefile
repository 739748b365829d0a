# The two commands of README.md: `make serve` and `make test`. Each creates its own virtual environment.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: serve test install install-test system-deps build validate check lint bench clean

serve: install system-deps build  ## install, build the graph, validate it, serve http://$(HOST):$(PORT)
	$(BIN)/clustergraph serve --host $(HOST) --port $(PORT)

test: install-test system-deps  ## install what the tests need and run every test
	$(BIN)/python -m pytest

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.created pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

system-deps:  ## Java for HermiT (and, for browser tests, chromium) when missing
	scripts/system-deps.sh

build: install
	$(BIN)/clustergraph build

check: install system-deps
	$(BIN)/clustergraph check

lint: install-test
	$(BIN)/python -m mypy src

bench: install-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .clustergraph build dist
