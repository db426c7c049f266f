"""Canonical networks as :class:`~.description.Network` descriptions.

Brunel (2000) model A — sparse E/I network of LIF neurons with delta synapses, exactly as
NEST's ``brunel_delta_nest.py`` example (Brunel 2000, J Comput Neurosci 8:183, sec. 2 and
Fig. 8; Gewaltig & Diesmann, NEST example)::

    iaf_psc_delta: τ_m = 20 ms, θ = 20 mV, V_reset = 10 mV, t_ref = 2 ms, E_L = 0, V(0) = 0
    N_E = 4·order, N_I = order, C_E = 0.1 N_E, C_I = 0.1 N_I (fixed in-degree)
    J = 0.1 mV (E), -g·J (I), delay 1.5 ms, dt = 0.1 ms
    external: one Poisson train per neuron at η ν_thr C_E, weight J, ν_thr = θ/(J C_E τ_m)

The LIF of :func:`neurosim.neuron.library.lif` with ``E_L = 0``: its ``R`` is irrelevant here
(no current input). Input arriving during the refractory period is dropped, as in NEST.

Vogels & Abbott (2005) COBA network, benchmark 1 of Brette et al. (2007, J Comput Neurosci
23:349, Appendix B) as in Brian's benchmark scripts::

    4000 LIF neurons, 3200 E + 800 I, each pair connected with p = 0.02
    C_m = 200 pF, g_L = 10 nS (τ_m = 20 ms), E_L = -60 mV, θ = -50 mV, V_reset = -60 mV,
    t_ref = 5 ms; cond_exp synapses: E_E = 0 mV, τ_E = 5 ms, Δg_E = 6 nS;
    E_I = -80 mV, τ_I = 10 ms, Δg_I = 67 nS; V(0) uniform in [V_reset, θ]

plus the constant drive of Brian's version, ``I_e = 20 mV · g_L = 200 pA`` (the paper starts
the activity with a 50 ms external stimulus instead), and a delay of one step (0.1 ms: the
description asks for delay >= dt; the paper has none).
"""

from __future__ import annotations

from .description import (Connection, Network, PoissonInput, Population, Recording, Synapse,
                          Uniform)

__all__ = ["brunel", "brunel_sizes", "coba"]


def brunel_sizes(order: int) -> dict:
    """Population sizes and in-degrees of Brunel model A: ``N_E, N_I, C_E, C_I``."""
    if isinstance(order, bool) or not isinstance(order, int) or order < 10:
        raise ValueError(f"order={order!r}: expected an integer >= 10 (N_E = 4 order)")
    N_E, N_I = 4 * order, order
    return {"N_E": N_E, "N_I": N_I, "C_E": int(0.1 * N_E), "C_I": int(0.1 * N_I)}


def brunel(order: int = 2500, g: float = 5.0, eta: float = 2.0, *, seed: int = 1,
           J=None, delay=None, dt=None, recording: Recording | None = None) -> Network:
    """Brunel (2000) model A as NEST's ``brunel_delta_nest`` (module docstring).

    Parameters
    ----------
    order : int
        N_E = 4·order, N_I = order (2500 in NEST's example: 12 500 neurons).
    g : float
        Relative inhibitory strength (inhibitory weight -g·J), >= 0.
    eta : float
        External rate in units of ν_thr, > 0.
    seed : int
        Network seed (connectivity, Poisson inputs).
    J, delay, dt : Quantity, optional
        Defaults 0.1 mV, 1.5 ms, 0.1 ms.
    recording : Recording, optional
        Default: spikes of both populations (rates are computed from them).

    Raises
    ------
    ValueError
        order < 10, g < 0, eta <= 0, or a description error (one line).
    """
    from brian2 import Hz, ms, mV

    sizes = brunel_sizes(order)
    for name, x, ok in (("g", g, g >= 0), ("eta", eta, eta > 0)):
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise TypeError(f"{name}={x!r}: expected a number")
        if not ok or x != x:
            raise ValueError(f"{name}={x!r}: must be {'>= 0' if name == 'g' else '> 0'}")
    J = 0.1 * mV if J is None else J
    delay = 1.5 * ms if delay is None else delay
    tau, theta = 20 * ms, 20 * mV
    C_E = sizes["C_E"]
    nu_thr = theta / (J * C_E * tau)
    params = dict(tau=tau, E_L=0 * mV, v_th=theta, v_reset=10 * mV, t_ref=2 * ms)
    pops = [Population("E", "lif", sizes["N_E"], params=params, initial={"v": 0 * mV}),
            Population("I", "lif", sizes["N_I"], params=params, initial={"v": 0 * mV})]
    rate = float(eta * nu_thr * C_E / Hz) * Hz
    inputs = [PoissonInput("ext_E", sizes["N_E"], rate),
              PoissonInput("ext_I", sizes["N_I"], rate)]
    syn = Synapse("delta")
    conns = []
    for post in ("E", "I"):
        conns += [Connection(f"ext_{post}", post, "one_to_one", weight=J, delay=delay,
                             synapse=syn),
                  Connection("E", post, "fixed_indegree", indegree=C_E, weight=J,
                             delay=delay, synapse=syn),
                  Connection("I", post, "fixed_indegree", indegree=sizes["C_I"],
                             weight=-g * J, delay=delay, synapse=syn)]
    rec = recording or Recording(spikes="all")
    return Network(pops, inputs, conns, rec, dt=dt if dt is not None else 0.1 * ms, seed=seed)


def coba(n: int = 4000, *, p: float = 0.02, seed: int = 1, dt=None,
         recording: Recording | None = None) -> Network:
    """Vogels & Abbott (2005) COBA network of Brette et al. (2007) (module docstring).

    Parameters
    ----------
    n : int
        Number of neurons (80 % excitatory), 4000 in the benchmark; >= 5.
    p : float
        Connection probability (0.02).
    seed : int
    dt : Quantity, optional
        Default 0.1 ms (the benchmark's).
    recording : Recording, optional
        Default: spikes of both populations (rates are computed from them).
    """
    from brian2 import Mohm, ms, mV, nS, pA

    if isinstance(n, bool) or not isinstance(n, int) or n < 5:
        raise ValueError(f"n={n!r}: expected an integer >= 5")
    n_e = int(round(0.8 * n))
    params = dict(tau=20 * ms, R=100 * Mohm, E_L=-60 * mV, v_th=-50 * mV, v_reset=-60 * mV,
                  t_ref=5 * ms)
    init = {"v": Uniform(-60 * mV, -50 * mV)}
    pops = [Population("E", "lif", n_e, params=params, initial=init, I_e=200 * pA),
            Population("I", "lif", n - n_e, params=params, initial=init, I_e=200 * pA)]
    exc = Synapse("cond_exp", tau=5 * ms, E_rev=0 * mV, name="exc")
    inh = Synapse("cond_exp", tau=10 * ms, E_rev=-80 * mV, name="inh")
    delay = dt if dt is not None else 0.1 * ms
    conns = [Connection(pre, post, "fixed_probability", p=p, weight=w, delay=delay, synapse=s)
             for pre, w, s in (("E", 6 * nS, exc), ("I", 67 * nS, inh)) for post in ("E", "I")]
    rec = recording or Recording(spikes="all")
    return Network(pops, (), conns, rec, dt=delay, seed=seed)
