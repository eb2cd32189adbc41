# MinePivot: the commands the README shows.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/minepivot resources/examples/west_texas_100mw.minepivot

test: $(STAMP)
	$(BIN)/ruff check core gui tests
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/minepivot bench

lint: $(STAMP)
	$(BIN)/ruff check core gui tests
	$(BIN)/ruff format --check core gui tests

clean:
	rm -rf $(VENV) dist build/__pycache__ .pytest_cache .ruff_cache
