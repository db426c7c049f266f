"""Merge layers: several inputs, one output (the multi-input convention of :mod:`ann.layers.base`:
``forward`` takes a list ``[x_1, …, x_k]``, ``backward`` returns a list of ``k`` gradients).

* ``Add`` (a residual connection): ``y = Σ_i x_i``, so ``∂E/∂x_i = ∂E/∂y`` for every ``i``.
* ``Concatenate`` along the channel (last) axis: ``y = [x_1 | x_2 | … | x_k]`` with
  ``C = Σ_i C_i`` channels, so ``∂E/∂x_i`` is the block of ``∂E/∂y`` holding channels
  ``C_1 + … + C_{i−1}`` up to (excluding) ``C_1 + … + C_i``.

Both are Keras's ``Add`` and ``Concatenate(axis=-1)``; they have no weights.
"""

from __future__ import annotations

import numpy as np

from .base import Layer

__all__ = ["Add", "Concatenate"]


def _check_list(xs, what: str) -> None:
    """``TypeError`` unless ``xs`` is a list/tuple of ≥ 2 arrays."""
    if not isinstance(xs, (list, tuple)):
        raise TypeError(f"{what} takes a list of input arrays, got {type(xs).__name__}")
    if len(xs) < 2:
        raise ValueError(f"{what} needs at least 2 inputs, got {len(xs)}")
    for i, x in enumerate(xs):
        if not isinstance(x, np.ndarray):
            raise TypeError(f"{what}: input {i} is a {type(x).__name__}, not a numpy array")


def _shape_list(shapes, what: str) -> list[tuple]:
    """``shapes`` as a list of tuples; ``ValueError`` for fewer than 2."""
    shapes = [tuple(s) for s in shapes]
    if len(shapes) < 2:
        raise ValueError(f"{what} needs at least 2 inputs, got {len(shapes)}")
    return shapes


class _Merge(Layer):
    """What ``Add`` and ``Concatenate`` share: ``k ≥ 2`` inputs, checked by :meth:`_check`."""

    n_inputs = None

    def _check(self, xs) -> None:
        """``TypeError``/``ValueError`` unless ``xs`` is a list of ≥ 2 arrays whose shapes
        merge (:meth:`output_shape`)."""
        _check_list(xs, self.type)
        self.output_shape([x.shape for x in xs])


class Add(_Merge):
    """Element-wise sum ``y = x_1 + … + x_k`` of ``k ≥ 2`` inputs of one shape.

    ``forward(xs)``: ``xs`` a list of ``k`` arrays, each ``(N, …)`` of the same shape; returns
    that shape. ``backward(dy)`` returns ``[dy, copy of dy, …]`` (``k`` arrays).

    Raises
    ------
    TypeError
        ``xs`` is not a list of numpy arrays.
    ValueError
        fewer than 2 inputs, or shapes that differ (all shapes are named).
    """

    type = "Add"

    @staticmethod
    def output_shape(shapes) -> tuple:
        """The output shape for input ``shapes`` (with or without the batch axis)."""
        shapes = _shape_list(shapes, "Add")
        if any(s != shapes[0] for s in shapes):
            raise ValueError(f"Add: inputs have different shapes {shapes}")
        return shapes[0]

    def forward(self, xs, training=False):
        self._check(xs)
        self.k = len(xs)
        y = xs[0] + xs[1]
        for x in xs[2:]:
            y += x
        return y

    def backward(self, dy):
        if not self.need_dx:
            return None
        return [dy] + [dy.copy() for _ in range(self.k - 1)]  # ∂E/∂x_i = ∂E/∂y


class Concatenate(_Merge):
    """``y = [x_1 | … | x_k]`` along the last (channel) axis, ``k ≥ 2``.

    ``forward(xs)``: ``xs`` a list of arrays ``(N, …, C_i)`` that agree on every axis but the
    last; returns ``(N, …, Σ C_i)``. ``backward(dy)`` returns the ``k`` channel blocks of ``dy``
    (contiguous copies).

    Raises
    ------
    TypeError
        ``xs`` is not a list of numpy arrays.
    ValueError
        fewer than 2 inputs, or shapes that differ on an axis other than the last (all shapes
        are named).
    """

    type = "Concatenate"

    @staticmethod
    def output_shape(shapes) -> tuple:
        """The output shape for input ``shapes`` (with or without the batch axis)."""
        shapes = _shape_list(shapes, "Concatenate")
        if any(len(s) == 0 or s[:-1] != shapes[0][:-1] for s in shapes):
            raise ValueError(f"Concatenate: inputs {shapes} differ on an axis other than the "
                             f"last (channels)")
        return shapes[0][:-1] + (sum(s[-1] for s in shapes),)

    def forward(self, xs, training=False):
        self._check(xs)
        self.ends = np.cumsum([x.shape[-1] for x in xs])[:-1]  # C_1, C_1 + C_2, …
        return np.concatenate(xs, axis=-1)

    def backward(self, dy):
        if not self.need_dx:
            return None
        return [np.ascontiguousarray(d) for d in np.split(dy, self.ends, axis=-1)]
