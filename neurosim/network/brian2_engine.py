"""Brian2 engine: a :class:`~.description.Network` as Brian2 objects, run and read back.

The objects are built by :mod:`.brian2_groups` (NeuronGroups: equations, parameters as
namespace literals, populations sharing a group), :mod:`.brian2_synapses` (Synapses and
PoissonInputs, in NEST's order within a step: input before the threshold test, delay ``d -
dt``) and :mod:`.brian2_monitors` (monitors and the :class:`~.result.NetworkResult`).

Modes (one option): runtime code generation (:func:`neurosim.codegen.select_target`: Cython,
or numpy with a warning), or C++ standalone with ``threads`` OpenMP threads, built in a
private temporary directory per run (deleted afterwards) so concurrent runs never collide.
Brian2's random numbers are seeded with ``brian2.seed`` from the network seed (stream 3 of
:mod:`.connectivity`); Brian2 keeps that seed globally, the only global state touched.

Source: Brian2 documentation, "Running a simulation", "Computational methods and efficiency"
(standalone, OpenMP).
"""

from __future__ import annotations

import shutil
import tempfile
import time

from .brian2_groups import build_groups, neuron_equations
from .brian2_monitors import collect, make_monitors
from .brian2_synapses import build_synapses
from .connectivity import build_connectivity, stream
from .description import Network
from .result import NetworkResult

__all__ = ["run_brian2", "neuron_equations"]


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

    from neurosim.codegen import check_dt, guarded_run, select_target

    t_warm, t_meas = _check_times(network, duration, warmup)
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads={threads!r}: expected an integer >= 1")
    if threads > 1 and not standalone:
        raise ValueError(f"threads={threads}: OpenMP threads need the standalone mode "
                         "(--standalone)")
    dt = check_dt(network.dt)
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
        objects, where = build_groups(network, dt)
        syn_objects, plastic = build_synapses(network, conn_ij, where, dt)
        objects += syn_objects
        spikes, rates, states = make_monitors(network, where)
        net = b2.Network(objects, *spikes.values(), *rates.values(), *states.values())
        build_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        first = objects[0]
        with guarded_run(first, float(network.dt) * 1e3):
            net.run((t_warm + t_meas) * b2.second, namespace={})
            if standalone:
                b2.device.build(directory=build_dir, compile=True, run=True, with_output=False)
        run_s = time.perf_counter() - t1
        return collect(network, where, t_warm, t_meas, spikes, rates, states, plastic,
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
