# sesbridge: `make demo` runs the pipeline on a local AWS, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.sesbridge-installed
# checkov pins its own boto3, so it lives in a venv of its own (the `iac` extra).
IAC_VENV ?= .venv-iac
IAC_STAMP := $(IAC_VENV)/.sesbridge-installed

# `sam build` needs python3.13 (the functions' runtime) on PATH; pyenv provides it.
export PYENV_VERSION ?= 3.11.7:3.12.1:3.13.0
export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: venv test lint unit validate iac-scan build demo invoke bench clean

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

$(IAC_STAMP): pyproject.toml
	test -x $(IAC_VENV)/bin/python || $(PYTHON) -m venv $(IAC_VENV)
	$(IAC_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(IAC_VENV)/bin/python -m pip install --quiet -e '.[iac]'
	touch $@

# Security and correctness checks of template.yaml: any finding fails, unless the
# template skips it on the resource with a one-line reason (Metadata: checkov: skip).
iac-scan: venv $(IAC_STAMP)
	$(BIN)/cfn-lint template.yaml
	$(IAC_VENV)/bin/checkov --quiet --compact --skip-download --framework cloudformation --file template.yaml

build: venv
	$(BIN)/sam build --parallel

test: lint unit validate iac-scan build

demo: venv
	$(BIN)/python -m scripts.demo

# One function on one event on the local AWS (no Docker), e.g.
#   make invoke FUNCTION=tracking EVENT=events/tracking-bounce.json
#   make invoke FUNCTION=inbound EVENT=my-receipt.json ARGS="--raw-mail mail.eml"
invoke: venv
	@test -n "$(FUNCTION)" -a -n "$(EVENT)" || \
	  { echo "usage: make invoke FUNCTION=tracking|inbound EVENT=events/<file>.json [ARGS=...]"; exit 2; }
	$(BIN)/python -m scripts.invoke $(FUNCTION) $(EVENT) $(ARGS)

# The benchmarks run the functions as Lambda does: the `sam build` output, in a Python 3.13
# that holds only boto3 (pinned near the python3.13 runtime's own; PyPI is months ahead).
LAMBDA_RUNTIME := build/lambda-runtime
LAMBDA_RUNTIME_BOTO3 := 1.40.4

$(LAMBDA_RUNTIME)/.boto3-$(LAMBDA_RUNTIME_BOTO3):
	rm -rf $(LAMBDA_RUNTIME)
	python3.13 -m venv $(LAMBDA_RUNTIME)
	$(LAMBDA_RUNTIME)/bin/python -m pip install --quiet boto3==$(LAMBDA_RUNTIME_BOTO3)
	touch $@

bench: build $(LAMBDA_RUNTIME)/.boto3-$(LAMBDA_RUNTIME_BOTO3)
	$(BIN)/python -m bench

clean:
	rm -rf .aws-sam .pytest_cache .ruff_cache
