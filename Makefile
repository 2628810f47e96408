# bcce: everything a fresh machine with Python 3.11 and make needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SCAN_VENV ?= .venv-scan
CONFIG ?= examples/bcce.json
PYTEST_WORKERS ?= 2

.PHONY: install mirror schema scan-env test unit demo plan apply destroy clean

$(BIN)/.bcce-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.bcce-installed

mirror: install
	$(BIN)/bcce providers mirror

# hashicorp/aws schemas for `bcce validate`: 6.25.0 from npm @cdktf/provider-aws, 3.39.0 from the mirror.
schema: mirror
	$(BIN)/python -m bcce_tf.schema

# checkov pins an old boto3, so it lives in a virtualenv of its own.
$(SCAN_VENV)/.installed:
	$(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet checkov==3.3.30
	touch $@

scan-env: $(SCAN_VENV)/.installed

test: install mirror schema scan-env
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

unit: install schema
	$(BIN)/python -m pytest -q tests/unit tests/cli

demo: install mirror
	PATH="$(CURDIR)/$(BIN):$$PATH" bash examples/demo/run.sh

plan: install
	$(BIN)/bcce --config $(CONFIG) plan

apply: install
	$(BIN)/bcce --config $(CONFIG) apply

destroy: install
	$(BIN)/bcce --config $(CONFIG) destroy

clean:
	rm -rf .bcce .bcce-demo .pytest_cache
