"""Numerical gradient checks: backpropagation against central differences.

The check the lecture asks for before trusting any backward pass: perturb one parameter θ_i by
±h and compare the analytic derivative with

    ∂E/∂θ_i ≈ (E(θ + h e_i) − E(θ − h e_i)) / (2h)        (truncation error O(h²))

by the relative error ‖a − b‖ / max(‖a‖, ‖b‖). In float64 with h = 1e-6 a correct gradient
gives ~1e-9 or less; a wrong one gives ~1. Run it on float64 layers: in float32 the round-off of
E itself (~1e-7 · |E|) divided by 2h swamps the difference.

Source: the standard check, e.g. Goodfellow, Bengio & Courville, *Deep Learning* (2016), §11.5
("Debugging strategies", numerical differentiation).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["layer_gradient_errors", "numerical_gradient", "rel_error"]


def numerical_gradient(E: Callable[[], float], a: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """``∂E/∂a`` by central differences, one element of ``a`` at a time.

    ``E`` is called with no argument and must read ``a`` (which is perturbed in place and
    restored after each element). Returns an array of ``a``'s shape and dtype. Costs
    ``2 · a.size`` calls of ``E``.
    """
    g = np.zeros_like(a)
    it = np.nditer(a, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = a[i]
        a[i] = old + h
        e_plus = E()
        a[i] = old - h
        e_minus = E()
        a[i] = old
        g[i] = (e_plus - e_minus) / (2 * h)
    return g


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """``‖a − b‖ / max(‖a‖, ‖b‖)`` (0 when both vanish)."""
    den = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if den == 0 else float(np.linalg.norm(a - b) / den)


def layer_gradient_errors(layer, x, rng: np.random.Generator, h: float = 1e-6) -> dict[str, float]:
    """Relative error of a layer's ``backward`` against central differences, per array.

    The scalar checked is ``E = Σ forward(x) ⋆ R`` for a random ``R`` of the output's shape, so
    ``∂E/∂y = R`` is what ``backward`` receives. ``x`` is an array, or a list of arrays for a
    multi-input layer (``Add``, ``Concatenate``). Returns ``{"x": err}`` (or ``"x0"``, ``"x1"``, …)
    and one entry per parameter name (``"W"``, ``"b"``, ``"gamma"``, …). Use float64 inputs and
    parameters; a layer with randomness (dropout) must be checked with it switched off.
    """
    multi = isinstance(x, list)
    xs = x if multi else [x]
    R = rng.standard_normal(layer.forward(x, training=True).shape)
    dx = layer.backward(R)
    dxs = [d.copy() for d in (dx if multi else [dx])]
    analytic = {name: g.copy() for name, g in layer.grads.items()}

    def E():
        return float((layer.forward(x, training=True) * R).sum())

    errors = {}
    for i, (xi, di) in enumerate(zip(xs, dxs)):
        errors[f"x{i}" if multi else "x"] = rel_error(di, numerical_gradient(E, xi, h))
    for name, p in layer.params.items():
        errors[name] = rel_error(analytic[name], numerical_gradient(E, p, h))
    return errors
