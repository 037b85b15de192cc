# Every command a newcomer needs; each target does its own set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast lint format dredd docs browser chromium bench bench-trap bench-star bench-small bench-recompute load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.prod: requirements/base.txt requirements/prod.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/prod.txt
	touch $@

$(VENV)/.dev: requirements/base.txt requirements/prod.txt requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $@ $(VENV)/.prod

## run: serve the API on 127.0.0.1:5000 (SQLite and in-process tasks unless DATABASE_URL is set)
run: $(VENV)/.prod
	$(BIN)/python manage.py db upgrade
	$(BIN)/python manage.py run

## test: lint (style, import direction), then every test against a throwaway PostgreSQL database
test: lint chromium node_modules/.installed
	$(BIN)/python -m pytest

## test-fast: the tests a developer runs while working (no slow, faults or browser ones; <60 s)
test-fast: $(VENV)/.dev
	$(BIN)/python -m pytest -m "not slow and not faults and not browser"

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

## dredd: prove the API Blueprint (docs/api) true against the service under gunicorn
dredd: $(VENV)/.dev node_modules/.installed
	$(BIN)/python hooks/run.py

## docs: render docs/api (the API Blueprint) as the HTML served at /docs/; commit the result
docs: node_modules/.installed
	npm run --silent docs

# Debian's Chromium, for the browser tests; installed when missing (needs root and apt).
chromium:
	command -v chromium || (apt-get update && apt-get install -y chromium)

## browser: stock JSON:API clients (Orbit.js, kitsu) and the admin console in Chromium (<3 min)
browser: chromium node_modules/.installed $(VENV)/.dev
	$(BIN)/python -m pytest -m browser

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: the timed scenario on gunicorn + PostgreSQL; bench-trap: the same with stale statistics
bench: $(VENV)/.dev
	$(BIN)/python -m benchmarks.run

bench-trap: $(VENV)/.dev
	$(BIN)/python -m benchmarks.run --planner-trap

## bench-small: small requests at 1, 8 and 32 clients, with the CPU each costs (~2 min)
bench-small: $(VENV)/.dev
	$(BIN)/python -m benchmarks.small

## bench-recompute: what bringing an aggregate up to date costs after a one-citizen PATCH (~1 min)
bench-recompute: $(VENV)/.dev
	$(BIN)/python -m benchmarks.recompute

## bench-star: kinship of the worst shape, one citizen related to all, at 10,000 and 100,000 (~3 min)
bench-star: $(VENV)/.dev
	$(BIN)/python -m benchmarks.star

## load: 16 clients for 30 s of mixed reads and writes on gunicorn + a worker, then nothing-lost checks
load: $(VENV)/.dev
	$(BIN)/python -m benchmarks.load

clean:
	rm -rf $(VENV) node_modules build instance .pytest_cache .ruff_cache
