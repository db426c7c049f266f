"""One batch of images through ``T`` steps, one step at a time: the reference simulator.

At each step ``t`` the operations of the :class:`~bridge.network.SpikingNetwork` run in their
topological order on the batch, each on the values of the operations it reads, with no synaptic
delay (a spike emitted by layer ``l`` at step ``t`` reaches the layers reading ``l`` in the same
step). For a chain::

    s_0[t]      = encoder(x)[t]                       (constant current, Poisson or regular)
    I_l[t]      = W̃_l s_{l−1}[t] + b̃_l                (the ANN's own Dense / conv2d, float32)
    s_l[t], V_l = if_step(I_l[t], V_l)               (bridge.neuron; threshold θ, reset)
    max pool:   N_out[t] = max over the window of the input counts N[t];
                s[t] = N_out[t] − N_out[t−1]        (or Rueckauer's gate, see below)
    avg pool:   s[t] = window mean of the spikes (a linear map, folded into the next current)
    readout:    V_out += I_out[t] (potential) or N_out += s_out[t] (spike count);
                prediction[t] = argmax (ties → lowest class)

In a graph an ``Add``'s neurons take ``Σ_k I_k[t] + Σ_j g_j ⋆ s_j[t] + b`` (currents of weight
layers and per-channel weighted shortcut spikes) and ``Concat`` joins spike trains. With
constant-current input the values that only move the input (the pooling before the first layer)
and the currents of the weight layers that read them are the same every step: computed once per
batch (:func:`static_values`). Max pooling of spikes keeps, at every step, the pooled neuron's
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

import numpy as np

from .encoding import make_encoder
from .network import NEURONS, Pool, Synaptic, apply
from .neuron import if_step
from .plan import BatchResult, Plan, check_potentials, events
from .spike_pool import count_max_pool, gate_max_pool

__all__ = ["run_batch", "static_values"]


def static_values(plan: Plan, xb: np.ndarray, first_current=None) -> tuple[dict, dict]:
    """With constant input: the values of the static operations (``{index: (B, ...)}``, the input
    ``-1`` included) and the constant currents of the weight layers that read one
    (``{index: (B, ...)}``; ``first_current`` is the entry's, if already computed)."""
    vals, currents = {-1: xb}, {}
    for i, op in enumerate(plan.ops):
        if i in plan.static:
            vals[i] = apply(op, vals, relu=False)
        elif isinstance(op, Synaptic) and op.inputs[0] in plan.static:
            currents[i] = first_current if i == plan.entry and first_current is not None \
                else plan.current(i, vals[op.inputs[0]])
    return vals, currents


# NaN/Inf are reported by require_finite, in one line, not as warnings
@np.errstate(over="ignore", invalid="ignore")
def run_batch(plan: Plan, xb: np.ndarray, T: int, encoding: str, rng, count_synops: bool,
              record_readouts: bool = False) -> BatchResult:
    """Simulate one batch ``xb (B, *input_shape)`` for ``T`` steps, one step at a time (see the
    module docstring); the reference the time-batched simulator (:mod:`bridge.layerwise`) is
    tested against.

    Returns a :class:`~bridge.plan.BatchResult`. ``ValueError`` (one line, naming the layer) if a
    membrane potential ends NaN/Inf.
    """
    # ~60 lines on purpose: the reference reads as the per-step equations, top to bottom, in one
    # place; helpers would hide that order and add Python calls to every step of every layer
    ops, params, B = plan.ops, plan.params, len(xb)
    xb = xb.astype(plan.dtype, copy=False)
    enc = make_encoder(encoding, xb, rng)
    v = {i: np.full((B,) + plan.shapes[i], plan.v_init if ops[i].spiking else 0, plan.dtype)
         for i in plan.syn}
    counts = {i: np.zeros((B,) + plan.shapes[i], plan.dtype) for i in plan.syn}
    maxpools = [i for i, op in enumerate(ops) if isinstance(op, Pool) and op.kind == "max"]
    pool_in = {i: np.zeros((B,) + plan.in_shapes[i], plan.dtype) for i in maxpools}
    pooled = {i: 0 for i in maxpools}
    result = BatchResult.empty(plan, T, B, record_readouts)
    work = {i: {} for i in plan.syn}
    if enc.constant:
        static, constant = static_values(plan, xb)
        result.synops += (sum(plan.macs[i] for i in constant) + plan.static_shortcut_ops) * B
    else:
        static, constant = {}, {}
        trains = enc.block(T)                 # drawn for all T at once (see bridge.encoding)
    for t in range(T):
        vals = dict(static) if enc.constant else {-1: trains[t]}
        for i, op in enumerate(ops):
            if i in vals:
                continue
            if isinstance(op, NEURONS):
                if i in constant:
                    current = constant[i]
                elif isinstance(op, Synaptic):
                    if count_synops:
                        result.synops += events(vals[op.inputs[0]], plan.fanouts[i])
                    current = plan.current(i, vals[op.inputs[0]], work[i])
                else:
                    if count_synops:   # a weighted shortcut: one synapse per spike
                        result.synops += sum(events(vals[j], 1) for j, g in
                                             zip(op.inputs, op.gains)
                                             if g is not None and j not in static)
                    current = op.current([vals[j] for j in op.inputs])
                if op.spiking:
                    vals[i], _ = if_step(current, v[i], params, out=v[i], counts=counts[i])
                    counts[i] += vals[i]
                elif i == plan.last:
                    v[i] += current                 # the potential readout
                    vals[i] = v[i]
                else:
                    vals[i] = current               # a current, read by an Add
            elif isinstance(op, Pool) and op.kind == "max":
                s_in = vals[op.inputs[0]]
                pool_in[i] += s_in
                if plan.max_pool == "gate":
                    vals[i] = gate_max_pool(s_in, pool_in[i], op.size, op.stride)
                else:
                    vals[i], pooled[i] = count_max_pool(pool_in[i], pooled[i], op.size,
                                                        op.stride)
            else:
                vals[i] = apply(op, vals, relu=False)
        out = counts[plan.last] if ops[plan.last].spiking else v[plan.last]
        result.record(t, out.reshape(B, -1))
    check_potentials(plan, v)
    result.counts = counts
    return result
