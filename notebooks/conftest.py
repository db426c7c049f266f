"""pytest settings for the tutorial notebooks.

``make test`` (and a plain ``pytest``) runs each ``notebooks/NN_*.ipynb`` top to bottom with
nbmake (``--nbmake`` in pyproject's ``addopts``): a cell that raises, or an ``assert`` in a cell
that fails, fails that notebook's test. Each notebook gets :data:`TIME_LIMIT_S` for the whole run
(pytest-timeout); each one runs in about a minute on an idle 2-core machine, and the limit leaves
room for a cold Brian2 compile cache and for the rest of the suite running beside it.

A notebook's kernel inherits the environment of the pytest process that starts it. Variables that
other tests set in that process (:data:`TEST_ONLY_ENV`) are removed while a notebook runs, so it
runs as from a user's shell: e.g. ``TF_CPP_MIN_LOG_LEVEL=3`` set by a TensorFlow test would
otherwise tell ``ann`` that the user wants TensorFlow's own start-up logging.
"""

from __future__ import annotations

import os

import pytest

TIME_LIMIT_S = 480
TEST_ONLY_ENV = ("TF_CPP_MIN_LOG_LEVEL",)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.timeout(TIME_LIMIT_S))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    saved = {name: os.environ.pop(name) for name in TEST_ONLY_ENV if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)
