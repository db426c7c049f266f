"""The pairing protocol of :func:`.stdp_protocols.pairing_window` on each engine.

Spike generators stand for the pre- and post-synaptic neurons, so the weight change is the
plasticity rule's alone: Brian2 ``SpikeGeneratorGroup`` s joined one-to-one by a ``Synapses``
with :func:`.plasticity.brian2_stdp_model` and no transmission (delay 0: Δt = t_post − t_pre);
NEST ``spike_generator`` → ``parrot_neuron`` pairs joined by ``stdp_synapse``
(:func:`.plasticity.nest_stdp_synapse`) onto the post parrot's receptor 1, where spikes are
ignored (NEST's way of testing plasticity); the connection delay is one step and NEST sees the
post spike one delay late (dendritic delay), so the post generator fires one step earlier.
Both engines then see the same Δt. NEST computes potentiation lazily, when the next pre spike
arrives (stdp_synapse's ``send``), so the NEST run adds one unpaired pre spike a period after
the last pairing.
"""

from __future__ import annotations

import numpy as np

from .plasticity import STDP, brian2_stdp_model, nest_stdp_synapse

__all__ = ["window_brian2", "window_nest"]


def window_brian2(stdp: STDP, dts, t_pre, w0, step_ms: float, t_end_ms: float) -> np.ndarray:
    """Final weights (SI) of one synapse per Δt (``dts``, ms) after pairings at ``t_pre``."""
    import brian2 as b2

    from neurosim.codegen import select_target

    select_target(None)
    k = len(dts)
    idx = np.repeat(np.arange(k), len(t_pre))
    pre_t = np.tile(t_pre, k)
    post_t = pre_t + np.repeat(dts, len(t_pre))
    dt = step_ms * b2.ms
    pre = b2.SpikeGeneratorGroup(k, idx, pre_t * b2.ms, dt=dt)
    post = b2.SpikeGeneratorGroup(k, idx, post_t * b2.ms, dt=dt)
    model, on_pre, on_post = brian2_stdp_model(stdp, "w")
    syn = b2.Synapses(pre, post, model=model, on_pre=on_pre, on_post=on_post, dt=dt)
    syn.connect(j="i")
    syn.w_ = w0  # SI values
    net = b2.Network(pre, post, syn)
    net.run(t_end_ms * b2.ms, namespace={})
    return np.asarray(syn.w_[:], dtype=float)


def window_nest(stdp: STDP, dts, t_pre, w0, step_ms: float, t_end_ms: float) -> np.ndarray:
    """NEST twin of :func:`window_brian2` (weights in the SI unit of ``w_max``)."""
    from .nest_engine import import_nest

    nest = import_nest()
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": step_ms, "print_time": False})
    k = len(dts)
    scale = 1.0 / float(np.asarray(stdp.w_max))  # NEST weights in units of w_max
    syn, neuron = nest_stdp_synapse(stdp, 1.0)
    pre_par = nest.Create("parrot_neuron", k)
    post_par = nest.Create("parrot_neuron", k, params=neuron)
    # NEST applies potentiation lazily, at the next pre spike: one more pre spike a period
    # after the last pairing (its depression is exp(-period/2/tau_minus), negligible)
    period = t_pre[1] - t_pre[0] if len(t_pre) > 1 else 1000.0
    t_pre_all = list(np.r_[t_pre, t_pre[-1] + period])
    for n in range(k):
        t_post = np.round((t_pre + dts[n] - step_ms) / step_ms) * step_ms
        g_pre = nest.Create("spike_generator", params={"spike_times": t_pre_all})
        g_post = nest.Create("spike_generator", params={"spike_times": list(t_post)})
        nest.Connect(g_pre, pre_par[n], syn_spec={"delay": step_ms})
        nest.Connect(g_post, post_par[n], syn_spec={"delay": step_ms})
    nest.Connect(pre_par, post_par, "one_to_one",
                 dict(syn, weight=float(w0[0]) * scale, delay=step_ms, receptor_type=1))
    nest.Simulate(max(t_end_ms, t_pre_all[-1] + 2 * step_ms))
    got = nest.GetConnections(pre_par, post_par).get(["source", "weight"])
    order = np.argsort(np.asarray(got["source"]))
    return np.asarray(got["weight"], dtype=float)[order] / scale
