# make demo  - a realistic partnership workbook, provisioned, synced and reported
# make test  - ruff, mypy (strict on sheets_sync/) and pytest
# make reliability - the full reliability suites, figures in RELIABILITY.md
# make bench  - sheets-sync against the usual gspread approaches; BENCHMARKS.md
# Each creates .venv when it is missing; only python3 and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest reliability bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/sheets-sync demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

# the full reliability suites (tens of minutes); figures go to RELIABILITY.md
reliability: $(STAMP)
	$(BIN)/python bench/reliability.py

# Google S and M against the fake, xlsx S, M and L, quota pacing (about half an hour)
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) demo .pytest_cache .mypy_cache .ruff_cache .hypothesis

# docs/template.md and docs/rules.md, generated from the template pack and the rule catalogue
.PHONY: docs
docs: $(STAMP)
	$(BIN)/python -m sheets_sync.docs_pages docs/
