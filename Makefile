# talentnet — the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

# The test configuration: real PostgreSQL and Redis on loopback (override any of them).
# When no server answers at TEST_DATABASE_URL, `make test` starts the embedded PostgreSQL
# (var/postgres-test, on a free port of 127.0.0.1) and runs on it. Tasks run inline in the
# test process (CELERY_TASK_ALWAYS_EAGER); the tests' own worker processes use the broker.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/talentnet
# Test processes (pytest-xdist, one per core here); 0 runs the suite in this process.
PYTEST_WORKERS ?= 2
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
TEST_CELERY_BROKER_URL ?= redis://127.0.0.1:6379/2
TEST_ENV = DEBUG=false SECRET_KEY=test-only-secret-key-not-for-production-0123456789abcdef \
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	CELERY_BROKER_URL=$(TEST_CELERY_BROKER_URL) TEST_CELERY_BROKER_URL=$(TEST_CELERY_BROKER_URL) \
	CELERY_TASK_ALWAYS_EAGER=true STATIC_MANIFEST=false
# `make run`: links in mails and QR codes follow the port served (SITE_URL, unless set; the
# Site's domain follows it on every migrate). The embedded PostgreSQL under var/postgres (scripts/embedded-postgres: started
# on a Unix socket, stopped on exit, its data kept), tasks inline, mail on the console.
RUN_ENV = DEBUG=true DJANGO_RUNSERVER_HIDE_WARNING=true
EMBEDDED_PG = $(PY) scripts/embedded-postgres
RUN_PGDATA ?= $(or $(TALENTNET_VAR_DIR),var)/postgres
SEED_DEMO_ARGS ?=

.PHONY: lock help install messages translations run test lint format worker beat bench loadtest clean compose-check

help:
	@echo "make run     serve the site with demo data on http://127.0.0.1:$(PORT) (embedded PostgreSQL, no services)"
	@echo "make test    lint, migration check and the whole suite on PostgreSQL + Redis + Chromium"
	@echo "make lint | format | translations | worker | beat | bench | loadtest | clean"

# The exact versions CI tested: requirements-dev.lock (runtime and dev tools, with hashes),
# then the project itself without resolving anything again. `make lock` regenerates the
# locks from pyproject.toml (requirements.lock: the runtime only, for the Dockerfile).
$(STAMP): pyproject.toml requirements-dev.lock
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

LOCK_FLAGS = --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
	--no-emit-find-links --resolver=backtracking
lock: $(STAMP)
	$(PY) -m pip install -q --disable-pip-version-check pip-tools
	$(PY) -m piptools compile $(LOCK_FLAGS) -o requirements.lock pyproject.toml
	$(PY) -m piptools compile $(LOCK_FLAGS) --extra dev -o requirements-dev.lock pyproject.toml

install: $(STAMP)

messages: $(STAMP)
	@command -v msgfmt >/dev/null || scripts/ensure-services gettext
	$(RUN_ENV) $(PY) manage.py compilemessages --ignore=.venv -v0

# Extract new strings into the English catalogue and list what is still untranslated (the
# source strings are Spanish: es-MX needs no catalogue of its own).
translations: $(STAMP)
	$(RUN_ENV) $(PY) manage.py makemessages -l en --no-location --ignore=.venv --ignore=var --ignore=tests
	$(PY) scripts/translate.py

# One shell: the embedded server is stopped however the recipe ends (Ctrl-C included; make
# signals its recipe a second time, which the stop then ignores).
run: messages
	@set -e; url=$$($(EMBEDDED_PG) start $(RUN_PGDATA)); \
	trap 'trap "" INT TERM HUP; $(EMBEDDED_PG) stop $(RUN_PGDATA)' EXIT; trap 'exit 130' INT TERM HUP; \
	export $(RUN_ENV) DATABASE_URL="$$url" SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	$(PY) manage.py migrate --noinput -v0; \
	$(PY) manage.py seed_demo $(SEED_DEMO_ARGS); \
	echo ""; \
	echo "  talentnet is starting on http://127.0.0.1:$(PORT)/  (English: /en/)"; \
	echo "  IME staff (demo): ime.demo@example.org / demo-ime-staff-2026"; \
	echo "    second factor: TOTP secret JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP (add it to an authenticator app)"; \
	echo "    or a recovery code: 89870152 (also 92287915, 63055505; re-armed on every make run)"; \
	echo "  Any demo member:  miembro0001@demo.example.org / demo-member-2026"; \
	echo "  Chapter officer (Houston, scoped admin): miembro0002@demo.example.org / demo-member-2026,"; \
	echo "    TOTP secret MRSW23ZNN5TGM2LDMVZC2MRW"; \
	echo "  PNCS coordinator (TIC, Energía): miembro0009@demo.example.org / demo-member-2026,"; \
	echo "    TOTP secret JBSWY3DPEHPK3PXPJBSWY3DP"; \
	echo "  Mail (verification codes) is printed on this console."; \
	echo "  Database: $$url (embedded PostgreSQL, stopped on exit)"; \
	echo ""; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

