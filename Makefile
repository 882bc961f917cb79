# One gate: `make test` runs lint, types, tests and the SAM checks, locally and in .ci/run.
PY313 ?= $(firstword $(wildcard /root/.pyenv/versions/3.13.0/bin/python3.13) $(shell command -v python3.13))
VENV := .venv
PY := $(VENV)/bin/python
export SAM_CLI_TELEMETRY := 0
# sam build looks for python3.13 on PATH: the virtualenv's interpreter is the one Lambda's runtime matches.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export AWS_DEFAULT_REGION ?= ap-southeast-3

.PHONY: venv db demo local test lint typecheck pytest sam-validate sam-build bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PY313) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

db:
	@scripts/ensure-mariadb.sh

demo: venv db
	PYTHONPATH=$(CURDIR)/tools $(PY) -m local_stack.demo

local: venv db
	PYTHONPATH=$(CURDIR)/tools $(PY) -m local_stack

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: venv
	$(VENV)/bin/mypy layers/core tools/local_stack tests
	# each function is its own top-level module "app": checked one at a time
	for f in functions/*/app.py; do $(VENV)/bin/mypy --strict --follow-imports=silent $$f || exit 1; done

pytest: venv db
	$(VENV)/bin/pytest

sam-validate: venv
	sam validate --lint
	cfn-lint infra/cloudformation/*.yaml

sam-build: venv
	sam build --build-dir .aws-sam/build

test: lint typecheck pytest sam-validate sam-build

bench: venv db
	PYTHONPATH=$(CURDIR)/tools $(PY) -m local_stack.bench

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache
