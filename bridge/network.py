"""The converted network: operations on a batch in topological order, each naming the ones it
reads (a chain or a directed acyclic graph), shared by the ANN view and the spiking simulators.

* :class:`Synaptic` — ``u = W·s + b`` (``Dense``: ``s @ W + b``; ``Conv2D``: cross-correlation,
  NHWC, im2col and one matrix product; ``depthwise``: each input channel ``c`` with its own
  ``M`` kernels, output channel ``c·M + m``). With ``spiking=True`` IF neurons follow it (the
  ANN view applies ReLU); otherwise ``u`` is a current — read by an :class:`Add`, or the
  output layer's potential readout.
* :class:`Add` — IF neurons (ReLU in the ANN view) driven by the sum of their inputs:
  currents, and spike trains weighted per channel (a residual shortcut), plus a bias.
* :class:`Concat` — spike trains side by side along the channel axis.
* :class:`Pool` — ``"max"`` or ``"avg"`` over ``size×size`` windows (valid padding), or
  ``"global"`` average over all pixels ``(B, H, W, C) → (B, C)``.
* :class:`Flatten` — ``(B, H, W, C) → (B, H·W·C)`` (NHWC order, as Keras and :mod:`ann`).

Every operation has ``inputs``: the indices of the operations it reads, ``-1`` for the network's
input; left empty, it reads the operation before it (so a chain is written as a plain list).
:func:`ann_forward` runs the operations as the rectified-linear network they came from; the
converter uses it to collect activations and to check that folding and scaling keep the function.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ann.convolution import depthwise_conv2d
from ann.functional import avg_pool2d, im2col, max_pool2d
from ann.pooling import global_avg_pool2d

from .params import SNNParams

__all__ = ["Synaptic", "Add", "Concat", "Pool", "Flatten", "SpikingNetwork", "ann_forward",
           "apply", "resolve_inputs", "NEURONS"]


@dataclass(frozen=True)
class Synaptic:
    """Weights ``W`` (Dense ``(n_in, n_out)``; Conv2D ``(kh, kw, C_in, C_out)``; depthwise
    ``(kh, kw, C, M)``), bias ``b``."""

    kind: str                      # "dense", "conv" or "depthwise"
    W: np.ndarray
    b: np.ndarray
    stride: int = 1
    padding: object = "valid"
    spiking: bool = True           # IF neurons (ReLU in the ANN view) follow
    name: str = ""
    inputs: tuple = ()
    cap: float | None = None       # the ANN view clips at cap (a clipped ReLU; 1 once normalised)

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
        if self.kind == "depthwise":   # per-tap products in a fixed order: exact in any batch
            u = depthwise_conv2d(s, self.W, self.b, self.stride, self.padding)
            if out is not None:
                out[...] = u
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
        if self.kind == "depthwise":   # one kernel per output channel, over one input channel
            return int(np.prod(out_shape)) * kh * kw
        return int(np.prod(out_shape[:-1])) * kh * kw * cin * cout

    def per_output(self, v: np.ndarray) -> np.ndarray:
        """``v`` (one value per output channel) shaped to multiply ``W`` channel by channel: as
        it is for Dense and Conv2D (last axis); ``(C, M)`` for a depthwise kernel, whose output
        channel ``c·M + m`` sits at ``W[..., c, m]``."""
        return v.reshape(self.W.shape[2:]) if self.kind == "depthwise" else v

    def with_weights(self, W, b) -> "Synaptic":
        return replace(self, W=np.ascontiguousarray(W, np.float32),
                       b=np.ascontiguousarray(b, np.float32))


@dataclass(frozen=True)
class Add:
    """IF neurons driven by ``Σ_k g_k ⋆ x_k + b``: ``x_k`` is a current (``gains[k]`` is
    ``None``) or a spike train weighted per channel by ``gains[k] (C,)`` (a residual shortcut,
    ``λ_in/λ_out`` after normalisation); ``b (C,)``. ``spiking=False``: the sum is the output
    layer's potential readout."""

    inputs: tuple
    gains: tuple
    b: np.ndarray
    spiking: bool = True
    name: str = ""
    cap: float | None = None

    def current(self, xs: list) -> np.ndarray:
        u = None
        for x, g in zip(xs, self.gains):
            term = x if g is None else x * g
            u = term.copy() if u is None else u + term   # in order: exact in any batch
        u += self.b
        return u


@dataclass(frozen=True)
class Concat:
    """Spike trains (or, in the ANN view, activations) side by side on the channel axis."""

    inputs: tuple
    name: str = ""

    def ann(self, xs: list) -> np.ndarray:
        return np.concatenate(xs, axis=-1)


@dataclass(frozen=True)
class Pool:
    kind: str                      # "max", "avg" or "global" (average over all pixels)
    size: int = 2
    stride: int | None = None
    inputs: tuple = ()

    def ann(self, x: np.ndarray) -> np.ndarray:
        if self.kind == "max":
            return max_pool2d(x, self.size, self.stride)
        if self.kind == "global":
            return global_avg_pool2d(x)
        return avg_pool2d(x, self.size, self.stride)


