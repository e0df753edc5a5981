# The two commands: `make run` (serve the portal with demo data) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test install install-test browser-deps assets migrate demo lint format worker clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[test]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# The local Stripe stand-in (card payments offline) runs in the background while the portal runs.
run: demo
	@$(PY) manage.py demo_logins
	@export PORTAL_BASE_URL="$${PORTAL_BASE_URL:-http://127.0.0.1:$(PORT)}"; \
	$(PY) manage.py stripe_standin --webhook-url "$$PORTAL_BASE_URL/payments/webhook/" & STANDIN=$$!; \
	trap 'kill $$STANDIN 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Rebuild the committed CSS/JS from govuk-frontend (only needed after changing frontend/).
assets: node_modules/.installed
	npx sass --quiet --no-source-map --style=compressed --load-path=node_modules frontend/portal.scss static/portal/portal.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/portal/govuk-frontend.min.js
	cp node_modules/htmx.org/dist/htmx.min.js static/portal/htmx.min.js
	rm -rf static/portal/assets && cp -r node_modules/govuk-frontend/dist/govuk/assets static/portal/assets
	rm -rf static/portal/assets/fonts

browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)); \
	  else \
	    echo "The browser tests need Debian's Chromium at /usr/bin/chromium: run 'sudo apt-get install -y chromium' and try again." >&2; exit 1; \
	  fi; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: install node_modules/.installed browser-deps lint
	$(PY) manage.py makemigrations --check --dry-run >/dev/null || (echo "Model changes without a migration: run makemigrations." >&2; exit 1)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest -q $(PYTEST_ARGS)

worker: install
	$(VENV)/bin/celery -A config worker -B -l info

clean:
	rm -rf $(VENV) node_modules var staticfiles
