"""NEST 3.10 engine: a :class:`~.description.Network` built in NEST, run and read back.

NEST is imported only here, inside :func:`import_nest` (never at package import): with
``PYNEST_QUIET`` set so that its banner stays off stdout, and its log verbosity at errors
only. Where it is missing, one line says how to install it.

Each run starts from a fresh kernel (``nest.ResetKernel()``) with ``resolution = dt``,
``local_num_threads = threads`` and ``rng_seed`` from the network seed (stream 3 of
:mod:`.connectivity`, as Brian2's seed). Populations become the NEST models of
:mod:`.nest_models`.

Connectivity. ``connectivity="explicit"`` (default) connects the seeded ``(i, j)`` arrays of
:mod:`.connectivity` with ``nest.Connect(pre_ids, post_ids, "one_to_one")``, so Brian2 and NEST
run the *identical* graph; ``connectivity="nest"`` uses NEST's own rules (``all_to_all``,
``pairwise_bernoulli``, ``fixed_indegree`` without multapses, ``one_to_one``) drawn with NEST's
generator from ``rng_seed`` (a different graph of the same statistics; faster to build for big
networks, and what NEST does under MPI). Delays are rounded to a multiple of dt (>= dt: the
description checks it, NEST needs it).

Poisson inputs. A :class:`~.description.PoissonInput` connected ``one_to_one`` without
plasticity becomes one ``poisson_generator`` connected ``all_to_all`` to the targets: NEST's
generator draws an *independent* Poisson train for every target, several spikes in one step
allowed — the same process as Brian2's ``PoissonInput`` (binomial counts per step, independent
per neuron; :mod:`.brian2_engine`). Otherwise (other rules, plasticity) the input is ``n``
``parrot_neuron`` s, each repeating its own independent train from one ``poisson_generator``
(one step later: the generator → parrot delay is dt), connected by the rule — Brian2's
``PoissonGroup``. Each one_to_one connection of the same input gets its own generator, so two
such connections receive independent trains (on both engines).

Plasticity: ``stdp_synapse`` (:func:`.plasticity.nest_stdp_synapse`) with ``tau_minus`` set on
the post-synaptic population; NEST treats the delay as dendritic (:mod:`.plasticity`).

Timing conventions. NEST stamps a spike with the *end* of the step in which the threshold was
crossed, Brian2 with its start; the result subtracts one dt from NEST's spike times so the two
engines report the same time for the same event. Multimeter samples at ``t`` are the state at
``t`` on both engines.

MPI. The PyPI wheel (``pip install 'neurosim[nest]'``) is built without MPI (``have_mpi:
False``): only OpenMP threads were tested here. On a cluster, with an MPI build of NEST (e.g.
conda-forge's ``nest-simulator`` built with MPI), the same command runs as
``mpirun -np 4 python -m neurosim network brunel --engine nest --threads 2 ...``: every rank
builds the same description, NEST distributes the neurons, and each rank's spike recorder
holds its own neurons' spikes (this module reads only the local ones: gathering across ranks
was *not* implemented or tested). Use ``connectivity="nest"`` there.

Source: NEST 3.10 documentation (nest-simulator.readthedocs.io): "Connection management",
"poisson_generator", "parrot_neuron", "stdp_synapse", "multimeter", "Parallel computing".
"""

from __future__ import annotations

import os
import time

import numpy as np

from .connectivity import build_connectivity, initial_values, stream
from .description import Network, PoissonInput
from .nest_models import nest_model
from .nest_readout import collect, recorders
from .plasticity import nest_stdp_synapse
from .result import NetworkResult

__all__ = ["run_nest", "import_nest", "NEST_INSTALL_HINT"]

#: the one line shown where NEST cannot be imported
NEST_INSTALL_HINT = ("NEST is not installed: pip install 'neurosim[nest]' (or in a checkout: "
                     "make install, or pip install 'nest-simulator>=3.10,<3.11')")


def import_nest():
    """``import nest`` without its banner, log level errors only; ImportError with
    :data:`NEST_INSTALL_HINT` where NEST is missing."""
    os.environ.setdefault("PYNEST_QUIET", "1")  # read by pynest at import: no banner
    try:
        import nest
    except ImportError:
        raise ImportError(NEST_INSTALL_HINT) from None
    level = getattr(nest, "VerbosityLevel", None)
    if level is not None:
        nest.verbosity = level.ERROR
    else:  # pragma: no cover - NEST < 3.10
        nest.set_verbosity("M_ERROR")
    return nest


