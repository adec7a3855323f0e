# The two commands a new user needs: `make dashboard` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Where the dashboard listens: this machine only by default. `make dashboard ADDRESS=0.0.0.0`
# serves every interface (behind a proxy, set STREAMLIT_SERVER_ADDRESS instead: docs/operations.md).
ADDRESS ?= localhost

.PHONY: dashboard test test-fast install install-test browser nginx axe demo bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstalled only when pyproject.toml changes, so `make dashboard` prints nothing about packaging.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

install: $(VENV)/.installed

# Reinstalled only when pyproject.toml changes (the stamp file says when it was last done).
$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

install-test: $(VENV)/.test-installed

# Debian's chromium for the real-browser tests (Playwright must never download its own).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

# Debian's nginx for the reverse-proxy test, which starts and stops its own on loopback.
# RUNLEVEL=1: the package must not start a system nginx of its own on port 80.
nginx:
	@test -x /usr/sbin/nginx || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
		else sudo apt-get update -qq && sudo RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; fi; }

# axe-core for the accessibility checks in the browser tests, pinned by tests/axe/package-lock.json,
# from the npm registry into tests/axe/node_modules (Debian's npm first, when it is missing).
AXE := tests/axe/node_modules/axe-core/axe.min.js
$(AXE): tests/axe/package.json tests/axe/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; fi; }
	@npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

axe: $(AXE)


## The default warehouse (real ONS figures for every UK council, synthetic self-assessment
## answers) when none of this schema is published; `python -m etl build-demo` is the fully synthetic demo.
demo: install
	$(BIN)/python -m etl build-default --if-missing

## Install, build the default warehouse when none is published, and open the dashboard.
dashboard: demo
	@$(BIN)/streamlit run streamlit_app.py --server.port $(PORT) --server.address $(ADDRESS)

## Install everything the tests need (chromium, nginx and axe-core included) and run the whole suite.
test: install-test browser nginx axe
	$(BIN)/python -m pytest

## The quick lane while working: everything but the browser and slow tests (the full suite stays in CI).
test-fast: install-test
	$(BIN)/python -m pytest -m "not browser and not slow" --hypothesis-profile=fast

## Static checks (settings in pyproject.toml): ruff lint, ruff format check, mypy on etl/ and dashboard/.
lint: install-test
	$(BIN)/ruff check etl dashboard
	$(BIN)/ruff format --check etl dashboard
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
