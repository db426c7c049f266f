"""One batch of images through ``T`` steps of a converted network: the simulator's engine.

At each step ``t`` the operations of the :class:`~bridge.network.SpikingNetwork` run in order on
the batch, with no synaptic delay (a spike emitted by layer ``l`` at step ``t`` reaches layer
``l+1`` in the same step)::

    s_0[t]      = encoder(x)[t]                       (constant current, Poisson or regular)
    I_l[t]      = W̃_l s_{l−1}[t] + b̃_l                (the ANN's own Dense / conv2d, float32)
    s_l[t], V_l = if_step(I_l[t], V_l)               (bridge.neuron; threshold θ, reset)
    max pool:   N_out[t] = max over the window of the input counts N[t];
                s[t] = N_out[t] − N_out[t−1]        (or Rueckauer's gate, see below)
    avg pool:   s[t] = window mean of the spikes (a linear map, folded into the next current)
    readout:    V_out += I_out[t] (potential) or N_out += s_out[t] (spike count);
                prediction[t] = argmax (ties → lowest class)

With constant-current input the first layer's current ``W̃_1 x + b̃_1`` is the same every step and
is computed once per batch. Max pooling of spikes keeps, at every step, the pooled neuron's
count equal to the largest count in its window (:func:`~bridge.spike_pool.count_max_pool`): its
rate is the max of the input rates, as the ANN's max of activations. The alternative, Rueckauer
et al.'s (2017, sec. 2.2.6) *gate* (:func:`~bridge.spike_pool.gate_max_pool`,
``max_pool="gate"``), passes the spikes of the input that has fired most so far; it over-counts
when inputs of similar rate take turns.

After the last step the membrane potential of every layer is checked
(:func:`~bridge.checks.require_finite`): a NaN current never crosses the threshold and an Inf
one fires every step, so the spike counts alone would look sound, but the NaN/Inf stays in the
potential; it is a one-line ``ValueError`` naming the layer. SynOps are counted as
:mod:`bridge.simulate` defines them.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ann.functional import col2im

from .checks import fit_images, require_finite
from .encoding import make_encoder
from .network import Pool, SpikingNetwork, Synaptic
from .neuron import IFParams, if_step
from .spike_pool import MAX_POOLS, count_max_pool, gate_max_pool

__all__ = ["Plan", "run_batch", "check_inputs", "label"]


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


class Plan:
    """What every batch needs and never changes: shapes, fan-outs, MACs, neuron parameters."""

    def __init__(self, snn: SpikingNetwork, dtype):
        self.ops, self.dtype = snn.ops, np.dtype(dtype)
        if self.dtype != np.float32:  # e.g. float64 for the Brian2 cross-check
            self.ops = [replace(op, W=op.W.astype(dtype), b=op.b.astype(dtype))
                        if isinstance(op, Synaptic) else op for op in snn.ops]
        self.params = IFParams(snn.settings.get("v_th", 1.0), snn.settings.get("reset", "subtract"))
        self.v_init = snn.settings.get("v_init", 0.0) * self.params.v_th
        self.shapes = snn.shapes()
        in_shapes = [tuple(snn.input_shape)] + self.shapes[:-1]
        self.syn = [i for i, op in enumerate(self.ops) if isinstance(op, Synaptic)]
        self.first, self.last = self.syn[0], self.syn[-1]
        self.fanouts = {i: _fanout(self.ops[i], in_shapes[i]) for i in self.syn}
        self.macs = {i: self.ops[i].macs(in_shapes[i], self.shapes[i]) for i in self.syn}
        self.pool_before_first = any(isinstance(op, Pool) for op in self.ops[:self.first])
        self.max_pool = snn.settings.get("max_pool", "count")
        if self.max_pool not in MAX_POOLS:
            raise ValueError(f"unknown max_pool method {self.max_pool!r}; known: "
                             f"{', '.join(MAX_POOLS)}")


# NaN/Inf are reported by require_finite, in one line, not as warnings
@np.errstate(over="ignore", invalid="ignore")
def run_batch(plan: Plan, xb: np.ndarray, T: int, encoding: str, rng, count_synops: bool,
              on_step=None):
    """Simulate one batch ``xb (B, *input_shape)`` float32 for ``T`` steps (see the module
    docstring).

    ``on_step(t, readout)`` is called after every step with the output layer's potential or
    spike counts ``(B, n_out)``. Returns ``(counts, synops)``: the spike counts of every weight
    layer (``{op index: (B, ...)}``) and the synaptic operations of the batch. ``ValueError``
    (one line, naming the layer) if a membrane potential ends NaN/Inf.
    """
    ops, params, B = plan.ops, plan.params, len(xb)
    xb = xb.astype(plan.dtype, copy=False)
    enc = make_encoder(encoding, xb, rng)
    v = {i: np.full((B,) + plan.shapes[i], plan.v_init if ops[i].spiking else 0, plan.dtype)
         for i in plan.syn}
    counts = {i: np.zeros((B,) + plan.shapes[i], plan.dtype) for i in plan.syn}
    counts[-1] = np.zeros_like(xb)            # input spikes, for a max pool before any layer
    pooled = {i: 0 for i, op in enumerate(ops) if isinstance(op, Pool) and op.kind == "max"}
    synops = 0.0
    work = {i: {} for i in plan.syn}
    if enc.constant:
        # the ops before the first weight layer, and that layer's current, never change
        pre = xb
        for op in ops[:plan.first]:
            pre = op.ann(pre)
        first_current = ops[plan.first].current(pre)
        synops += plan.macs[plan.first] * B
        begin = plan.first
    else:
        begin = 0
    for t in range(T):
        s = first_current if enc.constant else enc.step(t)
        if begin == 0 and plan.pool_before_first:
            counts[-1] += s
        prev_spiking = -1
        for i in range(begin, len(ops)):
            op = ops[i]
            if isinstance(op, Synaptic):
                if i == begin and enc.constant:
                    current = s
                else:
                    if count_synops:
                        synops += _events(s, plan.fanouts[i])
                    current = op.current(s, work[i])
                if op.spiking:
                    s, _ = if_step(current, v[i], params, out=v[i])
                    counts[i] += s
                    prev_spiking = i
                else:
                    v[i] += current
            elif isinstance(op, Pool) and op.kind == "max":
                if plan.max_pool == "gate":
                    s = gate_max_pool(s, counts[prev_spiking], op.size, op.stride)
                else:
                    s, pooled[i] = count_max_pool(counts[prev_spiking], pooled[i], op.size,
                                                  op.stride)
            else:
                s = op.ann(s)
        if on_step is not None:
            out = counts[plan.last] if ops[plan.last].spiking else v[plan.last]
            on_step(t, out.reshape(B, -1))
    # a NaN current never crosses the threshold and an Inf one fires every step, so the counts
    # would look sound; NaN/Inf stays in the potential (and in the potential readout) for good
    for i in plan.syn:
        require_finite(v[i], f"simulation: membrane potential of {label(ops, i)}")
    del counts[-1]
    return counts, synops


def label(ops: list, i: int) -> str:
    """The name of ``ops[i]`` for messages."""
    return ops[i].name or f"operation {i}"


def check_inputs(snn, x, T) -> np.ndarray:
    """``x`` as float32 ``(N, *input_shape)`` (:func:`~bridge.checks.fit_images`: reshaped if only
    the layout differs; ``ValueError`` if it does not fit or holds NaN/Inf); ``ValueError`` if
    ``T`` is not a positive int."""
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"T must be a positive int, got {T!r}")
    return fit_images(x, snn.input_shape)


def _events(s: np.ndarray, fanout) -> float:
    """Synaptic operations caused by the non-zero entries of ``s`` (conventions in
    :mod:`bridge.simulate`)."""
    nz = s != 0
    if np.isscalar(fanout):
        return float(np.count_nonzero(nz)) * fanout
    return float((nz.sum(axis=(0, 3), dtype=np.float64) * fanout).sum())
