# The two commands of the README go through here:
#   make demo   set up, then run one ticket through the crew (offline model, no API key)
#   make test   set up, lint and type-check, then run the test suite (what CI runs)
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help install demo lint test eval bench clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

install: $(STAMP)  ## create .venv and install the project (CPU torch first, then pinned deps)

$(STAMP): pyproject.toml
	# The console's browser tests drive Debian's Chromium (Playwright downloads no browser of its own).
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	# The fleet's tests start real Redis and PostgreSQL servers on loopback (tests/live_servers.py).
	command -v redis-server >/dev/null || (apt-get update && apt-get install -y redis-server)
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update && apt-get install -y postgresql)
	$(PYTHON) -m venv $(VENV)
	# CPU build from the machine's local wheel; installed first so sentence-transformers does not pull CUDA.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: install  ## run one ticket end to end with the offline model
	$(BIN)/support-crew --data-dir .support-crew/demo kickoff --from-email "chen.moore4507@example.com" \
	  "Hello, please cancel my order #W9205196, I ordered it by mistake. Thanks, Chen"

lint: install  ## ruff (lint and format) and mypy over the code
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint  ## lint, then run the whole test suite
	$(BIN)/pytest

eval: install  ## score the development evaluation files
	$(BIN)/support-crew --data-dir .support-crew/eval eval ../shared/tickets/dev.jsonl --workers 2 --report reports/dev.json
	$(BIN)/support-crew --data-dir .support-crew/eval eval ../shared/tickets/dev_extra.jsonl --workers 2 --report reports/dev_extra.json

bench: install  ## performance benchmark (JSON on the last line)
	$(BIN)/support-crew --data-dir .support-crew/bench bench

clean:  ## remove the virtualenv and all local state
	rm -rf $(VENV) .support-crew reports
