# sga-methods: the two commands a newcomer needs are `make run` and `make test`.
# Both create .venv (Python 3.11+) if it is missing and install the package into it.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian's chromium for the real-browser test of the reports (installed when missing).
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint lab demo-data clean help chromium

help:
	@echo "make run        execute every module for the demo district into outputs/"
	@echo "make test       lint (ruff, mypy), run the test suite and the docstring examples"
	@echo "make lint       ruff and mypy only"
	@echo "make lab        open JupyterLab on workbooks/"
	@echo "make demo-data  regenerate the synthetic demo data from its seed"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)

# Re-install when the project metadata changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/sga run

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the real-browser test"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }

test: lint chromium
	$(BIN)/python -m pytest --doctest-modules src/sga_methods -q
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests workbooks
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

lab: $(STAMP)
	$(BIN)/python -m sga_methods.pipeline.kernel
	$(BIN)/jupyter lab --notebook-dir=workbooks

demo-data: $(STAMP)
	$(BIN)/python -m sga_methods.synthetic --out data/synthetic/tashkent-chilanzar --readme data/synthetic/README.md

clean:
	rm -rf $(VENV) outputs/*/ outputs/index.html .pytest_cache test-artifacts
