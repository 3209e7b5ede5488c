# Chalkboard — `make help` lists the targets.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.dev-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.run-deps

run: $(VENV)/.run-deps ## Start Chalkboard on the embedded Postgres with a demo venue
	$(BIN)/chalkboard serve --migrate --demo

# axe-core and acorn, which the browser and TV tests run (tests/js/package.json, pinned by its lock).
NODE_DEPS := tests/js/node_modules/.installed
$(NODE_DEPS): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --silent
	@touch $@

# Test files are spread over one worker per core (each with its own embedded Postgres and
# app server): many tests wait (for a day-part boundary, a drain, Chromium), so two workers
# on two cores take about half the time. TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= auto
test: lint $(NODE_DEPS) ## Lint, type-check and run the whole test suite
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(VENV)/.dev-deps ## ruff (format check + lint) and mypy
	$(BIN)/ruff format --check service tests bench
	$(BIN)/ruff check service tests bench
	@mkdir -p $(VENV)/mypy && ln -sfn $(CURDIR)/service $(VENV)/mypy/chalkboard
	$(BIN)/mypy

format: $(VENV)/.dev-deps ## Format the code in place
	$(BIN)/ruff format service tests bench
	$(BIN)/ruff check --fix service tests bench

bench-idle: $(VENV)/.dev-deps ## Memory of an idle server vs. a bare Starlette app (bench/results/idle.json)
	$(BIN)/python bench/idle_memory.py

TVS ?= 10000
bench-fanout: $(VENV)/.dev-deps ## Push to TVS=10000 TVs vs. websockets.broadcast() and polling (bench/results/fanout.json)
	$(BIN)/python bench/fanout.py --tvs $(TVS)

bench-boundary: $(VENV)/.dev-deps ## A happy hour beginning at 1,000 venues with 10,000 TVs vs. 1,000 edits at once (bench/results/boundary_fanout.json)
	$(BIN)/python bench/boundary_fanout.py

bench-faults: $(VENV)/.dev-deps ## 1,000 TVs through a 30 s database outage; a rolling deploy, drain vs. cut (bench/results/faults.json)
	$(BIN)/python bench/faults.py

bench-media: $(VENV)/.dev-deps ## Upload-to-URL latency per image size, CDN vs origin (bench/results/media.json)
	$(BIN)/python bench/media.py

bench-embed: $(VENV)/.dev-deps ## Embed page req/s and p99 (200 and 304) vs. a bare Starlette hello, 2 workers (bench/results/embed.json)
	$(BIN)/python bench/embed.py

bench-tv: $(VENV)/.dev-deps ## TV layout pass of a 26-entry board, 1080p and 4K, CPU 1x and 4x (bench/results/tv_render.json)
	$(BIN)/python bench/tv_render.py

cost-docs: $(VENV)/.run-deps ## Regenerate docs/cost.md's tables and docs/cost-chart.svg with `chalkboard cost`
	$(BIN)/chalkboard cost --docs

clean: ## Remove the virtualenv and local data (the embedded database too)
	rm -rf $(VENV) .data

.PHONY: help run test lint format bench-idle bench-fanout bench-boundary bench-faults bench-media bench-embed bench-tv cost-docs clean
