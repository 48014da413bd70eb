# Services HUB — the two commands are `make run` and `make test`; the rest are helpers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test serve worker beat screenshots lint format messages test-tools bench bench-tools clean

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(INSTALLED)

DEV_ENV := DEBUG=1 DEMO_MODE=1 SITE_URL=http://$(HOST):$(PORT)

## run: install, migrate, load the catalogue and demo data, serve the site in trainer mode
run: $(INSTALLED)
	$(BIN)/python manage.py prepare
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_catalogue --if-empty
	@$(DEV_ENV) $(BIN)/python manage.py demo --reset --if-empty
	@$(DEV_ENV) $(BIN)/python manage.py welcome --url http://$(HOST):$(PORT)/
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: every test, browser tests included (fails when no test ran)
test: $(INSTALLED) test-tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## serve: the same app under gunicorn with whitenoise, DEBUG off (production-like)
serve: $(INSTALLED)
	$(BIN)/python manage.py prepare
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_catalogue --if-empty
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@$(BIN)/python manage.py welcome --url http://$(HOST):$(PORT)/
	$(BIN)/gunicorn hub.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

## worker / beat: the Celery worker (mail, housekeeping) and its scheduler; both need REDIS_URL
## (e.g. REDIS_URL=redis://127.0.0.1:6379/0 make worker). Run one beat per deployment.
worker beat: $(INSTALLED)
	@test -n "$$REDIS_URL$$CELERY_BROKER_URL" || { \
	  echo "make $@ needs REDIS_URL (e.g. REDIS_URL=redis://127.0.0.1:6379/0 make $@)"; exit 1; }
	$(BIN)/python manage.py prepare
	$(BIN)/celery -A hub $@ --loglevel INFO

## screenshots: the guide's journey in Chromium, a PNG per step in docs/screenshots/
screenshots: $(INSTALLED) test-tools
	$(BIN)/python -m pytest -q tests/screenshots.py

## bench: every page under gunicorn + wrk, as ratios to a bare view, on SQLite and PostgreSQL,
## and on PostgreSQL with Redis, an S3 bucket and Celery when Redis answers at $REDIS_URL_BENCH
## (default redis://127.0.0.1:6379/5; it and db 6 are emptied), written to docs/benchmarks.md
## (options: make bench BENCH_ARGS="--quick --db postgres,shared"; --db sqlite|postgres|shared|both|all)
BENCH_INSTALLED := $(VENV)/.installed-bench
$(BENCH_INSTALLED): pyproject.toml $(INSTALLED)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	@touch $(BENCH_INSTALLED)

bench: $(BENCH_INSTALLED) bench-tools
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## bench-tools: Debian's wrk (the load generator), as root
bench-tools:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's wrk for the benchmarks"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else \
	    echo "The benchmarks need Debian's wrk package (sudo apt-get install wrk)"; \
	    exit 1; \
	  fi; }

## lint: formatting, lint, types (mypy) and migrations up to date
lint: $(INSTALLED)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	@$(BIN)/python manage.py prepare  # the history check opens the SQLite database in var/
	$(BIN)/python manage.py makemigrations --check --dry-run
	LANGUAGE_CODE=en TIME_ZONE=UTC $(BIN)/python manage.py makemigrations --check --dry-run

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## messages: refresh locale/ja and locale/en from the code and compile them
messages: $(INSTALLED)
	$(BIN)/python manage.py makemessages --locale ja --locale en --no-obsolete --no-location --ignore .venv --ignore var
	$(BIN)/python manage.py fill_english_catalogue
	$(BIN)/python manage.py compilemessages --ignore .venv --ignore var

## test-tools: Debian's chromium (browser tests), gettext (catalogue check) and fonts-noto-cjk
## (Japanese pages laid out in real glyphs, as the page-width tests measure them), as root
test-tools:
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing="$$missing chromium"; \
	command -v xgettext >/dev/null 2>&1 || missing="$$missing gettext"; \
	fc-list 2>/dev/null | grep -qi "noto sans cjk" || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages for the tests:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The tests need Debian packages:$$missing (sudo apt-get install$$missing)"; \
	    exit 1; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) var/static var/test-db.sqlite3*
