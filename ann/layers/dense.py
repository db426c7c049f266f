"""Fully connected layer: ``u = x W + b``, ``y = h(u)``.

Rows are samples, so this is the lecture's ``u = Wᵀx`` for a column ``x``. With
``δ = ∂E/∂u = h'(u) ⋆ ∂E/∂y`` the δ-rule gives

    ∂E/∂W = xᵀ δ,     ∂E/∂b = Σ_n δ_n,     ∂E/∂x = δ Wᵀ.
"""

from __future__ import annotations

import numpy as np

from .activation import Activation
from .base import Layer

__all__ = ["Dense"]


class Dense(Layer):
    """``W (n_in, n_out)``, ``b (n_out,)`` (if ``use_bias``), optional fused activation."""

    type = "Dense"

    def __init__(self, W: np.ndarray, b: np.ndarray | None = None, activation: str = "linear"):
        super().__init__()
        self.params["W"] = W
        if b is not None:
            self.params["b"] = b
        self.activation = None if activation == "linear" else Activation(activation)

    def forward(self, x, training=False, activate=True):
        if x.ndim != 2 or x.shape[1] != self.params["W"].shape[0]:
            raise ValueError(f"Dense expects inputs (N, {self.params['W'].shape[0]}), "
                             f"got {x.shape}")
        if training:
            self.x = x
        u = x @ self.params["W"]
        if "b" in self.params:
            u += self.params["b"]
        self._activated = activate and self.activation is not None
        return self.activation.forward(u, training, inplace=True) if self._activated else u

    def backward(self, dy):
        delta = self.activation.backward(dy) if self._activated else dy
        self.grads["W"] = self.x.T @ delta
        if "b" in self.params:
            self.grads["b"] = delta.sum(axis=0)
        return delta @ self.params["W"].T if self.need_dx else None
