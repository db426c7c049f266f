"""Inverted dropout: in training ``y = x ⋆ m / (1 − p)`` with ``m ~ Bernoulli(1 − p)``, so the
expected activation is unchanged and inference is the identity; ``∂E/∂x = ∂E/∂y ⋆ m / (1 − p)``.

Masks are drawn from the ``rng`` the layer is given (no global state). For gradient checks, set
``fixed_mask`` to a 0/1 array and every training pass uses it.
"""

from __future__ import annotations

import numpy as np

from .base import Layer

__all__ = ["Dropout"]


class Dropout(Layer):
    """Inverted dropout of rate ``p``: in training ``y = x ⋆ m / (1 − p)``,
    ``m ~ Bernoulli(1 − p)``, and ``∂E/∂x = ∂E/∂y ⋆ m / (1 − p)``; the identity at inference
    (Srivastava et al. 2014, JMLR 15:1929; the inverted form as Keras)."""

    type = "Dropout"

    def __init__(self, rate: float, rng: np.random.Generator):
        super().__init__()
        self.rate, self.rng = float(rate), rng
        self.fixed_mask: np.ndarray | None = None
        self.scale = None

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self.scale = None
            return x
        keep = 1.0 - self.rate
        if self.fixed_mask is not None:
            m = np.asarray(self.fixed_mask, dtype=x.dtype)
        else:
            m = (self.rng.random(x.shape, dtype=np.float32) >= self.rate).astype(x.dtype)
        self.scale = m * x.dtype.type(1.0 / keep)
        return x * self.scale

    def backward(self, dy):
        return dy if self.scale is None else dy * self.scale
