# Two commands matter on a fresh machine: `make demo` and `make test` (see README.md);
# `make unit` and `make check` are the fast day-to-day gates (no provisioning, no image).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: all setup provision image image-lock lint typecheck importlint unit check test demo bench clean

all: test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# System parts of the test bench: etcd, kube-apiserver (built once, cached), PostgreSQL, helm CLIs.
provision:
	bash hack/testenv/provision.sh all

# The operator's container image, built from Debian's packages without a container registry
# (docs/image.md). Cached under ~/.cache/steersman/image: rebuilt only when its inputs change.
# IMAGE_PUSH=host:port/steersman:tag also copies it to that (plain-HTTP) registry.
IMAGE_PUSH ?=
image:
	@if [ -n "$(IMAGE_PUSH)" ]; then bash hack/image/build.sh push "$(IMAGE_PUSH)"; \
	else bash hack/image/build.sh build; fi

# Re-pin the image's dependencies (hack/image/requirements.lock) after changing pyproject.toml.
image-lock:
	bash hack/image/lock.sh

lint: setup
	$(BIN)/ruff check operator tests bench hack
	$(BIN)/ruff format --check operator tests bench hack

typecheck: setup
	$(BIN)/mypy operator/steersman tests hack bench

importlint: setup
	$(BIN)/lint-imports

# Unit tests only: pure logic, no provisioning, no bench (seconds to a few minutes).
unit: setup
	$(BIN)/pytest tests/unit -q $(PYTEST_ARGS)

# The day-to-day gate: lint + typecheck + import contracts + unit tests, without provisioning or
# the image build. `make test` is the full gate.
check: lint typecheck importlint unit

test: setup provision image lint typecheck importlint
	$(BIN)/pytest $(PYTEST_ARGS)

demo: setup provision
	$(BIN)/python -m hack.demo

bench: setup provision
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
