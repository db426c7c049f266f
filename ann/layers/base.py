"""The layer protocol: ``forward`` and ``backward`` side by side, parameters and their gradients.

A layer maps ``x`` to ``y = forward(x, training)`` and, after a forward pass in training mode,
``backward(dy)`` turns ``dy = ∂E/∂y`` into ``dx = ∂E/∂x`` and stores ``∂E/∂θ`` for each
trainable parameter ``θ`` in ``grads`` (same keys as ``params``). Non-trainable arrays (BatchNorm's
running statistics) live in ``state``. ``get_weights``/``set_weights`` use the
:mod:`ann.spec` layout: one dict holding both.

``need_dx = False`` (set by the network up to its first trained layer) lets ``backward`` skip
``dx`` and return ``None``.

**Multi-input layers** (merges: :class:`~ann.layers.merge.Add`,
:class:`~ann.layers.merge.Concatenate`) mark themselves with ``n_inputs = None`` ("any number,
at least 2"); ordinary layers have ``n_inputs = 1``. A multi-input layer's
``forward(xs, training)`` takes a *list* of arrays ``[x_1, …, x_k]`` and its ``backward(dy)``
returns a *list* ``[∂E/∂x_1, …, ∂E/∂x_k]``, one gradient per input, in the same order (or
``None`` when ``need_dx`` is false). No two of them share memory (one may be ``dy`` itself or
a view of it), so a graph may accumulate into them in place where a tensor feeds several
layers. A graph runner dispatches on ``n_inputs``: one input array, or the list of its inputs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

__all__ = ["Layer"]


class Layer(ABC):
    """Abstract base: subclasses define ``forward`` and ``backward``."""

    type = "Layer"
    #: inputs of ``forward``: 1 (an array), or ``None`` for a list of ≥ 2 arrays (module docstring)
    n_inputs: int | None = 1

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}
        self.need_dx = True

    @abstractmethod
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """``y`` for input ``x``; in training mode, keep what ``backward`` needs."""

    @abstractmethod
    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        """``∂E/∂x`` from ``∂E/∂y`` (``None`` when ``need_dx`` is false); fills ``grads``."""

    def get_weights(self) -> dict[str, np.ndarray]:
        return {k: v.copy() for k, v in {**self.params, **self.state}.items()}

    def set_weights(self, weights: dict[str, np.ndarray], where: str = "layer") -> None:
        """Copy ``weights`` in; ``ValueError`` naming ``where`` on missing/extra keys or wrong
        shapes or non-finite values."""
        own = {**self.params, **self.state}
        if set(weights) != set(own):
            raise ValueError(f"{where} ({self.type}): expected weights {sorted(own)}, "
                             f"got {sorted(weights)}")
        for k, v in weights.items():
            v = np.asarray(v)
            if v.shape != own[k].shape:
                raise ValueError(f"{where} ({self.type}): {k} has shape {v.shape}, "
                                 f"expected {own[k].shape}")
            if not np.issubdtype(v.dtype, np.number) or not np.all(np.isfinite(v)):
                raise ValueError(f"{where} ({self.type}): {k} holds non-finite or non-numeric "
                                 f"values")
        for k, v in weights.items():
            own[k][...] = v

    def astype(self, dtype) -> None:
        """Convert parameters and state to ``dtype`` in place (used by the network)."""
        for d in (self.params, self.state):
            for k in d:
                d[k] = d[k].astype(dtype)
