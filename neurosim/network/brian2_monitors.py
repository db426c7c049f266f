"""Brian2 monitors of a network's recording, and their read-out as a NetworkResult.

One ``SpikeMonitor`` per NeuronGroup (split by population afterwards), a
``PopulationRateMonitor`` per population (on its subgroup), a ``StateMonitor`` per population;
everything before the warm-up's end is dropped, times in ms, ``v`` in mV.

Source: Brian2 documentation, "Recording during a simulation".
"""

from __future__ import annotations

import numpy as np

from .description import Network
from .result import NetworkResult

__all__ = ["make_monitors", "collect"]


def make_monitors(network: Network, where: dict):
    """Monitors: one SpikeMonitor per NeuronGroup (split by population afterwards), a
    PopulationRateMonitor per population (on its subgroup), a StateMonitor per population."""
    import brian2 as b2

    rec = network.recording
    spikes = {}
    for p in network.recorded("spikes"):
        g = where[p][0]
        if g.name not in spikes:
            spikes[g.name] = b2.SpikeMonitor(g, name=f"spikes_{g.name}")
    rates = {}
    for p in network.recorded("rate"):
        g, start, _ = where[p]
        n = network.population(p).n
        rates[p] = b2.PopulationRateMonitor(g[start:start + n], name=f"rate_{p}")
    states = {p: b2.StateMonitor(where[p][0], list(v), record=[where[p][1] + int(x) for x in idx],
                                 dt=rec.state_dt or network.dt, name=f"state_{p}")
              for p, (v, idx) in rec.state.items()}
    return spikes, rates, states


def collect(network, where, t_warm, t_meas, spikes, rates, states, plastic, conn_ij,
            detail, build_s, run_s) -> NetworkResult:
    """The monitors' data after ``t_warm`` (s) as a NetworkResult (times in ms, v in mV)."""
    from neurosim.codegen import check_finite

    t0_ms, t1_ms = t_warm * 1e3, (t_warm + t_meas) * 1e3
    out_spikes = {}
    for p in network.recorded("spikes"):
        g, start, _ = where[p]
        m = spikes[g.name]
        t = np.asarray(m.t_[:]) * 1e3
        i = np.asarray(m.i[:]).astype(np.int32) - start
        keep = (t >= t0_ms - 1e-9) & (i >= 0) & (i < network.population(p).n)
        out_spikes[p] = (t[keep], i[keep])
    out_rates = {}
    for p, m in rates.items():
        t = np.asarray(m.t_[:]) * 1e3
        keep = t >= t0_ms - 1e-9
        out_rates[p] = (t[keep], np.asarray(m.rate_[:])[keep])
    state, state_t, state_idx = {}, {}, {}
    for p, m in states.items():
        t = np.asarray(m.t_[:]) * 1e3
        keep = t >= t0_ms - 1e-9
        variables, idx = network.recording.state[p]
        state[p] = {v: np.asarray(getattr(m, v + "_"))[:, keep] * (1e3 if v == "v" else 1.0)
                    for v in variables}
        state_t[p], state_idx[p] = t[keep], np.asarray(idx, dtype=int)
        check_finite(state[p], state_t[p], dt_ms=float(network.dt) * 1e3)
    weights, units = {}, {}
    for name, S in plastic.items():
        weights[name] = np.asarray(S.w_[:], dtype=float)
        units[name] = _unit_text(network, name)
    n_syn = sum(len(conn_ij[c.name][0]) for c in network.connections)
    return NetworkResult(
        spikes=out_spikes, sizes={p.name: p.n for p in network.populations}, t_start_ms=t0_ms,
        t_stop_ms=t1_ms, dt_ms=float(network.dt) * 1e3, engine="brian2", detail=detail,
        state=state, state_t_ms=state_t, state_indices=state_idx, rates=out_rates,
        weights=weights, weight_unit=units, connectivity=conn_ij, n_synapses=n_syn,
        build_s=build_s, run_s=run_s)


def _unit_text(network, conn_name: str) -> str:
    from brian2 import get_dimensions

    c = next(c for c in network.connections if c.name == conn_name)
    return str(get_dimensions(c.weight)) or "1"
