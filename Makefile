# Two commands do everything: `make run` and `make test`. See README.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-dev chromium gettext nginx wrk axe migrate demo bench clean worker beat messages serve serve-prepare scale-demo load

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

chromium:
	@[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

# Debian's nginx (the front of make scale-demo) and wrk (the load generator of bench/serve.py).
nginx:
	@[ -x /usr/sbin/nginx ] || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q nginx; }

wrk:
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q wrk; }

# GNU gettext: makemessages/compilemessages, and the translation guard (tests/test_translations.py) uses both.
gettext:
	@command -v msgmerge >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q gettext; }

# Compile the translators' .po files (hub/locale) into the .mo files Django loads; commit both.
messages: install gettext
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

# axe-core (the accessibility checker the browser tests inject) comes from npm, pinned in package-lock.json.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

axe: node_modules/axe-core/axe.min.js

migrate: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput

demo: migrate
	DJANGO_DEBUG=1 $(PY) manage.py load_demo

run: demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl+C to stop)"
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: install-dev chromium gettext axe
	$(PY) -m pytest $(PYTEST_ARGS)

# The task worker and the scheduler; both need HUB_BROKER_URL (e.g. redis://127.0.0.1:6379/1). See README.
worker: install
	$(VENV)/bin/celery -A hub worker --loglevel=INFO --concurrency=$${HUB_WORKER_CONCURRENCY:-2}

beat: install
	$(VENV)/bin/celery -A hub beat --loglevel=INFO --schedule=$${HUB_BEAT_SCHEDULE_FILE:-celerybeat-schedule}

# Production: the environment holds the settings (deploy/hub.env.example); nothing here turns DEBUG on.
# serve-prepare migrates, collects static files and refuses to go on if `check --deploy` has any warning.
serve-prepare: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py check --deploy --fail-level $${HUB_DEPLOY_CHECK_LEVEL:-WARNING}

# gunicorn with deploy/gunicorn.conf.py (HUB_WEB_BIND, HUB_WEB_WORKERS); `kill -HUP <pid>` reloads gracefully.
serve: serve-prepare
	exec $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py

# Two gunicorns behind nginx on one database, Redis and media folder, checked end to end (bench/scale.py).
scale-demo: install nginx
	$(PY) bench/scale.py

# Load and fault tests on a throwaway PostgreSQL and Redis of their own (bench/load.py; --short for CI).
load: install
	$(PY) bench/load.py $(LOAD_ARGS)

bench: install-dev wrk
	@for script in bench/*.py; do case $$script in bench/stack.py|bench/scale.py|bench/load.py) continue;; esac; \
		echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