compose-check:
	SECRET_KEY=compose-check docker-compose -f docker-compose.yml config -q

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

test: $(STAMP)
	scripts/ensure-services
	$(MAKE) --no-print-directory messages compose-check lint
	@# The test tools from npm (axe-core, the Open Badges verifier): again when the lock changed.
	@test node_modules/.package-lock.json -nt package-lock.json || npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p var/static  # whitenoise serves STATIC_ROOT; an absent one only warns
	@set -e; url=$$($(EMBEDDED_PG) fallback "$(TEST_DATABASE_URL)" var/postgres-test); \
	trap 'trap "" INT TERM HUP; $(EMBEDDED_PG) stop var/postgres-test' EXIT; trap 'exit 130' INT TERM HUP; \
	export $(TEST_ENV) DATABASE_URL="$$url"; \
	echo "make test: DATABASE_URL=$$url"; \
	$(PY) scripts/ensure-database; \
	$(PY) manage.py makemigrations --check --dry-run; \
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

worker: $(STAMP)
	$(PY) -m celery -A talentnet worker -Q transactional,default --loglevel=INFO

beat: $(STAMP)
	$(PY) -m celery -A talentnet beat --loglevel=INFO --schedule=var/celerybeat-schedule

# The benchmark (tests/bench/README.md): BENCH_MEMBERS synthetic members generated into
# BENCH_DATABASE_URL (kept between runs), gunicorn on loopback, BENCH_SECONDS per scenario.
# Figures go to var/bench/results.json. Extra options: BENCH_ARGS="--only 'home page'".
BENCH_MEMBERS ?= 100000
BENCH_SECONDS ?= 10
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/talentnet_bench
bench: $(STAMP)
	scripts/ensure-services postgres redis gettext
	$(TEST_ENV) BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m tests.bench.run \
		--members $(BENCH_MEMBERS) --seconds $(BENCH_SECONDS) $(BENCH_ARGS)

# Load and fault drills (tests/loadtest/README.md): on the drill's OWN PostgreSQL cluster
# and Redis server (never the shared ones), LOADTEST_SECONDS of a mixed load with a staff
# announcement going out, then LOADTEST_FAULT_SECONDS during which PostgreSQL and Redis
# really restart (away LOADTEST_OUTAGE seconds each); then the data checks. Figures to
# stdout and var/loadtest/results.json.
# LOADTEST_MODE=scaleout: the drill with two of everything (two gunicorn nodes behind nginx,
# two Celery workers and a beat, primary + standby, moto's S3; LOADTEST_MEMBERS recipients,
# 100,000 by default): a web node, a worker and the standby fail during LOADTEST_SECONDS.
LOADTEST_SECONDS ?= 300
LOADTEST_FAULT_SECONDS ?= 60
LOADTEST_OUTAGE ?= 2
LOADTEST_MODE ?=
loadtest: $(STAMP)
	scripts/ensure-services postgres redis gettext $(if $(filter scaleout,$(LOADTEST_MODE)),nginx)  # binaries only
	$(TEST_ENV) LOADTEST_SECONDS=$(LOADTEST_SECONDS) LOADTEST_FAULT_SECONDS=$(LOADTEST_FAULT_SECONDS) \
		LOADTEST_OUTAGE=$(LOADTEST_OUTAGE) LOADTEST_MODE=$(LOADTEST_MODE) $(PY) -m tests.loadtest.drill

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find locale -name '*.mo' -delete
