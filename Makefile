# Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
API    ?= vinr
# more flags for `mockserver serve`: make serve ARGS="--api-key sk_test_123 --log-level warning"
ARGS   ?=
# pytest workers for `make test` (pytest-xdist): a number, or auto (one per core)
JOBS   ?= auto
STAMP  := $(VENV)/.installed
# pip, quietly: no progress bars, no version nag
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check

.PHONY: serve test contract wheel wheel-smoke bench bench-generic docs bench-docs bench-proxy \
        bench-diff bench-state lint install clean

$(BIN)/python:
	@echo "make: creating the virtual environment $(VENV) with $$($(PYTHON) --version)"
	$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	@echo "make: installing promotions-mockserver and its dependencies into $(VENV)"
	@echo "      (pip install -e '.[test]'; about a minute the first time, quiet unless it fails)"
	@$(PIP) install -e ".[test]"
	@touch $(STAMP)
	@echo "make: done, $$($(BIN)/python -m pip list --format=freeze 2>/dev/null | wc -l) packages in $(VENV); the command is $(BIN)/mockserver"

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/mockserver serve --api $(API) --host $(HOST) --port $(PORT) $(ARGS)

# --dist loadfile: each test file runs whole on one worker, so what its tests share (one
# contract run per API, a served mock) is built once, not once per worker
test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile

contract: $(STAMP)
	$(BIN)/python -m pytest contract_tests --contract-deep -p no:cacheprovider

# the wheel client teams install (dist/promotions_mockserver-*.whl)
wheel: $(BIN)/python
	$(PIP) wheel --no-deps --wheel-dir dist .

# the wheel alone, in a fresh virtual environment outside the checkout: serve, and a client test
wheel-smoke: $(BIN)/python
	PYTHON=$(BIN)/python .ci/wheel-smoke

lint: $(STAMP)
	@$(PIP) install -e ".[test,dev]"
	$(BIN)/ruff check mockserver tests contract_tests
	$(BIN)/mypy mockserver

bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-generic: $(STAMP)
	$(BIN)/python bench/generic.py $(BENCH_ARGS)

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

bench-state: $(STAMP)
	$(BIN)/python bench/state.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info dist build
