# Partnerskabsplatformen. `make run` serves the demo site; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium

.PHONY: run test install install-dev system-packages lint messages clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian's chromium for the browser tests (playwright never downloads a browser here)
# and GNU gettext for the translation catalogue check.
system-packages:
	@test -x $(CHROMIUM) && command -v xgettext >/dev/null && command -v redis-server >/dev/null || { \
		echo "Installing Debian's chromium and gettext for the tests"; \
		SUDO=$$(test "$$(id -u)" -eq 0 || echo sudo); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			chromium fonts-dejavu-core gettext redis-server >/dev/null; \
	}

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py load_demo_content
	@echo
	@echo "  Partnerskabsplatformen: http://$(HOST):$(PORT)/   (redaktion: http://$(HOST):$(PORT)/admin/)"
	@echo
	$(BIN)/daphne --bind $(HOST) --port $(PORT) config.asgi:application

test: install-dev system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run --verbosity 0
	$(BIN)/pytest

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	touch $@

# The benchmark (issue #6; not part of make test): seeds its own databases under
# bench/data/, measures, and writes bench/results/. BENCH_ARGS="--reseed" seeds again.
bench: install-dev $(VENV)/.installed-bench
	@command -v wrk >/dev/null || { \
		echo "Installing Debian's wrk for the benchmark"; \
		SUDO=$$(test "$$(id -u)" -eq 0 || echo sudo); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; \
	}
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerates the translation catalogues (needs GNU gettext) and compiles them.
messages: install-dev
	$(BIN)/python manage.py makemessages --locale da --ignore ".venv/*" --ignore "tests/*" --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore ".venv/*"

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
