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

## make test: the whole suite against PostgreSQL and Redis on 127.0.0.1 (started if down), in
## TEST_PROCESSES processes (pytest-xdist, one file per process at a time; 0 for one process).
TEST_PROCESSES ?= 2
test: install
	@scripts/test-prereqs
	$(BIN)/python -m pytest $(if $(filter-out 0,$(TEST_PROCESSES)),-n $(TEST_PROCESSES) --dist loadfile --no-loadscope-reorder) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

## make bench: the benchmark suite of issue 14 (bench/run.py) against PostgreSQL and Redis with
## the production settings under gunicorn; writes bench/results.md and bench/results.json. Seeds
## ddscp_bench_s1 and ddscp_bench_s10 the first time (about 2 and 20 minutes). Scale 1 alone
## (BENCH_SCALES=1) takes about 40 minutes on 2 cores; both scales about 80. Bounded: stopped
## after 2 hours.
bench: install
	@scripts/test-prereqs
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing wrk (the load generator) from Debian"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "make bench needs wrk: apt-get install wrk" >&2; exit 1; fi; }
	timeout 7200 $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var staticfiles
