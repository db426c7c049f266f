"""Reshape each sample (the batch axis stays), Keras's ``Reshape``: C-order, so
``y = x.reshape(N, *target)`` and ``∂E/∂x = (∂E/∂y).reshape(x.shape)``. One entry of the target
may be ``-1``, inferred from the size.
"""

from __future__ import annotations

import math

import numpy as np

from .base import Layer

__all__ = ["Reshape"]


class Reshape(Layer):
    """``(N, *in_shape) → (N, *target_shape)`` with ``prod(in_shape) = prod(target_shape)``.

    Parameters
    ----------
    target_shape : tuple of positive ints (without the batch axis); at most one ``-1``.

    Raises
    ------
    TypeError
        a target that is not a tuple/list of ints.
    ValueError
        a target entry that is 0 or below ``-1``, more than one ``-1``; in ``forward`` (or
        :meth:`output_shape`), an input whose size does not fit the target (both shapes named).
    """

    type = "Reshape"

    def __init__(self, target_shape):
        super().__init__()
        if not isinstance(target_shape, (tuple, list)) or not all(
                isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in target_shape):
            raise TypeError(f"Reshape: target_shape must be a tuple of ints, got {target_shape!r}")
        target = tuple(int(d) for d in target_shape)
        if not target or any(d == 0 or d < -1 for d in target) or target.count(-1) > 1:
            raise ValueError(f"Reshape: target_shape must hold positive ints and at most one -1, "
                             f"got {target}")
        self.target_shape = target

    def output_shape(self, shape) -> tuple:
        """The target with its ``-1`` resolved, for a per-sample input ``shape``."""
        size, known = math.prod(shape), math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if known == 0 or size % known:
                raise ValueError(f"Reshape: cannot reshape {tuple(shape)} ({size} values) to "
                                 f"{self.target_shape}")
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if size != known:
            raise ValueError(f"Reshape: cannot reshape {tuple(shape)} ({size} values) to "
                             f"{self.target_shape} ({known} values)")
        return self.target_shape

    def forward(self, x, training=False):
        self.x_shape = x.shape
        return x.reshape((x.shape[0],) + self.output_shape(x.shape[1:]))

    def backward(self, dy):
        return dy.reshape(self.x_shape) if self.need_dx else None