@dataclass(frozen=True)
class Flatten:
    inputs: tuple = ()

    def ann(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(x.shape[0], -1)


#: operations followed by IF neurons when spiking (the others only move spikes)
NEURONS = (Synaptic, Add)




@dataclass
class SpikingNetwork:
    """A converted network: ``ops`` in a topological order (their ``inputs`` resolved on
    construction: an empty ``inputs`` reads the previous operation), the ``input_shape`` (without
    batch axis), the normalisation factors ``lambdas`` (one per neuron operation —
    :class:`Synaptic` or :class:`Add` — a scalar or one per output channel) and the parameters
    ``params`` (:class:`~bridge.params.SNNParams`: threshold, initial potential, reset, readout,
    max pooling, normalisation).

    ``ValueError`` (one line, naming the operation) for an input that is not an earlier
    operation, and for a last operation that is not a :class:`Synaptic` or :class:`Add` (the
    readout)."""

    ops: list
    input_shape: tuple
    lambdas: list = field(default_factory=list)
    params: SNNParams = field(default_factory=SNNParams)

    def __post_init__(self):
        if not isinstance(self.params, SNNParams):
            raise TypeError(f"params must be a bridge.params.SNNParams, got "
                            f"{type(self.params).__name__}")
        self.ops = resolve_inputs(self.ops)
        if self.ops and not isinstance(self.ops[-1], NEURONS):
            raise ValueError("the network must end with a Synaptic or Add operation (the readout)")

    @property
    def synaptic(self) -> list[Synaptic]:
        return [op for op in self.ops if isinstance(op, Synaptic)]

    @property
    def is_chain(self) -> bool:
        return all(op.inputs == (i - 1,) for i, op in enumerate(self.ops))

    def shapes(self) -> list[tuple]:
        """Output shape (without batch axis) of every op, from a zero probe."""
        vals = {-1: np.zeros((1,) + tuple(self.input_shape), np.float32)}
        for i, op in enumerate(self.ops):
            vals[i] = apply(op, vals, relu=False)
        return [vals[i].shape[1:] for i in range(len(self.ops))]


def resolve_inputs(ops: list) -> list:
    """``ops`` with every empty ``inputs`` set to the previous operation (``-1``: the network
    input); ``ValueError`` (one line) for an input that is not an earlier operation."""
    out = []
    for i, op in enumerate(ops):
        if not op.inputs:
            op = replace(op, inputs=(i - 1,))
        bad = [j for j in op.inputs if not -1 <= j < i]
        if bad:
            raise ValueError(f"operation {i} ({type(op).__name__} {getattr(op, 'name', '')}): "
                             f"reads {bad[0]}, not an earlier operation")
        out.append(op)
    return out


def apply(op, vals: dict, relu: bool) -> np.ndarray:
    """The ANN view of one operation on the values ``vals[j]`` of its inputs; ``relu``: rectify a
    neuron operation's output (its activation rather than its current)."""
    if isinstance(op, Synaptic):
        u = op.current(vals[op.inputs[0]])
    elif isinstance(op, Add):
        u = op.current([vals[j] for j in op.inputs])
    elif isinstance(op, Concat):
        return op.ann([vals[j] for j in op.inputs])
    else:
        return op.ann(vals[op.inputs[0]])
    if not relu:
        return u
    np.maximum(u, 0, out=u)
    return u if op.cap is None else np.minimum(u, op.cap, out=u)


def ann_forward(ops: list, x: np.ndarray, collect: bool = False,
                first_current: np.ndarray | None = None):
    """Run ``ops`` (resolved, as in a :class:`SpikingNetwork`) as a ReLU network on
    ``x (B, *input_shape)`` float32.

    Returns the output (the last operation's ``u``, before any softmax, never rectified) and, if
    ``collect``, the list of values of every neuron operation (:class:`Synaptic`, :class:`Add`) in
    order: ReLU applied where it spikes, the current where it does not. ``first_current`` — the
    first neuron operation's ``u`` for ``x``, if already computed (the simulator's constant input
    current): the operations before it are skipped (a chain's first layer only reads those).
    """
    acts = []
    ops = resolve_inputs(ops)
    first = next(i for i, op in enumerate(ops) if isinstance(op, NEURONS))
    vals: dict = {-1: x}
    for i, op in enumerate(ops):
        relu = getattr(op, "spiking", False) and i != len(ops) - 1
        if first_current is not None and i <= first:
            if i < first:
                continue
            u = first_current.copy()
            if relu:
                np.maximum(u, 0, out=u)
                if op.cap is not None:
                    np.minimum(u, op.cap, out=u)
            vals[i] = u
        else:
            vals[i] = apply(op, vals, relu)
        if collect and isinstance(op, NEURONS):
            acts.append(vals[i])
    out = vals[len(ops) - 1]
    return (out, acts) if collect else out
