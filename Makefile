# The two commands a new user needs: `make dashboard` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: dashboard test test-fast install install-test browser nginx demo bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

# Reinstalled only when pyproject.toml changes (the stamp file says when it was last done).
$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

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

## The default warehouse (real ONS figures for every UK council, synthetic self-assessment
## answers) when none of this schema is published; `python -m etl build-demo` is the fully synthetic demo.
demo: install
	$(BIN)/python -m etl build-default --if-missing

## Install, build the default warehouse when none is published, and open the dashboard.
dashboard: demo
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT)

## Install everything the tests need (chromium and nginx included) and run the whole suite.
test: install-test browser nginx
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
