# The two commands a new user needs: `make run` and `make test`. Everything else is for developers.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements/dev.lock
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install setup lint format lock bench worker beat clean

$(BIN)/.installed: $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (found " + sys.version.split()[0] + "). Set PYTHON=/path/to/python3.11.")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m articles.nlp.embeddings
	@touch $@

install: $(BIN)/.installed

setup: install
	@echo "Preparing the database (migrations)..."
	@$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py setup_demo

# The web server and, beside it, the embedded worker that runs imports and analyses (manage.py serve).
run: setup
	$(BIN)/python manage.py serve $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# A worker on a developer's machine (the real stack: DATABASE_URL and CELERY_BROKER_URL set), local settings,
# on every queue; and celery beat, which re-sends stale queued jobs (one beat per deployment).
QUEUES := imports,analysis,synthesis
worker: install
	DJANGO_SETTINGS_MODULE=workbench.settings.local $(BIN)/celery -A workbench worker -Q $(QUEUES) --loglevel=INFO --concurrency=2

beat: install
	DJANGO_SETTINGS_MODULE=workbench.settings.local $(BIN)/celery -A workbench beat --schedule $(VENV)/celerybeat-schedule --loglevel=INFO

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate the lock files after changing pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --generate-hashes --python-version 3.11 --no-header -q -o requirements/base.lock --custom-compile-command "make lock"
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --no-header -q -o requirements/dev.lock --custom-compile-command "make lock"

bench: install
	$(BIN)/python bench/analysis.py
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/speed.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
