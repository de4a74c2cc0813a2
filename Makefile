# baobao — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck unit demo clean browser bench wrk

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/baobao serve --demo-if-empty --print-admin-token

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

# Debian's Chromium and CJK fonts for the browser tests (tests/browser), where apt-get runs as
# root; elsewhere those tests skip with the reason (CI sets BAOBAO_REQUIRE_BROWSER=1 to fail).
browser:
	@if command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		apt-get update -q && apt-get install -y -q chromium chromium-driver fonts-noto-cjk; \
	else echo "chromium not installed and apt-get unusable here: browser tests will skip"; fi

test: lint typecheck browser unit

demo: install
	$(BIN)/baobao demo

$(VENV)/.bench-installed: pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

# wrk, the load generator of the read benchmark, where apt-get runs as root; without it the
# benchmark's clients are threads of its own process (bench/read.py says how they differ).
wrk:
	@if command -v wrk >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		apt-get install -y -q wrk || (apt-get update -q && apt-get install -y -q wrk); \
	else echo "wrk not installed and apt-get unusable here: bench.read uses threads"; fi

# The quick SQLite benchmarks (a few minutes); bench/README.md has the full ones.
bench: $(VENV)/.bench-installed wrk
	$(BIN)/python -m bench.write --quick
	$(BIN)/python -m bench.catch_up --quick
	$(BIN)/python -m bench.read --quick

clean:
	rm -rf $(VENV) *.egg-info .mypy_cache .pytest_cache .ruff_cache