def _kernel(nest, network: Network, threads: int) -> float:
    dt_ms = float(network.dt) * 1e3
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": dt_ms, "local_num_threads": int(threads),
                          "rng_seed": int(stream(network.seed, 3).integers(1, 2 ** 31 - 1)),
                          "print_time": False})
    return dt_ms


def _set(nodes, params: dict) -> None:
    scalars = {k: v for k, v in params.items() if np.ndim(v) == 0}
    if scalars:
        nodes.set(scalars)
    for k, v in params.items():
        if np.ndim(v) == 1:
            nodes.set({k: [float(x) for x in v]})


def _populations(nest, network: Network):
    """Create every population; return ``{name: (nodes, NestModel)}``."""
    tau_minus = _tau_minus(network)
    init = initial_values(network)
    out = {}
    for pop in network.populations:
        nm = nest_model(network, pop.name)
        nodes = nest.Create(nm.name, pop.n)
        params = dict(nm.params)
        if pop.name in tau_minus:
            params["tau_minus"] = tau_minus[pop.name]
        for var, value in init[pop.name].items():
            if var not in nm.state:
                continue
            nest_name, factor = nm.state[var]
            scale = 1e3 if var == "v" else 1.0 / factor
            x = np.asarray(value, dtype=float) * scale
            params[nest_name] = float(x) if x.ndim == 0 else x
        _set(nodes, params)
        out[pop.name] = (nodes, nm)
    return out


def _tau_minus(network: Network) -> dict:
    out = {}
    for c in network.connections:
        if c.plasticity is None:
            continue
        tm = c.plasticity.tau_minus_ms
        if out.setdefault(c.post, tm) != tm:
            raise ValueError(f"Connection {c.name!r}: STDP tau_minus={tm:g} ms, but another "
                             f"plastic connection onto {c.post!r} has {out[c.post]:g} ms; NEST "
                             "keeps tau_minus on the post-synaptic neuron")
    return out


def _direct(network: Network, c) -> bool:
    return (isinstance(network.source(c.pre), PoissonInput) and c.rule == "one_to_one"
            and c.plasticity is None)


def _conn_spec(c) -> dict:
    spec = {"rule": {"fixed_probability": "pairwise_bernoulli"}.get(c.rule, c.rule)}
    if c.rule == "fixed_probability":
        spec["p"] = float(c.p)
    if c.rule == "fixed_indegree":
        spec.update(indegree=int(c.indegree), allow_multapses=False)
    if c.rule != "one_to_one":
        spec["allow_autapses"] = bool(c.allow_autapses)
    return spec


