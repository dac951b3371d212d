# Two commands for a fresh machine: `make run` and `make test`. Everything else is a detail.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

EMULATORS := emulators/node_modules/.installed

.PHONY: run test lint typecheck unit bench clean system-packages

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Local servers for the Azure adapters' contract tests: npm emulators (Cosmos DB, Azurite)
# into emulators/node_modules, redis-server from apt. The tests start and stop them.
$(EMULATORS): emulators/package.json emulators/package-lock.json
	npm ci --prefix emulators --no-audit --no-fund --loglevel=error
	touch $(EMULATORS)

system-packages:
	@bash emulators/install-system.sh

run: $(STAMP)
	$(BIN)/python -m shared.localrun

lint: $(STAMP)
	$(BIN)/ruff check shared functions tests bench function_app.py
	$(BIN)/ruff format --check shared functions tests bench function_app.py

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) $(EMULATORS) system-packages lint typecheck
	$(BIN)/python -m pytest

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit tests/contract -q

bench: $(STAMP)
	$(BIN)/python -m bench.documents
	$(BIN)/python -m bench.catalog
	$(BIN)/python -m bench.progress
	$(BIN)/python -m bench.quiz
	$(BIN)/python -m bench.media

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache emulators/node_modules
