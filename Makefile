# Partnerskabsplatformen. `make run` serves the demo site; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium

.PHONY: run test install install-dev system-packages lint lock messages clean bench assets

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs take the exact versions and hashes in requirements/*.lock (made from
# pyproject.toml by `make lock`), so every machine gets the same packages.
$(VENV)/.installed: requirements/run.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/run.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian's chromium for the browser tests (playwright never downloads a browser here)
# GNU gettext for the translation catalogue check and redis-server for the Redis outage test.
system-packages:
	@test -x $(CHROMIUM) && command -v xgettext >/dev/null && command -v redis-server >/dev/null || { \
		echo "Installing Debian's chromium, gettext and redis-server for the tests"; \
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

# Rebuilds static/dkfds/ (committed) from the design system pinned in assets/package-lock.json:
# needs Node.js and npm, which only this target does (assets/build.py says why).
assets:
	@command -v npm >/dev/null || { \
		echo "Installing Debian's Node.js and npm for the design system build"; \
		SUDO=$$(test "$$(id -u)" -eq 0 || echo sudo); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; \
	}
	$(PYTHON) assets/build.py

# Regenerates the lock files after a change to the dependencies in pyproject.toml.
LOCK = $(BIN)/uv pip compile pyproject.toml --generate-hashes --universal \
	--python-version 3.11 --quiet --no-header --custom-compile-command "make lock"
lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(LOCK) -o requirements/run.lock
	$(LOCK) --extra dev -o requirements/dev.lock
	$(LOCK) --extra dev --extra bench -o requirements/bench.lock

$(VENV)/.installed-bench: requirements/bench.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/bench.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# The benchmark (issue #6; not part of make test): seeds its own databases under
# bench/data/, measures, and writes bench/results/. BENCH_ARGS="--reseed" seeds again.
# The topology run (issue #14) needs PostgreSQL and Redis on 127.0.0.1 (bench/README.md).
bench: install-dev $(VENV)/.installed-bench
	@command -v wrk >/dev/null && command -v haproxy >/dev/null || { \
		echo "Installing Debian's wrk and HAProxy for the benchmark"; \
		SUDO=$$(test "$$(id -u)" -eq 0 || echo sudo); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk haproxy >/dev/null; \
	}
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerates the translation catalogues (needs GNU gettext) and compiles them.
messages: install-dev
	$(BIN)/python manage.py makemessages --locale da --ignore ".venv/*" --ignore "tests/*" --ignore "bench/*" --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore ".venv/*"

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
