"""Activation layer ``y = h(u)``; ``∂E/∂u = h'(u) ⋆ ∂E/∂y`` (see :mod:`ann.functional`)."""

from __future__ import annotations

import numpy as np

from ..functional import activation_backward, activation_forward
from .base import Layer

__all__ = ["Activation"]


class Activation(Layer):
    """Element-wise ``h`` (or softmax over the last axis) for ``name`` in
    ``linear, sigmoid, tanh, relu, softmax``."""

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
