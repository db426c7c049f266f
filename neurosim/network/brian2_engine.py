"""Brian2 engine: a :class:`~.description.Network` as Brian2 objects, run and read back.

Populations whose generated code is identical (same model, parameters and synapse channels)
share one ``NeuronGroup`` and are index ranges of it; the equations are the model's with
``I_inj = I_e + Σ_s I_s`` (:mod:`.description`) and one state variable per synapse channel;
scalar parameters are namespace constants (literals in the generated code), array parameters
per-neuron ``(constant)`` variables. Static connections between the same groups with the same
synapse, weight and delay share one ``Synapses`` object, connected with the explicit
``(i, j)`` arrays of :mod:`.connectivity` (so NEST can use the very same synapses), one
homogeneous delay and the weight as a ``(shared, constant)`` variable (a per-synapse ``w``
only when plastic): the COBA network is then one group and two Synapses, as a hand-written
script has it. A Poisson source connected ``one_to_one``
without plasticity becomes a Brian2 ``PoissonInput`` on the target variable: per step each
neuron receives ``Binomial(N, r dt / N)`` events with ``N = ceil(100 r dt)`` (so ``r dt / N <=
0.01``; the count's variance is 1 % below Poisson's at most); its delay only shifts the
process, which stays Poisson, and is not applied. Other Poisson connections use a
``PoissonGroup`` (at most one spike per step: ``r dt <= 1`` is required).

Order within a step, as NEST's: integrate, add the input arriving in this step, test the
threshold. Brian2's default (integrate, threshold, then synapses) would let the input of a step
decay for one dt before its threshold test — an effective threshold ~v dt/τ higher, which cut
the rate of Brunel's low-rate state (g = 4.5, η = 0.9) by 25 %. So the presynaptic pathways
and the Poisson inputs run ``before_thresholds``; a pathway then sees the spikes of the
previous step, which costs one dt, and is given the delay ``d - dt`` (hence ``d >= dt``). The
postsynaptic (STDP) pathway stays in the ``synapses`` slot and sees a post spike in its step.

Delta synapses add ``w * int(not_refractory)`` (NEST's ``iaf_psc_delta`` drops input during
the refractory period; the Siegert theory of :mod:`.theory` assumes the same).

Modes (one option): runtime code generation (:func:`neurosim.codegen.select_target`: Cython,
or numpy with a warning), or C++ standalone with ``threads`` OpenMP threads, built in a
private temporary directory per run (deleted afterwards) so concurrent runs never collide.
Brian2's random numbers are seeded with ``brian2.seed`` from the network seed (stream 3 of
:mod:`.connectivity`); Brian2 keeps that seed globally, the only global state touched.

Source: Brian2 documentation, "Models and neuron groups", "Synapses", "Input stimuli"
(``PoissonInput``), "Computational methods and efficiency" (standalone, OpenMP).
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time

import numpy as np

from .connectivity import build_connectivity, initial_values, stream
from .description import Network, PoissonInput
from .result import NetworkResult

__all__ = ["run_brian2", "neuron_equations"]


def neuron_equations(network: Network, pop) -> tuple[str, dict, dict]:
    """Brian2 equations of one population, its namespace and its shared variables.

    Scalar model parameters and the channel constants ``tau_<name>``, ``E_<name>`` go into
    the namespace: Brian2 writes them into the generated code as literals, as a hand-written
    script does. Array parameters are per-neuron ``(constant)`` variables.
    Weights of Poisson inputs (``w_in<k>``) are ``(shared, constant)`` variables, so that a
    sweep over weights (Brunel's g) reuses one compiled module.

    Returns
    -------
    equations : str
        Model equations, ``I_inj``, ``I_e``, array parameters, channel variables.
    namespace : dict of str -> Quantity
        Scalar parameters and channel constants.
    shared : dict of str -> Quantity
        Values of the ``(shared, constant)`` variables, to set after creating the group.
    """
    from neurosim.neuron.model import unit_string

    model = pop.neuron_model
    params = {**model.parameters, **pop.params}
    unit = "amp/meter**2" if model.current == "density" else "amp"
    namespace, shared, decl = {}, {}, []
    for name, value in {**params, "I_e": pop.I_e}.items():
        scalar = uniform_value(value)
        if scalar is None:
            ref = model.parameters.get(name, pop.I_e)
            decl.append(f"{name} : {unit if name == 'I_e' else unit_string(ref)} (constant)")
        elif name != "I_e" or float(scalar) != 0:  # a zero I_e is left out of I_inj
            namespace[name] = scalar
    terms, chans = (["I_e"] if "I_e" in namespace or uniform_value(pop.I_e) is None
                    else []), []
    for s in network.channels(pop.name).values():
        tau = f"tau_{s.name}"
        if s.kind == "delta":
            continue
        namespace[tau] = s.tau
        if s.kind == "exp":
            chans.append(f"dI_{s.name}/dt = -I_{s.name}/{tau} : {unit}")
            terms.append(f"I_{s.name}")
        elif s.kind == "alpha":
            chans.append(f"dI_{s.name}/dt = (x_{s.name} - I_{s.name})/{tau} : {unit}")
            chans.append(f"dx_{s.name}/dt = -x_{s.name}/{tau} : {unit}")
            terms.append(f"I_{s.name}")
        else:  # cond_exp
            namespace[f"E_{s.name}"] = s.E_rev
            chans.append(f"dg_{s.name}/dt = -g_{s.name}/{tau} : {unit}/volt")
            terms.append(f"g_{s.name}*(E_{s.name} - v)")
    for k, c in enumerate(network.connections):
        if c.post == pop.name and _direct(network, c):
            shared[f"w_in{k}"] = c.weight
            chans.append(f"w_in{k} : {unit_string(c.weight)} (shared, constant)")
    eqs = "\n".join([model.equations.strip(), f"I_inj = {' + '.join(terms) or '0*' + unit} : {unit}",
                     *decl, *chans]) + "\n"
    return eqs, namespace, shared


def uniform_value(value):
    """``value`` as one scalar if it is a scalar or an array of equal entries, else None.

    Such a parameter becomes a namespace constant (a literal in the generated code, as a
    hand-written script has it) instead of a per-neuron array read in every step.
    """
    if not np.ndim(value):
        return value
    flat = np.asarray(value).ravel()
    if flat.size and np.all(flat == flat[0]):
        return value.ravel()[0] if hasattr(value, "ravel") else flat[0]
    return None


def _target(syn, model, w_expr: str) -> tuple[str, str]:
    """(variable, increment) a spike of a ``syn`` synapse applies to the postsynaptic neuron."""
    if syn.kind == "delta":
        gate = "*int(not_refractory)" if model.refractory is not False else ""
        return "v", f"{w_expr}{gate}"
    if syn.kind == "alpha":
        return f"x_{syn.name}", f"{w_expr}*{math.e!r}"
    return (f"I_{syn.name}" if syn.kind == "exp" else f"g_{syn.name}"), w_expr


def _build(network: Network, conn_ij: dict):
    import brian2 as b2

    from neurosim.neuron.model import unit_string

    from neurosim.codegen import check_dt

    dt = check_dt(network.dt)
    init = initial_values(network)
    objects, blocks, where = [], {}, {}
    for pop in network.populations:  # populations with identical code share one NeuronGroup
        model = pop.neuron_model
        eqs, ns, shared = neuron_equations(network, pop)
        key = (eqs, model.threshold, model.reset, str(model.refractory), model.method_for(dt),
               tuple(sorted((k, repr(v)) for k, v in {**ns, **shared}.items())))
        blocks.setdefault(key, []).append(pop)
    for key, pops in blocks.items():
        model, (eqs, ns, shared) = pops[0].neuron_model, neuron_equations(network, pops[0])
        g = b2.NeuronGroup(sum(p.n for p in pops), eqs, threshold=model.threshold,
                           reset=model.reset, refractory=model.refractory,
                           method=model.method_for(dt), dt=dt, namespace=ns,
                           name="pop_" + "_".join(p.name for p in pops))
        for name, value in shared.items():
            setattr(g, name, value)
        start = 0
        for pop in pops:
            sub = g[start:start + pop.n]
            for name, value in {**pop.params, "I_e": pop.I_e, **init[pop.name]}.items():
                if name in g.variables and name not in shared and name not in ns:
                    setattr(sub, name, value)
            where[pop.name] = (g, start, model)
            start += pop.n
        objects.append(g)
    for inp in network.inputs:
        if any(c.pre == inp.name and not _direct(network, c) for c in network.connections):
            if float(inp.rate * dt) > 1:
                raise ValueError(f"PoissonInput {inp.name!r} rate={inp.rate!r}: above 1/dt; "
                                 "connect it one_to_one without plasticity")
            where[inp.name] = (b2.PoissonGroup(inp.n, inp.rate, dt=dt,
                                               name=f"poisson_{inp.name}"), 0, None)
            objects.append(where[inp.name][0])
    # static connections between the same groups with the same synapse, weight and delay
    # become one Synapses object (as a hand-written script has one per synapse type)
    merged, plastic = {}, {}
    for k, c in enumerate(network.connections):
        post, j0, model = where[c.post]
        if _direct(network, c):
            rate = network.source(c.pre).rate
            n_each = max(1, math.ceil(100 * float(rate * dt)))
            var, inc = _target(c.synapse, model, f"w_in{k}")
            objects.append(b2.PoissonInput(post, var, n_each, rate / n_each, weight=inc,
                                           when="before_thresholds"))
            continue
        i, j = conn_ij[c.name]
        pre, i0, _ = where[c.pre]
        if c.plasticity is None:
            key = (pre.name, post.name, repr(c.synapse), repr(c.weight), repr(c.delay))
            merged.setdefault(key, (k, c, model, []))[3].append((i + i0, j + j0))
            continue
        var, inc = _target(c.synapse, model, "w")
        from .plasticity import brian2_stdp_model

        c.plasticity.check_weight(c.weight)
        eqs, on_pre, on_post = brian2_stdp_model(c.plasticity, "w")
        S = b2.Synapses(pre, post, model=eqs, on_pre=on_pre + f"{var}_post += {inc}\n",
                        on_post=on_post, delay=c.delay - dt, dt=dt, name=f"syn{k}")
        S.pre.when = "before_thresholds"  # NEST's order; see the module docstring
        if len(i):
            S.connect(i=i + i0, j=j + j0)
            S.w = c.weight
        plastic[c.name] = S
        objects.append(S)
    for (pre_name, post_name, *_), (k, c, model, parts) in merged.items():
        i = np.concatenate([p[0] for p in parts])
        if not len(i):
            continue
        j = np.concatenate([p[1] for p in parts])
        # synapses ordered by (i, j), as connect(p=...) orders them: a spike's synapses
        # are contiguous and its targets ascending (cache-friendly delivery); the source
        # is the index range that has synapses (a spike outside it is never queued)
        order = np.lexsort((j, i))
        i, j = i[order], j[order]
        lo, hi = int(i[0]), int(i[-1]) + 1
        var, inc = _target(c.synapse, model, "w_syn")
        S = b2.Synapses(where[c.pre][0][lo:hi], where[c.post][0],
                        f"w_syn : {unit_string(c.weight)} (shared, constant)",
                        on_pre=f"{var}_post += {inc}", delay=c.delay - dt, dt=dt,
                        name=f"syn{k}")
        S.pre.when = "before_thresholds"
        S.connect(i=i - lo, j=j)
        S.w_syn = c.weight
        objects.append(S)
    return objects, where, plastic


def _direct(network: Network, c) -> bool:
    """A Poisson source connected one_to_one without plasticity (-> brian2.PoissonInput)."""
    return (isinstance(network.source(c.pre), PoissonInput) and c.rule == "one_to_one"
            and c.plasticity is None)


def _monitors(network: Network, where: dict):
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


def run_brian2(network: Network, duration, *, warmup=None, standalone: bool = False,
               threads: int = 1, codegen: str | None = None) -> NetworkResult:
    """Simulate ``network`` on Brian2 for ``warmup + duration``; record only after warm-up.

    Parameters
    ----------
    network : Network
    duration, warmup : Quantity
        Measured time and warm-up simulated before it (default 0 ms).
    standalone : bool
        C++ standalone (compiled as a whole in a private temp directory) instead of runtime.
    threads : int
        OpenMP threads of the standalone mode (runtime mode is single-threaded: 1 only).
    codegen : {"cython", "numpy", None}
        Runtime target (:func:`neurosim.codegen.select_target`).

    Returns
    -------
    NetworkResult

    Raises
    ------
    ValueError
        Bad duration / threads (one line), a Poisson rate above 1/dt on a PoissonGroup, or a
        diverged integration.
    """
    import brian2 as b2

    from neurosim.codegen import guarded_run, select_target

    t_warm, t_meas = _check_times(network, duration, warmup)
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads={threads!r}: expected an integer >= 1")
    if threads > 1 and not standalone:
        raise ValueError(f"threads={threads}: OpenMP threads need the standalone mode "
                         "(--standalone)")
    t0 = time.perf_counter()
    conn_ij = build_connectivity(network)
    build_dir = None
    if standalone:
        build_dir = tempfile.mkdtemp(prefix="neurosim-brian2-")
        b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = threads
        detail = f"cpp_standalone, {threads} thread{'s' if threads > 1 else ''}"
    else:
        b2.set_device("runtime")
        detail = select_target(codegen)
    try:
        b2.start_scope()
        b2.seed(int(stream(network.seed, 3).integers(2 ** 31 - 1)))
        objects, where, plastic = _build(network, conn_ij)
        spikes, rates, states = _monitors(network, where)
        net = b2.Network(objects, *spikes.values(), *rates.values(), *states.values())
        build_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        first = objects[0]
        with guarded_run(first, float(network.dt) * 1e3):
            net.run((t_warm + t_meas) * b2.second)
            if standalone:
                b2.device.build(directory=build_dir, compile=True, run=True, with_output=False)
        run_s = time.perf_counter() - t1
        return _collect(network, where, t_warm, t_meas, spikes, rates, states, plastic,
                        conn_ij, detail, build_s, run_s)
    finally:
        if standalone:
            b2.device.reinit()
            b2.set_device("runtime")
            shutil.rmtree(build_dir, ignore_errors=True)


def _check_times(network, duration, warmup):
    from .description import check_quantity
    from brian2 import ms

    check_quantity(duration, ms, "duration", positive=True)
    warm = 0 * ms if warmup is None else check_quantity(warmup, ms, "warmup", nonnegative=True)
    return float(warm), float(duration)


def _collect(network, where, t_warm, t_meas, spikes, rates, states, plastic, conn_ij,
             detail, build_s, run_s) -> NetworkResult:
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
