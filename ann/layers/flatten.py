"""Flatten ``(N, d1, d2, ...)`` to ``(N, d1·d2·...)`` in C order (as Keras does for NHWC)."""

from __future__ import annotations

from .base import Layer

__all__ = ["Flatten"]


class Flatten(Layer):
    type = "Flatten"

    def forward(self, x, training=False):
        self.x_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy):
        return dy.reshape(self.x_shape)
