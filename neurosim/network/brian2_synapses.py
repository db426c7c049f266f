"""Brian2 Synapses of a network's connections, in NEST's order within a step.

A spike of presynaptic neuron ``i`` adds to postsynaptic neuron ``j``, ``d`` later::

    delta     v += w * int(not_refractory)  (NEST's iaf_psc_delta drops input while refractory)
    exp       I_s += w
    alpha     x_s += e * w                  (so that I_s peaks at w, tau after the spike)
    cond_exp  g_s += w

Order within a step, as NEST's: integrate, add the input arriving in this step, test the
threshold. Brian2's default (integrate, threshold, then synapses) would let the input of a step
decay for one dt before its threshold test — an effective threshold ~v dt/τ higher, which cut
the rate of Brunel's low-rate state (g = 4.5, η = 0.9) by 25 %. So the presynaptic pathways
and the Poisson inputs run ``before_thresholds``; a pathway then sees the spikes of the
previous step, which costs one dt, and is given the delay ``d - dt`` (hence ``d >= dt``). The
postsynaptic (STDP) pathway stays in the ``synapses`` slot and sees a post spike in its step.

Static connections between the same groups with the same synapse, weight and delay share one
``Synapses`` object, connected with the explicit ``(i, j)`` arrays of :mod:`.connectivity` (so
NEST can use the very same synapses) ordered by ``(i, j)``, one homogeneous delay and the
weight as a ``(shared, constant)`` variable (a per-synapse ``w`` only when plastic): the COBA
network is then one group and two Synapses, as a hand-written script has it. A Poisson source
connected ``one_to_one`` without plasticity becomes a Brian2 ``PoissonInput`` on the target
variable: per step each neuron receives ``Binomial(N, r dt / N)`` events with ``N = ceil(100 r
dt)`` (so ``r dt / N <= 0.01``; the count's variance is 1 % below Poisson's at most); its delay
only shifts the process, which stays Poisson, and is not applied.

Source: Brian2 documentation, "Synapses", "Input stimuli" (``PoissonInput``); NEST
documentation, "Simulation loop" (order of update and delivery).
"""

from __future__ import annotations

import math

import numpy as np

from .brian2_groups import is_direct
from .description import Network

__all__ = ["build_synapses", "synapse_target"]


def synapse_target(syn, model, w_expr: str) -> tuple[str, str]:
    """(variable, increment) a spike of a ``syn`` synapse applies to the postsynaptic neuron
    (the delta synapse's gate only for a model with a refractory period)::

        delta     v += w * int(not_refractory)
        exp       I_s += w
        alpha     x_s += e * w
        cond_exp  g_s += w
    """
    if syn.kind == "delta":
        gate = "*int(not_refractory)" if model.refractory is not False else ""
        return "v", f"{w_expr}{gate}"
    if syn.kind == "alpha":
        return f"x_{syn.name}", f"{w_expr}*{math.e!r}"
    return (f"I_{syn.name}" if syn.kind == "exp" else f"g_{syn.name}"), w_expr


def build_synapses(network: Network, conn_ij: dict, where: dict, dt):
    """Synapses, PoissonInputs and plastic Synapses of ``network``'s connections.

    Parameters
    ----------
    conn_ij : dict of str -> (ndarray, ndarray)
        ``(i, j)`` per connection (:func:`.connectivity.build_connectivity`).
    where : dict
        From :func:`.brian2_groups.build_groups`.
    dt : Quantity

    Returns
    -------
    objects : list of Brian2 objects
    plastic : dict of str -> brian2.Synapses
        The plastic connections by name (their weights are read back).
    """
    objects = []
    # static connections between the same groups with the same synapse, weight and delay
    # become one Synapses object (as a hand-written script has one per synapse type)
    merged, plastic = {}, {}
    for k, c in enumerate(network.connections):
        post, j0, model = where[c.post]
        if is_direct(network, c):
            objects.append(_poisson_input(network, c, k, post, model, dt))
            continue
        i, j = conn_ij[c.name]
        pre, i0, _ = where[c.pre]
        if c.plasticity is None:
            key = (pre.name, post.name, repr(c.synapse), repr(c.weight), repr(c.delay))
            merged.setdefault(key, (k, c, model, []))[3].append((i + i0, j + j0))
            continue
        plastic[c.name] = _plastic_synapses(c, k, pre, post, model, i + i0, j + j0, dt)
        objects.append(plastic[c.name])
    for k, c, model, parts in merged.values():
        S = _merged_synapses(c, k, where, model, parts, dt)
        if S is not None:
            objects.append(S)
    return objects, plastic


def _poisson_input(network: Network, c, k: int, post, model, dt):
    """A direct Poisson source as a PoissonInput: ``n_each`` inputs of ``rate / n_each``."""
    import brian2 as b2

    rate = network.source(c.pre).rate
    n_each = max(1, math.ceil(100 * float(rate * dt)))
    var, inc = synapse_target(c.synapse, model, f"w_in{k}")
    return b2.PoissonInput(post, var, n_each, rate / n_each, weight=inc,
                           when="before_thresholds")


def _plastic_synapses(c, k: int, pre, post, model, i, j, dt):
    """The Synapses ``syn{k}`` of a plastic connection (its own weight ``w`` per synapse)."""
    import brian2 as b2

    from .plasticity import brian2_stdp_model

    var, inc = synapse_target(c.synapse, model, "w")
    c.plasticity.check_weight(c.weight)
    eqs, on_pre, on_post = brian2_stdp_model(c.plasticity, "w")
    S = b2.Synapses(pre, post, model=eqs, on_pre=on_pre + f"{var}_post += {inc}\n",
                    on_post=on_post, delay=c.delay - dt, dt=dt, name=f"syn{k}")
    S.pre.when = "before_thresholds"  # NEST's order; see the module docstring
    if len(i):
        S.connect(i=i, j=j)
        S.w = c.weight
    return S


def _merged_synapses(c, k: int, where: dict, model, parts: list, dt):
    """One Synapses ``syn{k}`` for the static connections of ``parts`` (``(i, j)`` arrays)
    with one shared weight; None when they have no synapse."""
    import brian2 as b2

    from neurosim.neuron.model import unit_string

    i = np.concatenate([p[0] for p in parts])
    if not len(i):
        return None
    j = np.concatenate([p[1] for p in parts])
    # synapses ordered by (i, j), as connect(p=...) orders them: a spike's synapses
    # are contiguous and its targets ascending (cache-friendly delivery); the source
    # is the index range that has synapses (a spike outside it is never queued)
    order = np.lexsort((j, i))
    i, j = i[order], j[order]
    lo, hi = int(i[0]), int(i[-1]) + 1
    var, inc = synapse_target(c.synapse, model, "w_syn")
    S = b2.Synapses(where[c.pre][0][lo:hi], where[c.post][0],
                    f"w_syn : {unit_string(c.weight)} (shared, constant)",
                    on_pre=f"{var}_post += {inc}", delay=c.delay - dt, dt=dt,
                    name=f"syn{k}")
    S.pre.when = "before_thresholds"
    S.connect(i=i - lo, j=j)
    S.w_syn = c.weight
    return S
