"""Activation layers ``y = h(u)``; ``∂E/∂u = h'(u) ⋆ ∂E/∂y`` (see :mod:`ann.functional`).

``Activation(name)`` applies a named ``h`` (``relu6`` included); ``ReLU(max_value=m)`` is
Keras's ``ReLU`` layer, the clipped ReLU ``h(u) = min(max(0, u), m)`` with
``h'(u) = [0 < u < m]`` (0 at both kinks, as ``tf.nn.relu6``); ``max_value=None`` is the plain
ReLU.
"""

from __future__ import annotations

import numpy as np

from ..functional import (activation_backward, activation_forward, check_max_value,
                          clipped_relu, clipped_relu_backward)
from .base import Layer

__all__ = ["Activation", "ReLU"]


class Activation(Layer):
    """Element-wise ``h`` (or softmax over the last axis) for ``name`` in
    :data:`ann.functional.ACTIVATIONS` (``linear, sigmoid, tanh, relu, relu6, softmax``)."""

    type = "Activation"

    def __init__(self, name: str):
        super().__init__()
        activation_forward(name, np.zeros(1))  # ValueError on unknown names
        self.name = name
        self.y = None

    def forward(self, u, training=False, inplace=False):
        y = activation_forward(self.name, u, inplace)
        if training:
            self.y = y
        return y

    def backward(self, dy):
        return activation_backward(self.name, dy, self.y)


class ReLU(Layer):
    """``y = min(max(0, u), m)`` for ``max_value = m`` (``None``: ``y = max(0, u)``); any
    shape, no weights.

    Raises
    ------
    TypeError
        ``max_value`` is not a real number (or ``None``).
    ValueError
        ``max_value`` is ``≤ 0``, NaN or infinite.
    """

    type = "ReLU"

    def __init__(self, max_value: float | None = None):
        super().__init__()
        self.max_value = None if max_value is None else check_max_value(max_value)
        self.y = None

    def forward(self, u, training=False, inplace=False):
        m = self.max_value
        y = activation_forward("relu", u, inplace) if m is None else clipped_relu(u, m, inplace)
        if training:
            self.y = y
        return y

    def backward(self, dy):
        m = self.max_value
        return activation_backward("relu", dy, self.y) if m is None else \
            clipped_relu_backward(dy, self.y, m)