def _connect(nest, network, pops, conn_ij, explicit: bool, dt_ms: float):
    """Make every connection; return ``{name: (pre_nodes, post_nodes)}`` of plastic ones and
    the synapse count."""
    sources = {name: nodes for name, (nodes, _) in pops.items()}
    for inp in network.inputs:
        if any(c.pre == inp.name and not _direct(network, c) for c in network.connections):
            gen = nest.Create("poisson_generator", params={"rate": float(inp.rate)})
            parrots = nest.Create("parrot_neuron", inp.n)
            nest.Connect(gen, parrots, "all_to_all", {"delay": dt_ms})
            sources[inp.name] = parrots
    plastic, pairs, n_syn = {}, set(), 0
    for c in network.connections:
        post, nm = pops[c.post]
        delay = max(1, round(float(c.delay) * 1e3 / dt_ms)) * dt_ms
        w = float(np.asarray(c.weight)) * nm.weight_scale[c.synapse.name]
        syn = {"synapse_model": "static_synapse", "weight": w, "delay": delay}
        if c.plasticity is not None:
            c.plasticity.check_weight(c.weight)
            if (c.pre, c.post) in pairs:
                raise ValueError(f"Connection {c.name!r}: a second plastic connection "
                                 f"{c.pre}->{c.post}; the NEST engine reads weights per pair")
            pairs.add((c.pre, c.post))
            stdp, _ = nest_stdp_synapse(c.plasticity,
                                        float(np.asarray(c.plasticity.w_max)) * abs(
                                            nm.weight_scale[c.synapse.name]))
            if w < 0:
                raise ValueError(f"Connection {c.name!r}: STDP on an inhibitory NEST port "
                                 "(negative NEST weight) is not supported")
            syn.update(stdp)
        if _direct(network, c):
            gen = nest.Create("poisson_generator",
                              params={"rate": float(network.source(c.pre).rate)})
            nest.Connect(gen, post, "all_to_all", syn)
            n_syn += len(post)
            continue
        pre = sources[c.pre]
        if explicit:
            i, j = conn_ij[c.name]
            if len(i):  # NEST's array interface wants every parameter as an array
                arrays = {k: v if k == "synapse_model" else np.full(len(i), float(v))
                          for k, v in syn.items()}
                nest.Connect(pre[0].global_id + np.asarray(i, dtype=np.int64),
                             post[0].global_id + np.asarray(j, dtype=np.int64),
                             "one_to_one", arrays)
            n_syn += len(i)
        else:
            nest.Connect(pre, post, _conn_spec(c), syn)
            n_syn += nest.GetConnections(pre, post).__len__() if c.rule == "fixed_probability" \
                else _count(c, len(pre), len(post))
        if c.plasticity is not None:
            plastic[c.name] = (pre, post)
    return plastic, n_syn


def _count(c, n_pre, n_post) -> int:
    recurrent_no_self = c.pre == c.post and not c.allow_autapses
    if c.rule == "one_to_one":
        return 0 if recurrent_no_self else n_post
    if c.rule == "all_to_all":
        return n_pre * n_post - (n_post if recurrent_no_self else 0)
    return int(c.indegree) * n_post


def run_nest(network: Network, duration, *, warmup=None, threads: int = 1,
             connectivity: str = "explicit") -> NetworkResult:
    """Simulate ``network`` on NEST for ``warmup + duration``; statistics after ``warmup``.

    Parameters
    ----------
    network : Network
    duration, warmup : Quantity
        Measured time and the warm-up simulated before it (default 0 ms).
    threads : int
        NEST ``local_num_threads`` (OpenMP), >= 1.
    connectivity : {"explicit", "nest"}
        The description's seeded synapses (same graph as Brian2) or NEST's own rules.

    Returns
    -------
    NetworkResult
        ``engine="nest"``; spike times shifted by -dt to Brian2's convention (module
        docstring); ``state`` ``v`` in mV, the rest SI; ``weights`` of plastic connections in
        the order of ``connectivity[name]``.

    Raises
    ------
    ImportError
        NEST missing (:data:`NEST_INSTALL_HINT`).
    ValueError
        One line: bad times, threads or connectivity; a model, synapse or rule NEST lacks
        (:mod:`.nest_models`).
    """
    from .brian2_engine import _check_times

    t_warm, t_meas = _check_times(network, duration, warmup)
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads={threads!r}: expected an integer >= 1")
    if connectivity not in ("explicit", "nest"):
        raise ValueError(f"connectivity={connectivity!r}: choose explicit or nest")
    for pop in network.populations:  # refuse what NEST lacks before importing it
        nest_model(network, pop.name)
    nest = import_nest()
    t0 = time.perf_counter()
    dt_ms = _kernel(nest, network, threads)
    explicit = connectivity == "explicit"
    conn_ij = build_connectivity(network) if explicit else {}
    pops = _populations(nest, network)
    plastic, n_syn = _connect(nest, network, pops, conn_ij, explicit, dt_ms)
    spikes, meters = recorders(nest, network, pops, dt_ms)
    build_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    # NEST hands multimeter data over one min_delay late: run one max delay longer, cut after
    pad = max([float(c.delay) * 1e3 for c in network.connections] + [dt_ms])
    nest.Simulate((t_warm + t_meas) * 1e3 + max(1, round(pad / dt_ms)) * dt_ms)
    run_s = time.perf_counter() - t1
    return collect(nest, network, pops, t_warm, t_meas, dt_ms, spikes, meters, plastic,
                    conn_ij, n_syn, threads, build_s, run_s)

