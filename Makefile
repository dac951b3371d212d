# Two commands for a fresh machine: `make run` and `make test`. Everything else is a detail.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m shared.localrun

lint: $(STAMP)
	$(BIN)/ruff check shared functions tests bench function_app.py
	$(BIN)/ruff format --check shared functions tests bench function_app.py

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit tests/contract -q

bench: $(STAMP)
	$(BIN)/python -m bench.documents

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
