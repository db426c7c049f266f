"""Max and average pooling over ``kh×kw`` windows (valid padding, stride defaults to the window).

``pool_size`` and ``strides`` are ints (square) or pairs ``(kh, kw)``, ``(s_h, s_w)``, as in
Keras's ``MaxPooling2D``/``AveragePooling2D``. Max pooling routes each window's gradient to its
first maximum (as TensorFlow does); average pooling shares it equally among the ``kh·kw``
inputs. ``(N, H, W, C) → (N, ⌊(H − kh)/s_h⌋ + 1, ⌊(W − kw)/s_w⌋ + 1, C)``.

``k`` and ``s`` hold the window and stride as given when square (an int, as the fused
convolution stage of :func:`ann.network.fuse_conv_pool` expects), as pairs otherwise.
Construction raises ``TypeError`` for a size or stride that is not an int or a pair of ints and
``ValueError`` for one that is not positive; ``forward`` raises ``ValueError`` for an input
smaller than the window.
"""

from __future__ import annotations

from ..convolution import pair
from ..pooling import avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward
from .base import Layer

__all__ = ["MaxPool2D", "AvgPool2D"]


def _size_and_stride(pool_size, strides) -> tuple:
    """``(k, s)``: ints when square, pairs otherwise (module docstring)."""
    k = pair(pool_size, "pool_size")
    s = pair(pool_size if strides is None else strides, "strides")
    return tuple(v[0] if v[0] == v[1] else v for v in (k, s))


class _Pool2D(Layer):
    """What both poolings share: the window ``k`` and stride ``s`` (module docstring)."""

    def __init__(self, pool_size=2, strides=None):
        super().__init__()
        self.k, self.s = _size_and_stride(pool_size, strides)


class MaxPool2D(_Pool2D):
    type = "MaxPool2D"

    def forward(self, x, training=False):
        y = max_pool2d(x, self.k, self.s)
        if training:
            self.x, self.y = x, y
        return y

    def backward(self, dy):
        return max_pool2d_backward(dy, self.x, self.y, self.k, self.s)


class AvgPool2D(_Pool2D):
    type = "AvgPool2D"

    def forward(self, x, training=False):
        if training:
            self.x_shape = x.shape
        return avg_pool2d(x, self.k, self.s)

    def backward(self, dy):
        return avg_pool2d_backward(dy, self.x_shape, self.k, self.s)
