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


def check_layer(layer, x: np.ndarray, rng: np.random.Generator, tol: float = 1e-6) -> None:
    """Check ``dx`` and every ``∂E/∂θ`` of ``layer`` for ``E = Σ forward(x) ⋆ R`` with a random
    ``R`` against central differences (relative error < ``tol``)."""
    y = layer.forward(x, training=True)
    R = rng.standard_normal(y.shape)
    dx = layer.backward(R)
    analytic = {k: g.copy() for k, g in layer.grads.items()}

    def E():
        return float((layer.forward(x, training=True) * R).sum())

    assert rel_error(dx, numerical_gradient(E, x)) < tol
    assert set(analytic) == set(layer.params)
    for k, p in layer.params.items():
        assert rel_error(analytic[k], numerical_gradient(E, p)) < tol, k
