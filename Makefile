# Two commands set everything up on a fresh machine with Python 3.11 and pip:
#   make serve   runs the server on the embedded SQLite default (./edm.db)
#   make test    runs the whole test suite (set EDM_TEST_DATABASE_URL for PostgreSQL)
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
WRK ?= /usr/bin/wrk

.PHONY: serve test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The playground's browser tests drive Debian's Chromium through Playwright;
# the benchmark's load generator is Debian's wrk.
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(WRK):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk

serve: $(STAMP)
	$(BIN)/edm serve

test: $(STAMP) $(CHROMIUM) $(WRK)
	$(BIN)/ruff check src tests examples bench
	$(BIN)/mypy --strict src/edm examples
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests examples bench
	$(BIN)/ruff format --check src tests examples bench
	$(BIN)/mypy --strict src/edm examples

# Throughput, latency and ratios to the stack's ceiling on SQLite and PostgreSQL
# (docs/performance.md); `make bench BENCH_ARGS=--quick` for a short run.
bench: $(STAMP) $(WRK)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) edm.db edm.db-* .edm test-artifacts
