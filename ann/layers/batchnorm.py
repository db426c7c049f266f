"""Batch normalization (Ioffe & Szegedy 2015) over the last axis (features or channels).

Training, with the batch statistics over every other axis (``m`` values per channel):

    μ = mean(x),  σ² = mean((x − μ)²),  x̂ = (x − μ)/√(σ² + ε),  y = γ x̂ + β,
    running ← momentum·running + (1 − momentum)·batch          (Keras's convention)

Inference uses the running mean and variance instead. Backward (training mode):

    ∂γ = Σ dy ⋆ x̂,   ∂β = Σ dy,
    ∂x = γ / (m √(σ² + ε)) · (m·dy − Σ dy − x̂ ⋆ Σ (dy ⋆ x̂)).
"""

from __future__ import annotations

import numpy as np

from .base import Layer

__all__ = ["BatchNorm"]


class BatchNorm(Layer):
    """Batch normalization of ``channels`` features (the last axis), ``y = γ x̂ + β`` with
    ``x̂ = (x − μ)/√(σ² + ε)`` (module docstring; Ioffe & Szegedy 2015, ICML, alg. 1);
    ``momentum`` and ``eps`` as Keras's ``BatchNormalization``."""

    type = "BatchNorm"

    def __init__(self, channels: int, momentum: float = 0.99, eps: float = 1e-3,
                 dtype=np.float32):
        super().__init__()
        self.params["gamma"] = np.ones(channels, dtype)
        self.params["beta"] = np.zeros(channels, dtype)
        self.state["running_mean"] = np.zeros(channels, dtype)
        self.state["running_var"] = np.ones(channels, dtype)
        self.momentum, self.eps = momentum, eps
        self._ones = None

    def _sum(self, a2):
        """Column sums of a 2-D ``(m, C)`` array as one BLAS product (faster than ``sum``)."""
        ones = self._ones
        if ones is None or ones.shape[0] != a2.shape[0] or ones.dtype != a2.dtype:
            ones = self._ones = np.ones(a2.shape[0], a2.dtype)
        return ones @ a2

    def forward(self, x, training=False):
        """Ioffe & Szegedy (2015), alg. 1, over every axis but the last (``m`` values per
        channel)::

            μ = mean(x),  σ² = mean((x − μ)²),  x̂ = (x − μ)/√(σ² + ε),  y = γ x̂ + β

        in training, updating ``running ← momentum·running + (1 − momentum)·batch``; at
        inference the running mean and variance stand for μ and σ²."""
        c = self.params["gamma"].shape[0]
        if x.shape[-1] != c:
            raise ValueError(f"BatchNorm expects {c} channels on the last axis, got {x.shape}")
        if training:
            x2 = x.reshape(-1, c)
            m = x2.shape[0]
            mu = self._sum(x2) / m
            xc = x2 - mu
            var = self._sum(xc * xc) / m
            inv = (1.0 / np.sqrt(var + self.eps)).astype(x.dtype)
            xc *= inv                                   # x̂, kept for backward
            self.xhat, self.inv = xc, inv
            r = self.momentum
            self.state["running_mean"] *= r
            self.state["running_mean"] += (1 - r) * mu
            self.state["running_var"] *= r
            self.state["running_var"] += (1 - r) * var
            y = xc * self.params["gamma"]
            y += self.params["beta"]
            return y.reshape(x.shape)
        inv = 1.0 / np.sqrt(self.state["running_var"] + self.eps)
        scale = (self.params["gamma"] * inv).astype(x.dtype)
        shift = (self.params["beta"] - self.state["running_mean"] * scale).astype(x.dtype)
        return x * scale + shift

    def backward(self, dy):
        """Training-mode gradients, ``∂γ = Σ dy ⋆ x̂``, ``∂β = Σ dy`` and
        ``∂x = γ / (m √(σ² + ε)) · (m·dy − Σ dy − x̂ ⋆ Σ (dy ⋆ x̂))``."""
        c = dy.shape[-1]
        d2 = dy.reshape(-1, c)
        m = d2.shape[0]
        xhat = self.xhat
        sum_dy = self._sum(d2)
        sum_dy_xhat = self._sum(d2 * xhat)
        self.grads["gamma"] = sum_dy_xhat
        self.grads["beta"] = sum_dy
        k = self.params["gamma"] * self.inv / m
        dx = xhat * sum_dy_xhat                          # k (m·dy − Σdy − x̂ Σ dy x̂)
        dx += sum_dy
        np.subtract(m * d2, dx, out=dx)
        dx *= k
        return dx.reshape(dy.shape)
