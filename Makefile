# receiptflow: `make demo` extracts the bundled samples offline; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip

.PHONY: demo test check bench install install-dev clean

demo: $(VENV)/.installed
	$(BIN)/receiptflow extract samples/ --format table

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[all]'
	touch $@

install-dev: $(VENV)/.dev-installed

$(VENV)/.dev-installed: $(VENV)/.installed
	scripts/system-deps.sh --test
	$(PIP) install -q -e '.[dev]'
	PYTHON=$(BIN)/python .ci/llamacpp.sh
	touch $@

test: install-dev
	PREFECT_SERVER_ANALYTICS_ENABLED=false $(BIN)/python -m pytest

check: install-dev
	$(BIN)/ruff check receiptflow tests bench scripts
	$(BIN)/ruff format --check receiptflow tests bench scripts
	$(BIN)/mypy

bench: install-dev
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/ocr_compare.py
	$(BIN)/python bench/extract_speed.py --repeat 3
	$(BIN)/python bench/extract_speed.py --repeat 3 --dataset wildreceipt
	$(BIN)/python bench/llm_throughput.py
	$(BIN)/python bench/llm_cost.py
	$(BIN)/python bench/prefect_overhead.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
