"""Data-based weight normalisation of a converted chain (Diehl et al. 2015; Rueckauer et al.
2017, sec. 2.2): ``λ_l`` per weight layer (or per output channel) from the ANN's activations on
training images, then ``W̃_l = W_l · λ_{l−1} / λ_l``, ``b̃_l = b_l / λ_l`` (the method is stated in
:mod:`bridge.convert`; graphs are folded by :mod:`bridge.convert_graph`).

**Graphs** (:func:`normalise_graph`; Rueckauer et al. 2017, generalised to merges): every spiking
population ``P`` gets ``λ_P`` per channel (the percentile of its activations; for a clipped ReLU
``λ_P = m``, so that the IF neuron's rate, at most one spike per step, saturates exactly at the
cap). The value a population reads carries ``λ_in`` per channel (the input: 1; pooling keeps it;
``Concatenate`` concatenates it; ``Flatten`` tiles it), and

    W̃ = W · λ_in / λ_P,   b̃ = b / λ_P,   shortcut gain g̃ = g · λ_in / λ_P,

where a current branch of an ``Add`` is scaled by the ``Add``'s ``λ``. An ``Add`` of two paths of
different scales, and a ``Concatenate`` of branches of different scales, therefore keep the ANN's
function exactly.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from .checks import require_finite
from .network import NEURONS, Add, Concat, Flatten, Pool, Synaptic, ann_forward, apply

__all__ = ["parse_norm", "layer_lambdas", "normalise", "normalise_graph"]


def parse_norm(norm: str) -> float | None:
    """``"max"`` → 100, ``"p99.9"`` → 99.9, ``"none"`` → None; ``ValueError`` otherwise."""
    if norm == "max":
        return 100.0
    if norm == "none":
        return None
    m = re.fullmatch(r"p(\d+(?:\.\d+)?)", str(norm))
    if not m or not 0 < float(m.group(1)) <= 100:
        raise ValueError(f"unknown norm {norm!r}; use max, none or pNN (e.g. p99, p99.9, p99.99)")
    return float(m.group(1))


def _percentile(pos: list, q: float) -> float:
    """The ``q``-th percentile of the positive values gathered in ``pos`` (chunks); 1 if none."""
    pos = np.concatenate(pos)
    return float(np.percentile(pos, q)) if pos.size else 1.0


def layer_lambdas(ops: list, x: np.ndarray, q: float, per_channel: bool,
                  batch_size: int = 500) -> list:
    """``λ_l`` for every :class:`Synaptic` from the ANN activations on ``x`` (B, ...): the
    ``q``-th percentile of the positive activations, ``λ_l = percentile_q(a_l[a_l > 0])``
    (Rueckauer et al. 2017, sec. 2.2), a float or (``per_channel``) one per output channel of
    every hidden layer; the output layer always gets one float.

    Only the positive activations are kept, channel by channel (the percentile is exact, over all
    of them): for the trained ResNet and 10 000 images that is 3.5 GB instead of the 7 GB of
    every activation."""
    positive: list = []          # per layer: chunks of positives, per channel or for the layer
    by_channel: list = []
    for i in range(0, len(x), batch_size):
        _, acts = ann_forward(ops, x[i:i + batch_size], collect=True)
        # the output layer keeps one λ: per-class factors would change the argmax
        by_channel = [per_channel and k < len(acts) - 1 for k in range(len(acts))]
        if not positive:
            positive = [[[] for _ in range(a.shape[-1])] if each else []
                        for each, a in zip(by_channel, acts)]
        for each, store, a in zip(by_channel, positive, acts):
            if not each:
                store.append(a[a > 0])
                continue
            # one contiguous row per channel: its positives are picked without striding
            for chunks, row in zip(store, np.ascontiguousarray(a.reshape(-1, a.shape[-1]).T)):
                chunks.append(row[row > 0])
        del acts
    return [np.array([_percentile(c, q) for c in store]) if each else _percentile(store, q)
            for each, store in zip(by_channel, positive)]


def normalise(ops: list, input_shape: tuple, lambdas: list, readout: str) -> list:
    """Rescaled operations ``W̃ = W·λ_{l−1}/λ_l``, ``b̃ = b/λ_l`` (see module docstring)."""
    shape = tuple(input_shape)
    lam_in = np.ones(shape[-1])              # λ of each channel of the current tensor
    synaptic = [op for op in ops if isinstance(op, Synaptic)]
    out, k = [], 0
    for op in ops:
        if isinstance(op, Flatten):
            lam_in = np.tile(lam_in, int(np.prod(shape[:-1])))
            shape = (int(np.prod(shape)),)
            out.append(op)
            continue
        if isinstance(op, Pool):
            shape = op.ann(np.zeros((1,) + shape, np.float32)).shape[1:]
            out.append(op)
            continue
        n_out = op.W.shape[-1]
        last = op is synaptic[-1]
        lam = np.ones(n_out) if last and readout == "potential" else \
            np.broadcast_to(np.asarray(lambdas[k], np.float64), (n_out,))
        # the input axis is second to last for Dense (n_in, n_out) and Conv2D (kh, kw, C_in, C_out)
        W = op.W.astype(np.float64) * lam_in[:, None] / lam
        out.append(op.with_weights(W, op.b / lam))
        shape = op.current(np.zeros((1,) + shape, np.float32)).shape[1:]
        lam_in, k = lam, k + 1
    return out


def _value_lambdas(ops: list, input_shape: tuple, lam: dict) -> dict:
    """``λ`` per channel of every operation's value (the input's: 1)."""
    shapes = {-1: tuple(input_shape)}
    vals = {-1: np.zeros((1,) + tuple(input_shape))}
    out = {-1: np.ones(input_shape[-1])}
    for i, op in enumerate(ops):
        vals[i] = apply(op, vals, relu=False)
        shapes[i] = vals[i].shape[1:]
        if isinstance(op, NEURONS):
            out[i] = lam[i]
        elif isinstance(op, Concat):
            out[i] = np.concatenate([out[j] for j in op.inputs])
        elif isinstance(op, Flatten):
            src = op.inputs[0]
            out[i] = np.tile(out[src], int(np.prod(shapes[src][:-1])))
        else:
            out[i] = out[op.inputs[0]]
    return out


def normalise_graph(ops: list, input_shape: tuple, lambdas: list, caps: dict,
                    readout: str) -> tuple[list, list]:
    """The operations rescaled by ``λ`` (``lambdas``: one per neuron operation, in order; see the
    module docstring), as float32, and the ``λ`` used (a clipped ReLU's is its cap; a current
    branch's its Add's)."""
    neurons = [i for i, op in enumerate(ops) if isinstance(op, NEURONS)]
    readers = {i: [k for k, op in enumerate(ops) if i in op.inputs] for i in range(len(ops))}
    lam = {}
    for i, l_i in zip(neurons, lambdas):
        n = ops[i].b.shape[-1]
        if i == len(ops) - 1 and readout == "potential":
            l_i = 1.0
        lam[i] = np.broadcast_to(np.asarray(caps.get(i, l_i), np.float64), (n,)).copy()
    for i in neurons:   # a current branch takes the scale of the Add it feeds
        if not ops[i].spiking and i != len(ops) - 1:
            lam[i] = lam[readers[i][0]]
    lam_val = _value_lambdas(ops, input_shape, lam)
    out = []
    for i, op in enumerate(ops):
        if isinstance(op, Synaptic):
            l_in, l_out = lam_val[op.inputs[0]], lam[i]
            W = op.W * l_in[:, None] / op.per_output(l_out)
            op = replace(op.with_weights(W, op.b / l_out),
                         cap=None if op.cap is None else float(op.cap / l_out[0]))
            require_finite(op.W, f"conversion: scaled weights of {op.name}")
        elif isinstance(op, Add):
            gains = tuple(None if g is None else
                          np.asarray(g * lam_val[j] / lam[i], np.float32)
                          for j, g in zip(op.inputs, op.gains))
            op = replace(op, gains=gains, b=np.asarray(op.b / lam[i], np.float32),
                         cap=None if op.cap is None else float(op.cap / lam[i][0]))
        out.append(op)
    return out, [lam[i] for i in neurons]
