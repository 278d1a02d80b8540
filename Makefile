# sesbridge: `make demo` runs the pipeline on a local AWS, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.sesbridge-installed

# `sam build` needs python3.13 (the functions' runtime) on PATH; pyenv provides it.
export PYENV_VERSION ?= 3.11.7:3.12.1:3.13.0
export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: venv test lint unit validate build demo bench fuzz clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: venv
	$(BIN)/pytest

validate: venv
	$(BIN)/sam validate --lint

build: venv
	$(BIN)/sam build --parallel

test: lint unit validate build

demo: venv
	$(BIN)/python -m scripts.demo

bench: venv
	$(BIN)/python -m bench

# The property tests at 40 times the examples `make test` runs (same fixed seed).
fuzz: venv
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/properties -q -p no:logging --hypothesis-show-statistics

clean:
	rm -rf .aws-sam .pytest_cache .ruff_cache
