"""What both simulators need of a converted network and never changes: the :class:`Plan`.

A plan holds the operations in the simulation's dtype, every operation's output shape, the
fan-out of every weight layer (for SynOps), its ANN MACs, the IF parameters and the matrix
product the currents use.

**The matrix product.** In float32 the currents use BLAS (``numpy.matmul``). OpenBLAS's result
for one row of a product depends on how many rows the product has and where the row sits in it
(measured here: for ``(M, 150) @ (150, 16)`` in float32 about half the rows differ in the last
bit when the same rows are multiplied in blocks at other offsets; float64 ``dgemm`` differs by up
to 3·10⁻¹⁴). So in float64, the precision used to check one simulator against the other,
:func:`exact_matmul` sums every row in one fixed order (``numpy.einsum`` without BLAS), whatever
the number of rows: the step-by-step and the time-batched simulators then agree bit for bit, for
any batch or chunk size.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ann.functional import col2im

from .checks import fit_images, positive_int, require_finite
from .network import NEURONS, Add, Pool, SpikingNetwork, Synaptic
from .neuron import IFParams

__all__ = ["Plan", "BatchResult", "exact_matmul", "events", "label", "check_inputs",
           "check_potentials"]


def exact_matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a @ b`` with each output element summed over the inner index in order, independently of
    the other rows (no BLAS): the same bits for a row whatever the batch it is computed in."""
    return np.einsum("ij,jk->ik", a, b, optimize=False, out=out)


def _fanout(op: Synaptic, in_shape: tuple) -> np.ndarray | int:
    """Outgoing synapses per input position (conv: an (H, W) map; dense: an int)."""
    if op.kind == "dense":
        return op.W.shape[1]
    kh, kw, cin, cout = op.W.shape
    h, w = in_shape[0], in_shape[1]
    ho, wo = op.current(np.zeros((1, h, w, cin), np.float32)).shape[1:3]
    # col2im of ones counts, for every input pixel, the output windows that cover it
    cover = col2im(np.ones((ho * wo, kh * kw), np.float32), (1, h, w, 1), kh, kw, op.stride,
                   op.padding)[0, :, :, 0]
    return cover * cout


def _astype(op, dtype):
    """``op`` with its weights, gains and bias in ``dtype``."""
    if isinstance(op, Synaptic):
        return replace(op, W=op.W.astype(dtype), b=op.b.astype(dtype))
    if isinstance(op, Add):
        return replace(op, b=op.b.astype(dtype),
                       gains=tuple(None if g is None else g.astype(dtype) for g in op.gains))
    return op


class Plan:
    """The operations of ``snn`` in ``dtype`` (float32, or float64 for exact comparisons), with
    their shapes, fan-outs, MACs, the IF parameters, the max-pooling method, and the graph's
    bookkeeping: who reads each operation, when its value is last needed, which operations are
    constant under constant-current input."""

    def __init__(self, snn: SpikingNetwork, dtype):
        self.ops, self.dtype = snn.ops, np.dtype(dtype)
        if self.dtype != np.float32:  # e.g. float64 for the Brian2 cross-check
            self.ops = [_astype(op, dtype) for op in snn.ops]
        self.matmul = np.matmul if self.dtype == np.float32 else exact_matmul
        p = snn.params
        self.params = IFParams(p.v_th, p.reset, p.signed)
        self.v_init = p.v_init * p.v_th
        self.shapes = snn.shapes()
        shape = {-1: tuple(snn.input_shape), **dict(enumerate(self.shapes))}
        #: per operation, the shape of its (first) input
        self.in_shapes = [shape[op.inputs[0]] for op in self.ops]
        #: the neuron operations (Synaptic, Add): potentials, counts, statistics, λ
        self.syn = [i for i, op in enumerate(self.ops) if isinstance(op, NEURONS)]
        self.first, self.last = self.syn[0], len(self.ops) - 1
        weights = [i for i, op in enumerate(self.ops) if isinstance(op, Synaptic)]
        self.fanouts = {i: _fanout(self.ops[i], self.in_shapes[i]) for i in weights}
        self.macs = {i: self.ops[i].macs(self.in_shapes[i], self.shapes[i]) for i in weights}
        self.readers = {i: [k for k, op in enumerate(self.ops) if i in op.inputs]
                        for i in range(-1, len(self.ops))}
        #: the last operation that reads each value (freed after it)
        self.last_use = {i: max(r, default=len(self.ops)) for i, r in self.readers.items()}
        #: with constant input: operations whose value never changes (moving the input only)
        self.static = {-1}
        for i, op in enumerate(self.ops):
            if not isinstance(op, NEURONS) and set(op.inputs) <= self.static:
                self.static.add(i)
        #: with constant input, the synaptic operations per image of shortcuts from static values
        #: (an Add reading the input image): one per element, counted once, as a constant current
        self.static_shortcut_ops = sum(
            int(np.prod(shape[j])) for op in self.ops if isinstance(op, Add)
            for j, g in zip(op.inputs, op.gains) if g is not None and j in self.static)
        #: a chain's entry (the first neuron operation, reached only through static operations,
        #: which nothing else reads): its constant current is shared with the ANN pass
        self.entry = self.first if all(
            set(self.readers[i]) <= {i + 1} for i in range(-1, self.first)) and all(
            self.ops[i].inputs == (i - 1,) for i in range(self.first + 1)) else None
        self.max_pool = p.max_pool
        #: count max pools that alone read a spiking neuron operation: the time-batched
        #: simulator runs them with it in one loop (bridge.kernels.if_count_pool_run)
        self.fused_pools = {
            i for i, op in enumerate(self.ops)
            if isinstance(op, Pool) and op.kind == "max" and self.max_pool == "count"
            and op.inputs[0] >= 0 and isinstance(self.ops[op.inputs[0]], NEURONS)
            and self.ops[op.inputs[0]].spiking and self.readers[op.inputs[0]] == [i]}

    def current(self, i: int, s: np.ndarray, work: dict | None = None,
                out: np.ndarray | None = None) -> np.ndarray:
        """``W·s + b`` of weight layer ``ops[i]`` for a batch ``s``, with this plan's product
        (into ``out`` if given)."""
        return self.ops[i].current(s, work, self.matmul, out)


