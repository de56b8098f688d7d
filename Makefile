# Two commands set everything up on a fresh machine with Python 3.11 and pip:
#   make serve   runs the server on the embedded SQLite default (./edm.db)
#   make test    runs the whole test suite (set EDM_TEST_DATABASE_URL for PostgreSQL)
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: serve test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The playground's browser tests drive Debian's Chromium through Playwright.
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

serve: $(STAMP)
	$(BIN)/edm serve

test: $(STAMP) $(CHROMIUM)
	$(BIN)/ruff check src tests examples
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests examples
	$(BIN)/ruff format --check src tests examples
	$(BIN)/mypy --strict src/edm/client examples

clean:
	rm -rf $(VENV) edm.db edm.db-* .edm test-artifacts
