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


def check_layer(layer, x, rng: np.random.Generator, tol: float = 1e-6) -> None:
    """Check ``dx`` and every ``∂E/∂θ`` of ``layer`` for ``E = Σ forward(x) ⋆ R`` with a random
    ``R`` against central differences (relative error < ``tol``).

    ``x`` is an array, or a list of arrays for a multi-input layer (``n_inputs = None``), whose
    ``backward`` must then return one gradient per input, each its own array."""
    multi = isinstance(x, list)
    assert multi == (getattr(layer, "n_inputs", 1) is None), "x must be a list iff multi-input"
    xs = x if multi else [x]
    y = layer.forward(x, training=True)
    R = rng.standard_normal(y.shape)
    dx = layer.backward(R)
    dxs = list(dx) if multi else [dx]
    assert len(dxs) == len(xs)
    assert len({id(d) for d in dxs}) == len(dxs), "a gradient array is returned twice"
    dxs = [d.copy() for d in dxs]
    analytic = {k: g.copy() for k, g in layer.grads.items()}

    def E():
        return float((layer.forward(x, training=True) * R).sum())

    for i, (xi, di) in enumerate(zip(xs, dxs)):
        assert di.shape == xi.shape, (i, di.shape, xi.shape)
        assert rel_error(di, numerical_gradient(E, xi)) < tol, f"input {i}"
    assert set(analytic) == set(layer.params)
    for k, p in layer.params.items():
        assert rel_error(analytic[k], numerical_gradient(E, p)) < tol, k
