"""The gradient-check assertion shared by the layer tests, on top of :mod:`ann.gradcheck`."""

from __future__ import annotations

import numpy as np

from ann.gradcheck import layer_gradient_errors


def check_layer(layer, x, rng: np.random.Generator, tol: float = 1e-6) -> None:
    """Check ``dx`` and every ``∂E/∂θ`` of ``layer`` for ``E = Σ forward(x) ⋆ R`` with a random
    ``R`` against central differences (relative error < ``tol``).

    ``x`` is an array, or a list of arrays for a multi-input layer (``n_inputs = None``), whose
    ``backward`` must then return one gradient per input, each its own array of its shape."""
    multi = isinstance(x, list)
    assert multi == (getattr(layer, "n_inputs", 1) is None), "x must be a list iff multi-input"
    xs = x if multi else [x]
    dx = layer.backward(np.ones(layer.forward(x, training=True).shape))
    dxs = list(dx) if multi else [dx]
    assert len(dxs) == len(xs)
    assert len({id(d) for d in dxs}) == len(dxs), "a gradient array is returned twice"
    assert [d.shape for d in dxs] == [xi.shape for xi in xs]
    assert set(layer.grads) == set(layer.params)
    errors = layer_gradient_errors(layer, x, rng)
    assert max(errors.values()) < tol, errors
