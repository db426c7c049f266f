"""Hodgkin–Huxley squid axon (rest −65 mV) against an independent SciPy integration and the
literature.

Sources: Hodgkin & Huxley 1952 (J Physiol 117:500); modern convention of Dayan & Abbott 2001
§5.6 / Gerstner et al. 2014 Table 2.1 (rest −65 mV, AP overshoot to about +40 mV, after-
hyperpolarization towards E_K = −77 mV); class-II onset of repetitive firing near 6.2 µA/cm²
with a jump from 0 to ~50 Hz (Hassard 1978, J Theor Biol 71:401; Rinzel & Ermentrout 1998,
"Analysis of neural excitability and oscillations", in Koch & Segev, Methods in Neuronal
Modeling, Fig. 7.2: minimum frequency ≈ 50 Hz at 6.3 °C).
The reference, tests/neuron/neuron_scipy_ref.py, is LSODA with rtol = atol = 1e-9.
"""

import numpy as np
import pytest
from brian2 import cm, ms, uA

from neuron_scipy_ref import step_response
from neurosim.neuron import analysis as A
from neurosim.neuron.library import hh
from neurosim.neuron.protocols import fi_curve
from neurosim.neuron.simulate import simulate
from neurosim.neuron.stimulus import step


@pytest.fixture(scope="module")
def hh_10():
    """10 µA/cm² for 100 ms after 20 ms rest, 30 ms tail: Brian2 and SciPy."""
    r = simulate(hh(), step(10 * uA / cm ** 2, 100 * ms))
    t_ref, v_ref = step_response(10.0, 20.0, 100.0, 30.0)
    return r, t_ref, v_ref


def test_brian2_trace_matches_scipy_over_a_spike_train(hh_10):
    """Deterministic (no randomness). The numerical spread, measured: 7 spikes at dt = 0.01 ms
    and 0.005 ms and on the numpy target, spike times moving by ≤ 0.005 ms; the largest
    |V − V_LSODA| is 1.2e-4 mV (dt 0.01, both targets), against the asserted 0.01 mV. The 7th
    spike falls at 109.9 ms; an 8th would need ~124 ms, after the step ends at 120 ms."""
    r, t_ref, v_ref = hh_10
    assert r.t_ms.shape == t_ref.shape and np.allclose(r.t_ms, t_ref)
    assert len(r.spike_times_ms[0]) == 7
    # RK4 at dt = 0.01 ms vs LSODA: the whole 150 ms trace, 7 spikes, within 0.01 mV
    assert np.max(np.abs(r.v_mV[0] - v_ref)) < 0.01
    assert np.allclose(A.detect_spikes(r.t_ms, r.v_mV[0]), A.detect_spikes(t_ref, v_ref),
                       atol=0.005)


def test_rest_peak_ahp_match_reference_and_literature(hh_10):
    """Deterministic. Measured: rest −64.996 mV, peak 40.26 mV, AHP minimum −75.08 mV (depth
    10.08 mV), threshold −51.04 mV, width 1.28 ms, each within 1e-4 of the SciPy reference
    sampled on the same grid; dt = 0.005 ms and the numpy target change peak, AHP and rest by
    < 1e-4 mV (the threshold and width estimates move with the sampling grid: −0.10 mV and
    +0.01 ms at a twice finer grid, which is why the comparison uses the same grid). Rest is
    0.004 mV from −65 (asserted 0.05); the literature ranges hold with ≥ 1.9 mV (AHP) and
    0.48 ms (width) of margin."""
    r, t_ref, v_ref = hh_10
    ours = A.trace_summary(r.t_ms, r.v_mV[0], r.spike_times_ms[0], r.window_ms)
    ref = A.trace_summary(t_ref, v_ref, A.detect_spikes(t_ref, v_ref), (20.0, 120.0))
    for key in ("rest_mV", "peak_mV", "ahp_min_mV", "threshold_mV", "width_ms"):
        assert ours[key] == pytest.approx(ref[key], abs=0.02), key
    assert ours["rest_mV"] == pytest.approx(-65.0, abs=0.05)       # by construction of E_L
    assert 35.0 < ours["peak_mV"] < 45.0                             # overshoot ~ +40 mV
    assert -77.0 < ours["ahp_min_mV"] < -73.0                        # undershoot towards E_K
    assert ours["ahp_depth_mV"] > 8.0
    assert 0.8 < ours["width_ms"] < 2.0


def test_class_II_onset_of_repetitive_firing():
    """51 currents 6.0..6.5 µA/cm² in ONE simulation; onset confirmed by SciPy either side.

    Deterministic. Measured at dt = 0.01 and 0.005 ms: onset at 6.25 µA/cm² (asserted
    6.0–6.4) with 46.2 Hz (asserted > 40 Hz), 0 Hz one step below, identical at both dt."""
    currents = np.round(np.linspace(6.0, 6.5, 51), 4)
    fi = fi_curve(hh(), currents * uA / cm ** 2, 400 * ms)
    assert fi.result.n == 51  # one group of 51 neurons, one run
    firing = np.flatnonzero(fi.rates_hz > 0)
    assert len(firing) and np.all(np.diff(firing) == 1) and firing[-1] == 50  # monotone onset
    k = firing[0]
    i_on = currents[k]
    assert 6.0 < i_on < 6.4                    # literature: ≈ 6.2-6.3 µA/cm² (step from rest)
    assert fi.rates_hz[k] > 40.0               # class II: jumps to ~50 Hz, no slow firing
    assert fi.rates_hz[k - 1] == 0.0
    # independent check: SciPy fires repetitively at i_on but not 0.01 µA/cm² below
    for amp, repetitive in ((i_on, True), (currents[k - 1], False)):
        t, v = step_response(amp, 20.0, 400.0, 0.0)
        s = A.detect_spikes(t, v)
        rate = A.steady_state_rate(s, 20.0, 420.0, 100.0)
        assert (rate > 0) == repetitive, (amp, s)
        if repetitive:
            assert rate == pytest.approx(fi.rates_hz[k], rel=0.01)
