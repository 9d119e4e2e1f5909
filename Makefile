# Everyday commands. Only Python 3.11 and make are needed; everything else is installed into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
FLASK  := $(BIN)/flask --app wsgi
# The exact versions CI tested (make lock writes them from pyproject.toml); main.lock is the runtime only.
LOCK   := requirements/dev.lock

.PHONY: install translations run serve db demo test lint lock bench api-fuzz cluster-up cluster-down cluster-status bench-deps clean

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

translations: install
	$(BIN)/python -m marketplace.i18n compile

db: translations
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo load

## Set everything up and serve on http://127.0.0.1:5000 with the demo catalogue (SQLite by default).
run: demo
	$(FLASK) run --host 127.0.0.1 --port 5000

## Set everything up and run the whole test suite (SQLite, or TEST_DATABASE_URL when set).
test: translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Style and security (ruff, with the bandit rules) and the dependency rules (import-linter contracts).
lint: install
	$(BIN)/ruff check marketplace tests bench deploy config.py wsgi.py gunicorn.conf.py
	$(BIN)/lint-imports

## After changing dependencies in pyproject.toml: resolve them again and rewrite the lock files.
lock: install
	$(BIN)/python -m pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 --extra dev \
		--annotation-style line --custom-compile-command 'make lock' -o requirements/dev.lock
	$(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
		--annotation-style line --custom-compile-command 'make lock' -o requirements/main.lock

## The JSON API fuzzed against its OpenAPI document on a live app (schemathesis; see .ci/api-fuzz).
api-fuzz: translations
	BIN=$(BIN) .ci/api-fuzz

## The production setup on this machine (deploy/cluster.py): its own PostgreSQL and Redis, two gunicorn instances,
## nginx in front, the job worker; stopped by the pids it wrote (instance/cluster). bench/faults.py breaks it.
cluster-up: translations
	$(BIN)/python deploy/cluster.py up

## The load generator for bench/cluster_bench.py (locust; the bench extra, kept out of dev and CI).
bench-deps: install
	$(BIN)/python -m pip install -q -e '.[bench]'

cluster-down:
	$(BIN)/python deploy/cluster.py down

cluster-status:
	$(BIN)/python deploy/cluster.py status

bench: translations
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) instance/*.sqlite3
