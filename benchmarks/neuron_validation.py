"""Print the single-neuron validation numbers quoted in README (the tests assert them).

    .venv/bin/python benchmarks/neuron_validation.py

- HH (squid, rest −65 mV): Brian2 (RK4, dt 0.01 ms) vs SciPy LSODA (rtol = atol = 1e-9) for
  a 10 µA/cm² step; rest, AP peak, AHP minimum, threshold, width; class-II onset from a
  51-current f–I curve (one simulation);
- LIF: f–I vs the closed form;
- AdEx / Izhikevich: pattern labels from spike-train features.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "neuron"))


def main() -> int:
    from brian2 import Quantity, amp, cm, ms, nA, pA, uA
    from neuron_scipy_ref import step_response

    from neurosim.neuron import analysis as A
    from neurosim.neuron.library import (ADEX_PATTERNS, IZHIKEVICH_PATTERNS, adex,
                                         adex_paper_current, hh, izhikevich, lif)
    from neurosim.neuron.protocols import fi_curve, stack_parameters
    from neurosim.neuron.simulate import simulate
    from neurosim.neuron.stimulus import step

    t0 = time.perf_counter()
    r = simulate(hh(), step(10 * uA / cm ** 2, 100 * ms))
    t_ref, v_ref = step_response(10.0, 20.0, 100.0, 30.0)
    ours = A.trace_summary(r.t_ms, r.v_mV[0], r.spike_times_ms[0], r.window_ms)
    ref = A.trace_summary(t_ref, v_ref, A.detect_spikes(t_ref, v_ref), (20.0, 120.0))
    print(f"HH 10 uA/cm2, 150 ms, {ours['n_spikes']} spikes: max |V_brian2 - V_scipy| = "
          f"{np.max(np.abs(r.v_mV[0] - v_ref)):.2e} mV")
    for k in ("rest_mV", "threshold_mV", "peak_mV", "width_ms", "ahp_min_mV", "rate_hz"):
        print(f"  {k:13s} brian2 {ours[k]:9.3f}   scipy {ref[k]:9.3f}")
    currents = np.round(np.linspace(6.0, 6.5, 51), 4)
    fi = fi_curve(hh(), currents * uA / cm ** 2, 400 * ms)
    k = int(np.flatnonzero(fi.rates_hz > 0)[0])
    print(f"HH onset of repetitive firing (51 currents, one simulation of {fi.result.n} "
          f"neurons): {currents[k - 1]:.2f} uA/cm2 -> {fi.rates_hz[k - 1]:.1f} Hz, "
          f"{currents[k]:.2f} uA/cm2 -> {fi.rates_hz[k]:.1f} Hz")
    cur = np.array([0.21, 0.25, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0])
    fl = fi_curve(lif(), cur * nA, 500 * ms)
    RI = cur * 100.0
    f_exact = 1e3 / (2.0 + 10.0 * np.log(RI / (RI - 20.0)))
    print(f"LIF f-I vs closed form over {cur[0]}-{cur[-1]} nA: max relative error "
          f"{np.max(np.abs(fl.rates_hz / f_exact - 1)):.2e}")
    names = list(ADEX_PATTERNS)
    base, params = stack_parameters([adex(n) for n in names])
    amps = Quantity([float(adex_paper_current(n)) for n in names], dim=amp.dim)
    ra = simulate(base, step(amps, 500 * ms), params=params, record=False)
    print("AdEx (Naud 2008) pattern -> label from spike-train features:")
    for n, s in zip(names, ra.spike_times_ms):
        print(f"  {n:26s} -> {A.firing_pattern(A.train_features(s, *ra.window_ms), 500.0)}")
    names = list(IZHIKEVICH_PATTERNS)
    base, params = stack_parameters([izhikevich(n) for n in names])
    ri = simulate(base, step(np.full(len(names), 10.0) * pA, 500 * ms), params=params,
                  record=False)
    print("Izhikevich (2003) at 10 pA, 500 ms: rate, adaptation index, bursts")
    for n, s in zip(names, ri.spike_times_ms):
        f = A.train_features(s, *ri.window_ms)
        print(f"  {n:4s} {f['rate_hz']:6.1f} Hz  A={f['adaptation_index']:+.3f}  "
              f"bursts={f['n_bursts']}  label={A.firing_pattern(f, 500.0)}")
    print(f"total {time.perf_counter() - t0:.1f} s (target {r.target})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
