# Every target creates .venv and installs what it needs, idempotently.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8080
SANDBOX_PORT ?= 8081
FUZZ_CASES ?= 10000
SOAK_MINUTES ?= 10

.PHONY: run test lint bench schema proto sandbox clean fuzz soak

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	CONCUR_GATEWAY_SANDBOX__PORT=$(SANDBOX_PORT) $(BIN)/concur-gateway serve --host $(HOST) --port $(PORT) --workers 1

sandbox: $(STAMP)
	$(BIN)/concur-gateway sandbox --host $(HOST) --port 8081

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python bench/upstream_calls.py
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/cache.py
	$(BIN)/python bench/throughput.py

fuzz: $(STAMP)  # schemathesis over the whole graph; counts of cases, 5xx and INTERNAL at the end
	$(BIN)/python -m tests.fuzz.run --cases $(FUZZ_CASES)

soak: $(STAMP)  # mixed load, rotating sandbox faults and Redis restarts; make soak SOAK_MINUTES=2
	$(BIN)/python bench/soak.py $(SOAK_MINUTES)

proto: $(STAMP)  # gRPC stubs from proto/ (committed; a test fails on drift)
	$(BIN)/python scripts/gen_proto.py

schema: $(STAMP)
	$(BIN)/concur-gateway export-schema --output schema.graphql

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
