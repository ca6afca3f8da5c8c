# The two commands: `make run` and `make test`. Everything else is a helper of those.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= $(shell scripts/find-python 2>/dev/null)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate demo serve services lint bench clean

$(BIN)/.installed: pyproject.toml requirements.lock
	@if [ -z "$(PYTHON)" ]; then scripts/find-python; exit 1; fi
	@echo "Creating $(VENV) with $(PYTHON)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

# The demo queues emails (booking confirmations with calendar invitations) before the server
# starts: they link to the address `make run` will serve on (scripts/site-url).
demo: migrate
	SITE_URL="$$(scripts/site-url "$(HOST)" "$(PORT)")" $(BIN)/python manage.py load_demo

## make run: set up everything and serve the site with a Celery worker and beat beside it.
run: demo
	@scripts/serve "$(BIN)" "$(HOST)" "$(PORT)"

## make test: the whole suite against PostgreSQL and Redis on 127.0.0.1 (started if down).
test: install
	@scripts/test-prereqs
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var staticfiles
