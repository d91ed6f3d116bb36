# Two commands for a fresh machine: `make run` (the whole product with demo data) and
# `make test` (every test). Both install what they need first.
SHELL := /bin/bash
PYTHON ?= $(shell scripts/find_python.sh)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/itsm
export REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test install services lint bench lock clean

# Models without a migration fail lint. --skip-checks: the system checks would need a database
# and lint runs without one; the history check then warns, which says nothing about the models.
MAKEMIGRATIONS_CHECK := $(PY) -W "ignore:Got an error checking a consistent migration history" \
	manage.py makemigrations --check --dry-run --skip-checks

$(VENV)/.installed: pyproject.toml requirements.lock package-lock.json
	bash scripts/ensure_build_deps.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q -r requirements.lock
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed

services:
	@bash scripts/ensure_services.sh

# `make run` serves the product as users get it: production error pages and whitenoise's
# static files (DEBUG=false), yet over plain http on this machine (ITSM_INSECURE_HTTP), with
# a secret key of its own, and the mail it sends kept for administrators to read at
# /admin/notifications/sentmail/ (one log line per message) instead of printed whole, and the
# demo's staff not made to set up a second factor first (ITSM_MFA_REQUIRED_FOR=none).
RUN_SECRET := .run/secret_key
run: export DEBUG := false
run: export ITSM_INSECURE_HTTP := true
run: export SECRET_KEY_FILE := $(CURDIR)/$(RUN_SECRET)
run: export EMAIL_URL ?= dbmail://
run: export ITSM_SITE_URL ?= http://127.0.0.1:$(PORT)
# The demo accounts sign in with the printed password alone; a real site keeps the production
# default (staff must set up a second factor) unless it sets this itself.
run: export ITSM_MFA_REQUIRED_FOR ?= none

$(RUN_SECRET): | install
	@mkdir -p $(@D)
	@umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

run: install services $(RUN_SECRET)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput -v 0
	@echo ""
	@echo "  The service desk is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo "  Sign in with one of the demo accounts above (password printed above)."
	@echo "  Mail the product sends: http://127.0.0.1:$(PORT)/admin/notifications/sentmail/ (admin@example.com)"
	@echo ""
	GUNICORN_BIND=0.0.0.0:$(PORT) $(VENV)/bin/honcho start

test: install services
	bash scripts/ensure_browser.sh
	$(PY) manage.py collectstatic --noinput -v 0
	$(VENV)/bin/pytest -n 2 --dist loadfile

# The conventions CI holds (CONTRIBUTING.md): style, types, import contracts, migrations.
# The same commands run as pre-commit hooks (.pre-commit-config.yaml).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) scripts/mypy_baseline.py
	$(VENV)/bin/lint-imports
	$(MAKEMIGRATIONS_CHECK)

bench: install services
	$(PY) bench/run_all.py

# Regenerate the full pinned set after changing pyproject.toml.
lock:
	$(PY) -m pip install -q -e ".[dev]"
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) node_modules staticfiles .run .mypy_cache
