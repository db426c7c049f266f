"""neurosim's single-neuron API vs a plain hand-written Brian2 script of the same model.

Model: Hodgkin–Huxley squid axon (rest −65 mV), N neurons, RK4 at dt = 0.01 ms, a step of
N different currents (an f–I curve: 20 ms rest, STEP ms step, 30 ms tail), spikes recorded.
Both sides build a fresh Network each repetition (code generation + run), in one process.

- "cold": first run in an empty Cython cache (compilation included), per side;
- "warm": median of REPEAT later runs (compiled modules cached), per side;
- ratio = warm(neurosim) / warm(plain Brian2); target ≤ 1.1.

    .venv/bin/python benchmarks/neuron_overhead.py [--n 100] [--step-ms 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np


def plain_brian2(currents_uA_cm2, step_ms):
    """The f–I curve written directly in Brian2, as in its HH examples."""
    from brian2 import (Network, NeuronGroup, SpikeMonitor, cm, exprel, mS, ms, mV, uA, uF)

    Cm, gNa, gK, gL = 1 * uF / cm ** 2, 120 * mS / cm ** 2, 36 * mS / cm ** 2, 0.3 * mS / cm ** 2
    ENa, EK, EL = 50 * mV, -77 * mV, -54.387 * mV
    eqs = """
    dv/dt = (gNa*m**3*h*(ENa - v) + gK*n**4*(EK - v) + gL*(EL - v) + I)/Cm : volt
    dm/dt = alpha_m*(1 - m) - beta_m*m : 1
    dh/dt = alpha_h*(1 - h) - beta_h*h : 1
    dn/dt = alpha_n*(1 - n) - beta_n*n : 1
    alpha_m = 1.0/exprel(-(v + 40*mV)/(10*mV))/ms : Hz
    beta_m = 4.0*exp(-(v + 65*mV)/(18*mV))/ms : Hz
    alpha_h = 0.07*exp(-(v + 65*mV)/(20*mV))/ms : Hz
    beta_h = 1.0/(1 + exp(-(v + 35*mV)/(10*mV)))/ms : Hz
    alpha_n = 0.1/exprel(-(v + 55*mV)/(10*mV))/ms : Hz
    beta_n = 0.125*exp(-(v + 65*mV)/(80*mV))/ms : Hz
    I : amp/meter**2
    """
    group = NeuronGroup(len(currents_uA_cm2), eqs, threshold="v > -20*mV",
                        refractory="v > -20*mV", method="rk4", dt=0.01 * ms,
                        name="plain_hh")
    group.v = -65 * mV
    group.m, group.h, group.n = 0.052932, 0.596121, 0.317677  # steady state at -65 mV
    spikes = SpikeMonitor(group, name="plain_hh_spikes")
    net = Network(group, spikes)
    net.run(20 * ms)
    group.I = currents_uA_cm2 * uA / cm ** 2
    net.run(step_ms * ms)
    group.I = 0 * uA / cm ** 2
    net.run(30 * ms)
    trains = spikes.spike_trains()
    return np.array([len(trains[i]) for i in range(len(currents_uA_cm2))])


def project(currents_uA_cm2, step_ms):
    from brian2 import cm, ms, uA

    from neurosim.neuron.library import hh
    from neurosim.neuron.protocols import fi_curve

    fi = fi_curve(hh(), currents_uA_cm2 * uA / cm ** 2, step_ms * ms)
    return np.array([len(s) for s in fi.result.spike_times_ms])


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--step-ms", type=float, default=1000.0)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    cache = tempfile.mkdtemp(prefix="neurosim-bench-cache-")
    os.environ["NEUROSIM_BRIAN2_CACHE"] = cache  # empty cache: the first runs compile
    try:
        return _run(a)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def _run(a) -> int:
    from neurosim.codegen import select_target

    target = select_target()
    currents = np.linspace(0.0, 20.0, a.n)
    cold_plain, n_plain = timed(plain_brian2, currents, a.step_ms)
    cold_proj, n_proj = timed(project, currents, a.step_ms)
    if not np.array_equal(n_plain, n_proj):
        print("MISMATCH: spike counts differ between the two sides", file=sys.stderr)
        return 1
    warm_plain, warm_proj = [], []
    for _ in range(a.repeat):  # interleaved, so machine load drifts hit both sides alike
        warm_plain.append(timed(plain_brian2, currents, a.step_ms)[0])
        warm_proj.append(timed(project, currents, a.step_ms)[0])
    wp, wq = statistics.median(warm_plain), statistics.median(warm_proj)
    print(f"HH f-I curve, {a.n} neurons x {a.step_ms + 50:.0f} ms, RK4 dt=0.01 ms, target={target}")
    print(f"identical spike counts on both sides: {int(n_proj.sum())} spikes")
    print(f"cold (compile + run): plain Brian2 {cold_plain:6.2f} s   neurosim {cold_proj:6.2f} s")
    print(f"warm (median of {a.repeat}): plain Brian2 {wp:6.2f} s   neurosim {wq:6.2f} s")
    print(f"compile time (cold - warm): plain Brian2 {cold_plain - wp:6.2f} s   "
          f"neurosim {cold_proj - wq:6.2f} s")
    print(f"warm overhead ratio neurosim / plain = {wq / wp:.3f}  (target <= 1.1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