@dataclass
class BatchResult:
    """What either simulator returns for one batch of ``B`` images over ``T`` steps.

    ``predictions[t]`` — the class read out after step ``t + 1`` (argmax of the output potential
    or spike count; ties → the lowest class), ``(T, B)``; ``readout`` — the output after the last
    step, ``(B, n_out)``; ``readouts`` — after every step, ``(T, B, n_out)`` (only when asked
    for); ``counts`` — spike counts of every weight layer, ``{op index: (B, ...)}``; ``synops`` —
    the batch's synaptic operations (when counted).
    """

    predictions: np.ndarray
    readout: np.ndarray | None = None
    readouts: np.ndarray | None = None
    counts: dict = field(default_factory=dict)
    synops: float = 0.0

    @classmethod
    def empty(cls, plan: "Plan", T: int, B: int, record_readouts: bool) -> "BatchResult":
        n_out = int(np.prod(plan.shapes[plan.last]))
        return cls(np.empty((T, B), np.int64),
                   readouts=np.empty((T, B, n_out), plan.dtype) if record_readouts else None)

    def record(self, t: int, out: np.ndarray) -> None:
        """Store the readout ``out (B, n_out)`` or ``(n, B, n_out)`` of step ``t`` (of steps
        ``t … t+n−1``)."""
        n = 1 if out.ndim == 2 else len(out)
        self.predictions[t:t + n] = out.argmax(axis=-1)
        if self.readouts is not None:
            self.readouts[t:t + n] = out
        self.readout = (out if out.ndim == 2 else out[-1]).copy()


def events(s: np.ndarray, fanout) -> float:
    """Synaptic operations caused by the non-zero entries of ``s`` (a batch of frames; conventions
    in :mod:`bridge.simulate`)."""
    nz = s != 0
    if np.isscalar(fanout):
        return float(np.count_nonzero(nz)) * fanout
    return float((nz.sum(axis=(0, 3), dtype=np.float64) * fanout).sum())


def label(ops: list, i: int) -> str:
    """The name of ``ops[i]`` for messages."""
    return ops[i].name or f"operation {i}"


def check_potentials(plan: "Plan", v: dict) -> None:
    """``ValueError`` (one line, naming the layer) if a final membrane potential ``v[i]`` holds
    NaN/Inf: a NaN current never crosses the threshold and an Inf one fires every step, so the
    counts would look sound; NaN/Inf stays in the potential (and the potential readout) for
    good."""
    for i in plan.syn:
        require_finite(v[i], f"simulation: membrane potential of {label(plan.ops, i)}")


def check_inputs(snn, x, T) -> np.ndarray:
    """``x`` as float32 ``(N, *input_shape)`` (:func:`~bridge.checks.fit_images`: reshaped if only
    the layout differs; ``ValueError`` if it does not fit or holds NaN/Inf); ``ValueError`` if
    ``T`` is not a positive int."""
    positive_int(T, "T")
    return fit_images(x, snn.input_shape)
