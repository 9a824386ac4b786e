# The entry point for everything: `make demo`, `make test`, `make lint`, `make bench`, `make serve`.
PYTHON ?= python3.11
# make demo PORT=8001 when 8000 is taken
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench serve migrate messages clean install

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

## make demo: install, migrate, load the demo retailer and serve on http://127.0.0.1:$(PORT) (SQLite, eager tasks)
demo: export DEBUG ?= true
demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --url http://127.0.0.1:$(PORT)
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## make test: the whole suite (PostgreSQL + Redis when DATABASE_URL / REDIS_URL are set, SQLite otherwise)
test: $(STAMP)
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run >/dev/null
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make bench: builds a large data set in PostgreSQL and prints the performance figures
bench: $(STAMP)
	$(BIN)/python bench/run.py

## make serve: web + Celery workers (one per queue) + beat against PostgreSQL and Redis (see README)
serve: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start

migrate: $(STAMP)
	$(BIN)/python manage.py migrate

## make messages: refresh the French catalogue and compile it (needs GNU gettext)
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=bench --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
