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
    type = "BatchNorm"

    def __init__(self, channels: int, momentum: float = 0.99, eps: float = 1e-3,
                 dtype=np.float32):
        super().__init__()
        self.params["gamma"] = np.ones(channels, dtype)
        self.params["beta"] = np.zeros(channels, dtype)
        self.state["running_mean"] = np.zeros(channels, dtype)
        self.state["running_var"] = np.ones(channels, dtype)
        self.momentum, self.eps = momentum, eps

    def forward(self, x, training=False):
        c = self.params["gamma"].shape[0]
        if x.shape[-1] != c:
            raise ValueError(f"BatchNorm expects {c} channels on the last axis, got {x.shape}")
        axes = tuple(range(x.ndim - 1))
        if training:
            mu = x.mean(axis=axes)
            xc = x - mu
            var = (xc * xc).mean(axis=axes)
            inv = 1.0 / np.sqrt(var + self.eps)
            self.xhat, self.inv = xc * inv, inv.astype(x.dtype)
            m = self.momentum
            self.state["running_mean"] *= m
            self.state["running_mean"] += (1 - m) * mu
            self.state["running_var"] *= m
            self.state["running_var"] += (1 - m) * var
            return self.xhat * self.params["gamma"] + self.params["beta"]
        inv = 1.0 / np.sqrt(self.state["running_var"] + self.eps)
        scale = (self.params["gamma"] * inv).astype(x.dtype)
        shift = (self.params["beta"] - self.state["running_mean"] * scale).astype(x.dtype)
        return x * scale + shift

    def backward(self, dy):
        axes = tuple(range(dy.ndim - 1))
        m = dy.size // dy.shape[-1]
        xhat = self.xhat
        sum_dy = dy.sum(axis=axes)
        sum_dy_xhat = (dy * xhat).sum(axis=axes)
        self.grads["gamma"] = sum_dy_xhat
        self.grads["beta"] = sum_dy
        k = self.params["gamma"] * self.inv / m
        return k * (m * dy - sum_dy - xhat * sum_dy_xhat)
