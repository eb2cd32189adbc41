# MinePivot: the commands the README shows.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PACKAGING := $(VENV)/.packaging
# setuptools says "Editable installation ... be careful with folders named like your package"
# for every editable install whose folder is mapped (resources/ -> minepivot_resources). It is
# information, not a problem: the one message the install leaves out.
QUIET_INSTALL := PYTHONWARNINGS="ignore:Editable installation"

.PHONY: run test bench lint fuzz package package-test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(QUIET_INSTALL) $(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(PACKAGING): $(STAMP)
	$(QUIET_INSTALL) $(BIN)/pip install --quiet -e '.[dev,package]'
	touch $(PACKAGING)

run: $(STAMP)
	$(BIN)/minepivot resources/examples/west_texas_100mw.minepivot

# The same lint as `make lint` (ruff, its format check, import-linter, mypy), then every test.
test: lint
	$(BIN)/python -m pytest

# The project-file fuzzer for longer than the test suite runs it (FUZZ_CASES=... to change).
FUZZ_CASES ?= 50000
fuzz: $(STAMP)
	$(BIN)/python -m tests.core.io.fuzzing --cases $(FUZZ_CASES)

bench: $(STAMP)
	$(BIN)/minepivot bench

lint: $(STAMP)
	$(BIN)/ruff check core gui tests build
	$(BIN)/ruff format --check core gui tests build
	$(BIN)/lint-imports
	$(BIN)/mypy

# One-folder app in dist/MinePivot/ (dist/MinePivot.app as well on macOS).
package: $(PACKAGING)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath dist/.build build/minepivot.spec

# Build, then run the bundle offscreen: smoke test, size and start-up time.
package-test: package
	QT_QPA_PLATFORM=offscreen $(BIN)/python build/package_test.py dist/MinePivot

clean:
	rm -rf $(VENV) dist build/__pycache__ .pytest_cache .ruff_cache
