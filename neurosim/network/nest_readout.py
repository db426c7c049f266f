"""Read a NEST run back into a :class:`~.result.NetworkResult` (part of :mod:`.nest_engine`).

Spike recorders per population (spikes and rates), multimeters per recorded population; spike
times are shifted by -dt to Brian2's stamp (a spike at the start of the step that crossed the
threshold, :mod:`.nest_engine`); population rates are spike counts per dt bin / (n dt); state
variables are converted to the units of :mod:`.result` (``v`` mV, the rest SI) by the factors
of :class:`~.nest_models.NestModel`; plastic weights are read with ``GetConnections`` and put
in the ``(j, i)`` order of :mod:`.connectivity`.
"""

from __future__ import annotations

import numpy as np

from .result import NetworkResult

__all__ = ["recorders", "collect"]


def recorders(nest, network, pops, dt_ms):
    rec = network.recording
    spike_pops = sorted(set(network.recorded("spikes")) | set(network.recorded("rate")))
    spikes = {}
    for p in spike_pops:
        spikes[p] = nest.Create("spike_recorder")
        nest.Connect(pops[p][0], spikes[p])
    meters = {}
    interval = float(rec.state_dt) * 1e3 if rec.state_dt is not None else dt_ms
    interval = max(1, round(interval / dt_ms)) * dt_ms
    for p, (variables, idx) in rec.state.items():
        nodes, nm = pops[p]
        missing = [v for v in variables if v not in nm.state]
        if missing:
            raise ValueError(f"Recording state[{p!r}] variable {missing[0]!r}: NEST's "
                             f"{nm.name} has no such state; record {', '.join(nm.state)}")
        idx = np.asarray(idx, dtype=int)
        uniq = np.unique(idx)
        m = nest.Create("multimeter", params={
            "interval": interval, "record_from": sorted({nm.state[v][0] for v in variables})})
        if len(uniq):
            nest.Connect(m, nest.NodeCollection([int(nodes[0].global_id + k) for k in uniq]))
        meters[p] = (m, idx, nodes[0].global_id)
    return spikes, meters


def collect(nest, network, pops, t_warm, t_meas, dt_ms, spikes, meters, plastic, conn_ij,
             n_syn, threads, build_s, run_s) -> NetworkResult:
    t0_ms, t1_ms = t_warm * 1e3, (t_warm + t_meas) * 1e3
    out_spikes, out_rates = {}, {}
    for p, rec in spikes.items():
        ev = rec.get("events")
        t = np.asarray(ev["times"], dtype=float) - dt_ms
        i = (np.asarray(ev["senders"], dtype=np.int64) - pops[p][0][0].global_id).astype(np.int32)
        order = np.argsort(t, kind="stable")
        t, i = t[order], i[order]
        keep = (t >= t0_ms - 1e-9) & (t < t1_ms - 1e-9)
        t, i = t[keep], i[keep]
        if p in network.recorded("spikes"):
            out_spikes[p] = (t, i)
        if p in network.recorded("rate"):
            n_bins = int(round((t1_ms - t0_ms) / dt_ms))
            edges = t0_ms + dt_ms * np.arange(n_bins + 1)
            counts = np.histogram(t, bins=edges)[0]
            out_rates[p] = (edges[:-1], counts / (len(pops[p][0]) * dt_ms * 1e-3))
    state, state_t, state_idx = {}, {}, {}
    for p, (m, idx, first) in meters.items():
        nm = pops[p][1]
        ev = m.get("events")
        senders = np.asarray(ev["senders"], dtype=np.int64) - first
        times = np.asarray(ev["times"], dtype=float)
        ok = (times >= t0_ms - 1e-9) & (times < t1_ms - 1e-9)
        ts = np.unique(times[ok])
        col = np.searchsorted(ts, times)
        variables, _ = network.recording.state[p]
        state[p] = {}
        for v in variables:
            nest_name, factor = nm.state[v]
            values = np.full((int(senders.max(initial=-1)) + 1, len(ts)), np.nan)
            values[senders[ok], col[ok]] = np.asarray(ev[nest_name], dtype=float)[ok] * factor
            state[p][v] = values[idx] if len(idx) else np.zeros((0, len(ts)))
        state_t[p], state_idx[p] = ts, idx
    weights, units = {}, {}
    for name, (pre, post) in plastic.items():
        c = next(c for c in network.connections if c.name == name)
        conns = nest.GetConnections(pre, post, synapse_model="stdp_synapse")
        got = conns.get(["source", "target", "weight"])
        src = np.asarray(got["source"], dtype=np.int64) - pre[0].global_id
        tgt = np.asarray(got["target"], dtype=np.int64) - post[0].global_id
        order = np.lexsort((src, tgt))  # the (j, i) order of connectivity
        scale = abs(pops[c.post][1].weight_scale[c.synapse.name])
        weights[name] = np.asarray(got["weight"], dtype=float)[order] / scale
        units[name] = _unit_text(c.weight)
        if name not in conn_ij:
            conn_ij[name] = (src[order].astype(np.int32), tgt[order].astype(np.int32))
    return NetworkResult(
        spikes=out_spikes, sizes={p.name: p.n for p in network.populations}, t_start_ms=t0_ms,
        t_stop_ms=t1_ms, dt_ms=dt_ms, engine="nest", state=state, state_t_ms=state_t,
        state_indices=state_idx, rates=out_rates, weights=weights, weight_unit=units,
        detail=f"nest {nest.__version__}, {threads} thread{'s' if threads > 1 else ''}",
        connectivity=conn_ij, n_synapses=n_syn, build_s=build_s, run_s=run_s)


def _unit_text(weight) -> str:
    from brian2 import get_dimensions

    return str(get_dimensions(weight)) or "1"
