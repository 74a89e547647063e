# Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
API    ?= vinr
STAMP  := $(VENV)/.installed

.PHONY: serve test contract bench docs bench-docs bench-proxy bench-diff lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/mockserver serve --api $(API) --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest

contract: $(STAMP)
	$(BIN)/python -m pytest contract_tests --contract-deep -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,dev]"
	$(BIN)/ruff check mockserver tests contract_tests
	$(BIN)/mypy mockserver

bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The API references (HTML + Markdown twins), every example executed against the mock.
docs: $(STAMP)
	$(BIN)/mockserver docs --api vinr --api voucherify --out build/docs

# Render the official Voucherify document with ours and with Redocly (npx), side by side.
bench-docs: $(STAMP)
	$(BIN)/python bench/docs.py $(BENCH_ARGS)
bench-proxy: $(STAMP)
	$(BIN)/python bench/proxy.py $(BENCH_ARGS)

bench-diff: $(STAMP)
	$(BIN)/python bench/diff.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
