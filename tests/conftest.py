"""Shared fixtures. Tests that need the real MNIST use the normal cache (``make test`` fetches
and verifies it first); everything else builds small synthetic data."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def mnist():
    """The real, verified MNIST (fetched into the cache if missing)."""
    from ann.data import load_mnist

    return load_mnist()
