# Everyday commands. Only Python 3.11 and make are needed; everything else is installed into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
FLASK  := $(BIN)/flask --app wsgi

.PHONY: install translations run serve db demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
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

lint: install
	$(BIN)/ruff check marketplace tests bench config.py wsgi.py

bench: translations
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) instance/*.sqlite3
