"""pytest settings for the tutorial notebooks.

``make test`` (and a plain ``pytest``) runs each ``notebooks/NN_*.ipynb`` top to bottom with
nbmake (``--nbmake`` in pyproject's ``addopts``): a cell that raises, or an ``assert`` in a cell
that fails, fails that notebook's test. Each notebook gets :data:`TIME_LIMIT_S` for the whole run
(pytest-timeout); each one runs in about a minute on an idle 2-core machine, and the limit leaves
room for a cold Brian2 compile cache and for the rest of the suite running beside it.
"""

from __future__ import annotations

import pytest

TIME_LIMIT_S = 480


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.timeout(TIME_LIMIT_S))
