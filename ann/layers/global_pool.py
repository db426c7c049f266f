"""Global average pooling, Keras's ``GlobalAveragePooling2D`` (channels last, no ``keepdims``):

    y[n, c] = (1/(H·W)) Σ_{i,j} x[n, i, j, c],      ∂E/∂x[n, i, j, c] = ∂E/∂y[n, c] / (H·W).
"""

from __future__ import annotations

from ..pooling import global_avg_pool2d, global_avg_pool2d_backward
from .base import Layer

__all__ = ["GlobalAveragePooling2D"]


class GlobalAveragePooling2D(Layer):
    """``(N, H, W, C) → (N, C)``, the mean of each channel over all pixels; no weights.

    Raises
    ------
    ValueError
        an input that is not 4-D ``(N, H, W, C)`` (its shape is named).
    """

    type = "GlobalAveragePooling2D"

    @staticmethod
    def output_shape(shape) -> tuple:
        """``(C,)`` for a per-sample input shape ``(H, W, C)``."""
        if len(shape) != 3:
            raise ValueError(f"GlobalAveragePooling2D expects inputs (H, W, C), got {tuple(shape)}")
        return (shape[2],)

    def forward(self, x, training=False):
        if training:
            self.x_shape = x.shape
        return global_avg_pool2d(x)

    def backward(self, dy):
        return global_avg_pool2d_backward(dy, self.x_shape) if self.need_dx else None
