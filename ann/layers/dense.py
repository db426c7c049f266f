"""Fully connected layer: ``u = x W + b``, ``y = h(u)``.

Rows are samples, so this is the lecture's ``u = Wᵀx`` for a column ``x``. With
``δ = ∂E/∂u = h'(u) ⋆ ∂E/∂y`` the δ rule (the lecture's eq. 10, :meth:`Dense.backward`) gives

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
        """The lecture's layer ``x^(l+1) = h(W^(l)ᵀ x^(l) + b^(l))``; rows are samples, so
        ``u = x W + b`` and ``y = h(u)`` for ``x (N, n_in)`` (``activate=False``: ``u``)."""
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
        """The δ rule, the lecture's eq. 10, for this layer::

            δ^(l) = h'(u^(l)) ⋆ (W^(l) δ^(l+1)),      ∂E/∂W^(l) = x^(l) (δ^(l+1))ᵀ

        This layer's ``u = x W + b`` is the lecture's u^(l+1) and ``delta = h'(u) ⋆ ∂E/∂y`` its
        δ^(l+1) (``dy`` = ∂E/∂y, what the layer above returned). Rows are samples, so the
        lecture's column products become ``∂E/∂W = xᵀ delta`` and ``∂E/∂b = Σ_n delta_n``
        (summed over the batch), and the returned ``∂E/∂x = delta Wᵀ`` is ``W^(l) δ^(l+1)``:
        the layer below multiplies it by its own ``h'(u^(l))`` (a fused activation or an
        :class:`~ann.layers.activation.Activation` layer) to complete δ^(l).

        Parameters
        ----------
        dy : ``(N, n_out)``, ∂E/∂y for this layer's output ``y = h(u)``.

        Returns
        -------
        ``(N, n_in)`` ∂E/∂x, or ``None`` when no layer below needs it (``need_dx`` false).
        """
        delta = self.activation.backward(dy) if self._activated else dy  # δ = h'(u) ⋆ ∂E/∂y
        x, W = self.x, self.params["W"]
        self.grads["W"] = x.T @ delta                    # ∂E/∂W^(l) = x^(l) (δ^(l+1))ᵀ
        if "b" in self.params:
            self.grads["b"] = delta.sum(axis=0)          # ∂E/∂b = Σ_n δ_n
        return delta @ W.T if self.need_dx else None     # W^(l) δ^(l+1), for δ^(l) below
