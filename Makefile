# The two commands of the README: `make demo` (the main job) and `make test` (the test suite).
# Each is self-sufficient on a fresh clone: it creates .venv, installs the pinned versions,
# fetches and verifies MNIST, then runs. A second run installs and fetches nothing.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.neurosim-installed
PYTEST_ARGS ?= -n auto

.PHONY: demo test data install clean-venv

demo: $(STAMP)
	$(VENV)/bin/neurosim demo

test: data
	$(PY) -m pytest $(PYTEST_ARGS)

# `make test` fetches MNIST first (the demo fetches it itself).
# Verifies the cached files by SHA-256 on every call; downloads only what is missing or corrupt.
data: $(STAMP)
	@$(VENV)/bin/neurosim data

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 needed, this is " + sys.version.split()[0]'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,nest]'
	@touch $@

clean-venv:
	rm -rf $(VENV)
