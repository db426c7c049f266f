"""The converted network: an ordered list of operations on a batch, shared by the ANN view and
the spiking simulator.

* :class:`Synaptic` — ``u = W·s + b`` (``Dense``: ``s @ W + b``; ``Conv2D``: cross-correlation,
  NHWC, im2col and one matrix product). With ``spiking=True`` IF neurons follow it (the
  ANN view applies ReLU); the output layer may instead be read out by its potential.
* :class:`Pool` — ``"max"`` or ``"avg"`` over ``size×size`` windows (valid padding).
* :class:`Flatten` — ``(B, H, W, C) → (B, H·W·C)`` (NHWC order, as Keras and :mod:`ann`).

:func:`ann_forward` runs the list as the rectified-linear network it came from; the converter
uses it to collect activations and to check that folding and scaling keep the function.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ann.functional import avg_pool2d, im2col, max_pool2d

from .params import SNNParams

__all__ = ["Synaptic", "Pool", "Flatten", "SpikingNetwork", "ann_forward"]


@dataclass(frozen=True)
class Synaptic:
    """Weights ``W`` (Dense ``(n_in, n_out)`` / Conv2D ``(kh, kw, C_in, C_out)``), bias ``b``."""

    kind: str                      # "dense" or "conv"
    W: np.ndarray
    b: np.ndarray
    stride: int = 1
    padding: object = "valid"
    spiking: bool = True           # IF neurons (ReLU in the ANN view) follow
    name: str = ""

    def current(self, s: np.ndarray, work: dict | None = None, matmul=np.matmul,
                out: np.ndarray | None = None) -> np.ndarray:
        """``W·s + b`` for a batch ``s``. ``work`` (optional, per layer) keeps the im2col buffer
        of a convolution between calls, so repeated calls on same-sized batches allocate less;
        ``matmul(a, b, out=None)`` is the matrix product (BLAS by default; see
        :mod:`bridge.plan`); ``out`` (optional) receives the result."""
        if self.kind == "dense":
            u = matmul(s, self.W, out=out)
            u += self.b
            return u
        kh, kw, _, cout = self.W.shape
        buf = None if work is None else work.get("cols")
        cols, (ho, wo) = im2col(s, kh, kw, self.stride, self.padding, out=buf)
        if work is not None:
            work["cols"] = cols
        u = matmul(cols, self.W.reshape(-1, cout),
                   out=None if out is None else out.reshape(-1, cout))
        u += self.b
        return u.reshape(s.shape[0], ho, wo, cout)

    def macs(self, in_shape: tuple, out_shape: tuple) -> int:
        """Multiply-accumulates per sample of the ANN layer."""
        if self.kind == "dense":
            return int(self.W.size)
        kh, kw, cin, cout = self.W.shape
        return int(np.prod(out_shape[:-1])) * kh * kw * cin * cout

    def with_weights(self, W, b) -> "Synaptic":
        return replace(self, W=np.ascontiguousarray(W, np.float32),
                       b=np.ascontiguousarray(b, np.float32))


@dataclass(frozen=True)
class Pool:
    kind: str                      # "max" or "avg"
    size: int = 2
    stride: int | None = None

    def ann(self, x: np.ndarray) -> np.ndarray:
        if self.kind == "max":
            return max_pool2d(x, self.size, self.stride)
        return avg_pool2d(x, self.size, self.stride)


@dataclass(frozen=True)
class Flatten:
    def ann(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(x.shape[0], -1)


@dataclass
class SpikingNetwork:
    """A converted network: ``ops`` in order, the ``input_shape`` (without batch axis), the
    normalisation factors ``lambdas`` (one per :class:`Synaptic`, a scalar or one per output
    channel) and the parameters ``params`` (:class:`~bridge.params.SNNParams`: threshold,
    initial potential, reset, readout, max pooling, normalisation)."""

    ops: list
    input_shape: tuple
    lambdas: list = field(default_factory=list)
    params: SNNParams = field(default_factory=SNNParams)

    def __post_init__(self):
        if not isinstance(self.params, SNNParams):
            raise TypeError(f"params must be a bridge.params.SNNParams, got "
                            f"{type(self.params).__name__}")

    @property
    def synaptic(self) -> list[Synaptic]:
        return [op for op in self.ops if isinstance(op, Synaptic)]

    def shapes(self) -> list[tuple]:
        """Output shape (without batch axis) of every op, from a zero probe."""
        x = np.zeros((1,) + tuple(self.input_shape), np.float32)
        out = []
        for op in self.ops:
            x = op.current(x) if isinstance(op, Synaptic) else op.ann(x)
            out.append(x.shape[1:])
        return out


def ann_forward(ops: list, x: np.ndarray, collect: bool = False,
                first_current: np.ndarray | None = None):
    """Run ``ops`` as a ReLU network on ``x (B, *input_shape)`` float32.

    Returns the output (the last layer's ``u``, before any softmax, never rectified) and, if
    ``collect``, the list of activations after every :class:`Synaptic` (ReLU applied to the
    hidden ones). ``first_current`` — the first weight layer's ``u`` for ``x``, if already
    computed (the simulator's constant input current): the operations up to it are skipped.
    """
    acts = []
    syn = [i for i, op in enumerate(ops) if isinstance(op, Synaptic)]
    begin = 0 if first_current is None else syn[0]
    for i in range(begin, len(ops)):
        op = ops[i]
        if isinstance(op, Synaptic):
            x = first_current.copy() if i == begin and first_current is not None \
                else op.current(x)
            if i != syn[-1]:
                np.maximum(x, 0, out=x)
            if collect:
                acts.append(x)
        else:
            x = op.ann(x)
    return (x, acts) if collect else x
