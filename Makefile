# Two commands for a fresh machine: `make run` and `make test`. Everything else is a detail.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

EMULATORS := emulators/node_modules/.installed

# The web app (web/): installed with npm ci when its lock changes, built into web/dist (git-ignored)
# when its sources change; the API serves web/dist on the same origin (LMS_WEB_DIST).
WEB_DEPS := web/node_modules/.installed
WEB_BUILD := web/dist/.built
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json web/package.json
HAVE_NPM := $(shell command -v npm >/dev/null 2>&1 && echo yes)

.PHONY: run test lint typecheck unit bench clean system-packages web web-check web-e2e web-api-types

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

$(WEB_DEPS): web/package.json web/package-lock.json
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix web --no-audit --no-fund --loglevel=error
	touch $(WEB_DEPS)

$(WEB_BUILD): $(WEB_DEPS) $(WEB_SOURCES)
	npm run build --prefix web
	touch $(WEB_BUILD)

# Builds the web app when its sources changed; without npm the API still starts, without the app.
web:
ifeq ($(HAVE_NPM),yes)
	@$(MAKE) --no-print-directory $(WEB_BUILD)
else
	@echo "npm not found: the web app is not built; the API starts without it (install Node 20 with npm)"
endif

# Type check, unit tests (Vitest) and the generated client's drift check of the web app.
web-check: $(WEB_DEPS)
	npm run --silent typecheck --prefix web
	npm run --silent test --prefix web
	npm run --silent check:api --prefix web

# The browser journeys (Playwright on Debian's chromium) against a fresh platform serving web/dist.
web-e2e: $(STAMP) system-packages $(WEB_BUILD)
	@test -x "$${LMS_CHROMIUM:-/usr/bin/chromium}" || { echo "no chromium at $${LMS_CHROMIUM:-/usr/bin/chromium}: install Debian's chromium (make system-packages, as root)"; exit 1; }
	npm run --silent e2e --prefix web

# Regenerates the web client's copy of the OpenAPI document and its types after an API change.
web-api-types: $(STAMP) $(WEB_DEPS)
	$(BIN)/python -m shared.cli openapi > web/src/api/openapi.json
	npm run --silent gen:api --prefix web

run: $(STAMP) web
	$(BIN)/python -m shared.localrun

lint: $(STAMP)
	$(BIN)/ruff check shared functions tests bench function_app.py
	$(BIN)/ruff format --check shared functions tests bench function_app.py

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) $(EMULATORS) system-packages lint typecheck web-check
	$(BIN)/python -m pytest
	@$(MAKE) --no-print-directory web-e2e

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit tests/contract -q

# BENCH_ARGS=--full runs the launch-day mix for 60 s (python -m bench.real --help).
bench: $(STAMP)
	$(BIN)/python -m bench.documents
	$(BIN)/python -m bench.real $(BENCH_ARGS)
	$(BIN)/python -m bench.media
	$(BIN)/python -m bench.cdn
	@$(MAKE) --no-print-directory web
	$(BIN)/python -m bench.web_bundle

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache emulators/node_modules web/node_modules web/dist web/test-results
