"""neurosim on Brian2 vs a hand-written Brian2 script: the COBA network, in one run.

Network: Vogels & Abbott (2005) COBA as benchmark 1 of Brette et al. (2007) — 4000 LIF
neurons (3200 E, 800 I), p = 0.02, conductance synapses 6 nS (τ 5 ms, 0 mV) and 67 nS (τ 10 ms,
-80 mV), 200 pA drive, delay 0.1 ms, 1 s at dt = 0.1 ms, exponential Euler, spikes recorded —
once as
:func:`neurosim.network.models.coba` through :func:`neurosim.network.simulate`, once written
directly in Brian2 as its examples do (one NeuronGroup, two Synapses connected with
``connect(p=0.02)``, one SpikeMonitor). Same device and target (runtime, Cython; or both C++
standalone with ``--standalone``).

- "cold": first run of each side (Cython compilation included);
- "warm": median of REPEAT later runs, interleaved so machine-load drifts hit both alike;
- ratio = warm(neurosim) / warm(hand-written); target <= 1.1.

The two sides draw different random graphs and initial values, so their rates differ a little
and the run time follows the rate (more spikes, more synaptic events). Both sides therefore
draw a new graph in every repeat (hand-written: ``brian2.seed(k)``; neurosim: network seed
``k``), and the mean rates over the repeats are printed.

    .venv/bin/python benchmarks/bench_network_coba.py [--duration-ms 1000] [--repeat 3]
    .venv/bin/python benchmarks/bench_network_coba.py --scaling 1000,2000,4000,8000

``--scaling`` also times Brunel model A (neurosim, warm) at fixed in-degree (C_E = 400,
C_I = 100, so every network has the same synapses per neuron) for N_E + N_I = the given sizes
and prints the slope of log(run time) against log(N).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np


def hand_written(duration_ms: float, seed: int = 1) -> tuple[float, float, float]:
    """The COBA network written directly in Brian2; returns (seconds, mean rate Hz, seconds
    of ``net.run``)."""
    import brian2 as b2
    from brian2 import Mohm, ms, mV, nS, pA

    t0 = time.perf_counter()
    b2.start_scope()
    b2.seed(seed)
    tau, R, E_L, v_th, v_reset = 20 * ms, 100 * Mohm, -60 * mV, -50 * mV, -60 * mV
    E_exc, E_inh, tau_exc, tau_inh, I_e = 0 * mV, -80 * mV, 5 * ms, 10 * ms, 200 * pA
    eqs = """
    dv/dt = (E_L - v + R*(I_e + g_exc*(E_exc - v) + g_inh*(E_inh - v)))/tau : volt (unless refractory)
    dg_exc/dt = -g_exc/tau_exc : siemens
    dg_inh/dt = -g_inh/tau_inh : siemens
    """
    P = b2.NeuronGroup(4000, eqs, threshold="v > v_th", reset="v = v_reset", refractory=5 * ms,
                       method="exponential_euler", dt=0.1 * ms, name="hand_P")
    P.v = "v_reset + rand()*(v_th - v_reset)"
    Ce = b2.Synapses(P[:3200], P, on_pre="g_exc_post += 6*nS", delay=0.1 * ms, dt=0.1 * ms,
                     name="hand_Ce")
    Ci = b2.Synapses(P[3200:], P, on_pre="g_inh_post += 67*nS", delay=0.1 * ms, dt=0.1 * ms,
                     name="hand_Ci")
    Ce.connect(p=0.02)
    Ci.connect(p=0.02)
    spikes = b2.SpikeMonitor(P, name="hand_spikes")
    net = b2.Network(P, Ce, Ci, spikes)
    t1 = time.perf_counter()
    net.run(duration_ms * ms)
    t2 = time.perf_counter()
    return t2 - t0, spikes.num_spikes / 4000 / (duration_ms * 1e-3), t2 - t1


def project(duration_ms: float, standalone: bool = False,
            seed: int = 1) -> tuple[float, float, float]:
    """The same network through neurosim; returns (seconds, mean rate Hz, seconds of the
    run alone)."""
    from brian2 import ms

    from neurosim.network import simulate
    from neurosim.network.models import coba

    t0 = time.perf_counter()
    res = simulate(coba(4000, seed=seed), duration_ms * ms, standalone=standalone)
    n = sum(len(t) for t, _ in res.spikes.values())
    return time.perf_counter() - t0, n / 4000 / (duration_ms * 1e-3), res.run_s


def scaling(sizes, duration_ms: float) -> None:
    """Brunel model A (g 5, eta 2) at fixed in-degree C_E = 400, C_I = 100; N = N_E + N_I."""
    from brian2 import Hz, ms

    from neurosim.network import Connection, Network, PoissonInput, simulate
    from neurosim.network.models import brunel

    rows = []
    for n in sizes:
        base = brunel(n // 5, 5.0, 2.0, seed=1)
        conns = []
        for c in base.connections:  # same in-degree at every size
            if c.rule == "fixed_indegree":
                k = 400 if c.pre == "E" else 100
                c = Connection(c.pre, c.post, c.rule, c.weight, c.delay, c.synapse, indegree=k)
            conns.append(c)
        # eta nu_thr C_E = eta theta / (J tau) = 2 * 20 mV / (0.1 mV * 20 ms) = 20 kHz
        inputs = tuple(PoissonInput(i.name, i.n, 20000 * Hz) for i in base.inputs)
        net = Network(base.populations, inputs, conns, base.recording, dt=base.dt, seed=1)
        simulate(net, 10 * ms)  # compile / warm
        t0 = time.perf_counter()
        res = simulate(net, duration_ms * ms)
        dt_s = time.perf_counter() - t0
        rate = sum(len(t) for t, _ in res.spikes.values()) / n / (duration_ms * 1e-3)
        rows.append((n, dt_s, res.run_s, rate))
        print(f"  N = {n:6d}: wall {dt_s:6.2f} s (run {res.run_s:6.2f} s), rate {rate:5.1f} Hz",
              flush=True)
    logn = np.log([r[0] for r in rows])
    slope = np.polyfit(logn, np.log([r[2] for r in rows]), 1)[0]
    print(f"scaling slope d log(run time) / d log(N) at fixed in-degree = {slope:.2f}")
    # a fixed per-step cost dominates small networks and flattens the fit; the local slopes
    # show where the cost per neuron takes over
    local = [np.log(b[2] / a[2]) / np.log(b[0] / a[0]) for a, b in zip(rows, rows[1:])]
    print("local slopes: " + "  ".join(f"{a[0]}->{b[0]}: {x:.2f}"
                                       for a, b, x in zip(rows, rows[1:], local)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration-ms", type=float, default=1000.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--standalone", action="store_true",
                    help="both sides in C++ standalone mode (compiled each run)")
    ap.add_argument("--scaling", default="", help="comma-separated Brunel sizes N_E + N_I")
    a = ap.parse_args(argv)
    import brian2 as b2

    from neurosim.codegen import select_target

    target = select_target()
    if a.scaling:
        print(f"Brunel model A at fixed in-degree (C_E 400, C_I 100), {a.duration_ms:g} ms, "
              f"target={target}")
        scaling([int(s) for s in a.scaling.split(",")], a.duration_ms)
        return 0
    if a.standalone:
        import shutil
        import tempfile

        def hand(d, seed=1):
            folder = tempfile.mkdtemp(prefix="bench-coba-")
            b2.set_device("cpp_standalone", directory=folder)
            try:
                return hand_written(d, seed)
            finally:
                b2.device.reinit()
                b2.set_device("runtime")
                shutil.rmtree(folder, ignore_errors=True)
    else:
        hand = hand_written
    cold_hand = hand(a.duration_ms)[0]
    cold_proj = project(a.duration_ms, a.standalone)[0]
    warm_hand, warm_proj, run_hand, run_proj, ratios = [], [], [], [], []
    rates_hand, rates_proj = [], []
    for k in range(1, a.repeat + 1):
        h = hand(a.duration_ms, k)
        p = project(a.duration_ms, a.standalone, k)
        rates_hand.append(h[1])
        rates_proj.append(p[1])
        warm_hand.append(h[0])
        warm_proj.append(p[0])
        run_hand.append(h[2])
        run_proj.append(p[2])
        ratios.append(p[0] / h[0])
    wh, wp = statistics.median(warm_hand), statistics.median(warm_proj)
    mode = "cpp_standalone" if a.standalone else f"runtime, target={target}"
    print(f"COBA 4000 neurons x {a.duration_ms:g} ms, dt 0.1 ms, {mode}")
    print(f"mean rate over the repeats: hand-written {np.mean(rates_hand):.2f} Hz   "
          f"neurosim {np.mean(rates_proj):.2f} Hz")
    print(f"cold (compile + run): hand-written {cold_hand:6.2f} s   neurosim {cold_proj:6.2f} s")
    print(f"warm (median of {a.repeat}): hand-written {wh:6.2f} s   neurosim {wp:6.2f} s")
    print(f"  of which net.run: hand-written {statistics.median(run_hand):6.2f} s   "
          f"neurosim {statistics.median(run_proj):6.2f} s (standalone: build + run)")
    print("per-pair ratios: " + " ".join(f"{r:.2f}" for r in ratios))
    print(f"ratio neurosim / hand-written = {wp / wh:.3f}  (target <= 1.1; median of the "
          f"per-pair ratios {statistics.median(ratios):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
