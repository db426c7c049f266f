"""Central differences in float64, shared by the gradient-check tests."""

from __future__ import annotations

import numpy as np


def numerical_gradient(f, a: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """``∂f/∂a`` by central differences, perturbing ``a`` in place (restored afterwards)."""
    g = np.zeros_like(a)
    it = np.nditer(a, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = a[i]
        a[i] = old + h
        fp = f()
        a[i] = old - h
        fm = f()
        a[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """``‖a − b‖ / max(‖a‖, ‖b‖)`` (0 when both vanish)."""
    den = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if den == 0 else float(np.linalg.norm(a - b) / den)
