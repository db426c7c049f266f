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

import numpy as np

from .checks import require_finite
from .encoding import make_encoder
from .network import Pool, Synaptic
from .neuron import if_step
from .plan import BatchResult, Plan, events, label
from .spike_pool import count_max_pool, gate_max_pool

__all__ = ["run_batch"]


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
    ops, params, B = plan.ops, plan.params, len(xb)
    xb = xb.astype(plan.dtype, copy=False)
    enc = make_encoder(encoding, xb, rng)
    v = {i: np.full((B,) + plan.shapes[i], plan.v_init if ops[i].spiking else 0, plan.dtype)
         for i in plan.syn}
    counts = {i: np.zeros((B,) + plan.shapes[i], plan.dtype) for i in plan.syn}
    counts[-1] = np.zeros_like(xb)            # input spikes, for a max pool before any layer
    pooled = {i: 0 for i, op in enumerate(ops) if isinstance(op, Pool) and op.kind == "max"}
    result = BatchResult.empty(plan, T, B, record_readouts)
    work = {i: {} for i in plan.syn}
    if enc.constant:
        # the ops before the first weight layer, and that layer's current, never change
        pre = xb
        for op in ops[:plan.first]:
            pre = op.ann(pre)
        first_current = plan.current(plan.first, pre)
        result.synops += plan.macs[plan.first] * B
        begin = plan.first
    else:
        trains = enc.block(T)                 # drawn for all T at once (see bridge.encoding)
        begin = 0
    for t in range(T):
        s = first_current if enc.constant else trains[t]
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
                        result.synops += events(s, plan.fanouts[i])
                    current = plan.current(i, s, work[i])
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
        out = counts[plan.last] if ops[plan.last].spiking else v[plan.last]
        result.record(t, out.reshape(B, -1))
    # a NaN current never crosses the threshold and an Inf one fires every step, so the counts
    # would look sound; NaN/Inf stays in the potential (and in the potential readout) for good
    for i in plan.syn:
        require_finite(v[i], f"simulation: membrane potential of {label(ops, i)}")
    del counts[-1]
    result.counts = counts
    return result
