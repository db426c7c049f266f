# The two commands of the README: `make demo` (the main job) and `make test` (the test suite,
# the tutorial notebooks and the site's browser test included); `make docs` builds the site.
# Each is self-sufficient on a fresh clone: it creates .venv, installs the pinned versions,
# fetches and verifies MNIST, then runs. A second run installs and fetches nothing.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.neurosim-installed
PYTEST_ARGS ?= -n auto

.PHONY: demo test docs data browser install clean-venv

demo: $(STAMP)
	$(VENV)/bin/neurosim demo

test: data browser
	$(PY) -m pytest $(PYTEST_ARGS)

# The static site: README, the notebooks (executed during the build) and figures/README.md,
# built by Sphinx + MyST-NB into docs/_build/html (open docs/_build/html/index.html).
docs: data
	$(PY) -m sphinx -b html -c docs -W --keep-going . docs/_build/html
	@echo "site built: open docs/_build/html/index.html"

# `make test` fetches MNIST first (the demo fetches it itself).
# Verifies the cached files by SHA-256 on every call; downloads only what is missing or corrupt.
data: $(STAMP)
	@$(VENV)/bin/neurosim data

install: $(STAMP) browser

# Debian's chromium + chromium-driver for the site's browser test, where missing and apt-get exists.
browser:
	@bash docs/install_chromium.sh

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 needed, this is " + sys.version.split()[0]'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,nest,docs]'
	@touch $@

clean-venv:
	rm -rf $(VENV)
