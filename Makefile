# Petition Archive: `make run` serves the archive, `make test` runs the tests.
# Both create .venv and install from pyproject.toml first; only Python 3.11+ is needed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test lint format check superuser fixture clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install  ## migrate, load the sample petition and serve on 127.0.0.1:$(PORT)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py loaddata sample_petition
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install  ## the whole test suite (SQLite, or DATABASE_URL's database)
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install  ## what CI checks before the tests
	DEBUG=1 $(BIN)/python manage.py check
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

superuser: install  ## create the first admin account
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py createsuperuser

fixture: install  ## rebuild fixtures/sample_petition.json from ../shared/data
	$(BIN)/python -m scripts.build_sample_fixture

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
