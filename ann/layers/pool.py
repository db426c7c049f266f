"""Max and average pooling over ``k×k`` windows (valid padding, stride defaults to ``k``).

Max pooling routes each window's gradient to its first maximum (as TensorFlow does); average
pooling shares it equally among the ``k²`` inputs.
"""

from __future__ import annotations

from ..pooling import avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward
from .base import Layer

__all__ = ["MaxPool2D", "AvgPool2D"]


class MaxPool2D(Layer):
    type = "MaxPool2D"

    def __init__(self, pool_size: int = 2, strides: int | None = None):
        super().__init__()
        self.k, self.s = pool_size, strides or pool_size

    def forward(self, x, training=False):
        y = max_pool2d(x, self.k, self.s)
        if training:
            self.x, self.y = x, y
        return y

    def backward(self, dy):
        return max_pool2d_backward(dy, self.x, self.y, self.k, self.s)


class AvgPool2D(Layer):
    type = "AvgPool2D"

    def __init__(self, pool_size: int = 2, strides: int | None = None):
        super().__init__()
        self.k, self.s = pool_size, strides or pool_size

    def forward(self, x, training=False):
        if training:
            self.x_shape = x.shape
        return avg_pool2d(x, self.k, self.s)

    def backward(self, dy):
        return avg_pool2d_backward(dy, self.x_shape, self.k, self.s)
