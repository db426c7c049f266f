"""Protocols (ramp, pulse train, noisy current) and user-defined models, against closed forms.

LIF membrane under a current I(t) from rest (Gerstner et al. 2014, §1.3):
    ramp I = k t:   v(t) - E_L = R k (t - tau (1 - exp(-t/tau)))
    pulse of A for w:  v(w) - E_L = R A (1 - exp(-w/tau))
Ornstein–Uhlenbeck current: stationary mean, std sigma, lag-1 correlation exp(-dt/tau).
"""

import numpy as np
import pytest
from brian2 import Mohm, ms, mV, nA, pA
from scipy.optimize import brentq

from neurosim.neuron.library import lif
from neurosim.neuron.model import custom_model
from neurosim.neuron.simulate import simulate
from neurosim.neuron.stimulus import noisy, pulse_train, ramp, step


def test_ramp_first_spike_matches_closed_form():
    """Deterministic. First-spike error −0.0022 ms at dt = 0.01 ms, at dt = 0.005 ms and on
    the numpy target alike (asserted within 0.02 ms)."""
    # 0 -> 1 nA over 200 ms: k = 5 pA/ms; R k = 0.5 mV/ms; threshold 20 mV above rest
    r = simulate(lif(), ramp(0 * nA, 1 * nA, 200 * ms, delay=10 * ms))
    f = lambda t: 0.5 * (t - 10.0 * (1 - np.exp(-t / 10.0))) - 20.0  # noqa: E731
    t_first = 10.0 + brentq(f, 1.0, 200.0)
    assert r.spike_times_ms[0][0] == pytest.approx(t_first, abs=0.02)
    np.testing.assert_allclose(r.current[0, r.t_ms < 10], 0.0)
    i = np.searchsorted(r.t_ms, 110.0)
    assert r.current[0, i] == pytest.approx(0.5, abs=1e-3)  # nA, halfway up


def test_pulse_train_subthreshold_and_suprathreshold():
    """Deterministic. Spike counts 0 and 4 and a peak error below 1e-5 mV (asserted 0.01) at
    dt = 0.01 and 0.005 ms and on the numpy target; the 0.5 nA pulse peaks 0.33 mV under
    threshold."""
    # 5 ms pulses: R A (1 - e^-0.5) = 19.67 mV at A = 0.5 nA (just below 20 mV), 0.6 nA above
    r = simulate(lif(), pulse_train(np.array([0.5, 0.6]) * nA, 5 * ms, 50 * ms, 4))
    assert len(r.spike_times_ms[0]) == 0
    assert len(r.spike_times_ms[1]) == 4  # one spike per pulse
    first = r.t_ms < 30.0  # first pulse: 20-25 ms, from rest
    peak = r.v_mV[0][first].max() - (-70.0)
    assert peak == pytest.approx(100 * 0.5 * (1 - np.exp(-0.5)), abs=0.01)  # R A (1-e^-w/tau)
    on = (r.current[1] > 0).astype(int)
    assert np.count_nonzero(np.diff(on) == 1) == 4


def test_noisy_current_statistics_and_reproducibility():
    """1 s of OU current (tau 5 ms) holds ~100 independent samples, so one neuron's mean has
    s.d. 0.005 nA: with 3 neurons, the former per-neuron bound 0.01 (2 s.d.) failed at seed 4
    of seeds 0–11 (0.0117; seed 7, used here, gave 0.0040), and the std bound 0.008 sat at 2.3
    s.d. (max 0.0054). The statistics are now pooled over 30 neurons (the cost is per time
    step, not per neuron: the same ~8 s). Measured over seeds 0–9: |mean − 0.1| ≤ 0.0018,
    |mean std − 0.05| ≤ 0.0015, |lag-1 r − e^(−0.02)| ≤ 0.0014; asserted 0.005, 0.004 and 0.005
    (margins 0.0032, 0.0025, 0.0036, each wider than the spread)."""
    proto = noisy(0.1 * nA, 0.05 * nA, 1000 * ms, np.random.default_rng(7), tau=5 * ms,
                  delay=0 * ms, tail=0 * ms)
    r = simulate(lif(), proto, n=30)
    i = r.current[:, ::10]  # the noise is held for noise_dt = 0.1 ms = 10 steps
    assert abs(i.mean() - 0.1) < 0.005
    assert abs(i.std(axis=1).mean() - 0.05) < 0.004
    lag1 = np.mean([np.corrcoef(x[:-1], x[1:])[0, 1] for x in i])
    assert lag1 == pytest.approx(np.exp(-0.1 / 5.0), abs=0.005)
    assert not np.allclose(i[0], i[1])  # independent per neuron
    again = simulate(lif(), noisy(0.1 * nA, 0.05 * nA, 1000 * ms, np.random.default_rng(7),
                                  tau=5 * ms, delay=0 * ms, tail=0 * ms), n=30)
    np.testing.assert_array_equal(again.current, r.current)
    assert [len(s) for s in again.spike_times_ms] == [len(s) for s in r.spike_times_ms]
    with pytest.raises(TypeError, match="Generator"):
        noisy(0.1 * nA, 0.05 * nA, 10 * ms, 42)


def test_noise_reaches_the_membrane_with_the_ou_filtered_variance():
    """Membrane (tau_m = 10 ms) driven by OU noise (tau_n = 5 ms, std sigma): the stationary
    std of V is R sigma sqrt(tau_n / (tau_m + tau_n)) = 5 mV / sqrt(3) = 2.89 mV.

    With the former 4 neurons the relative error of the std ranged −5.5 … +12.8 % over seeds
    0–11 (seed 8 outside the asserted 6 %; seed 3, used here, −1.9 %), and |mean V + 70 mV|
    reached 0.22 of the allowed 0.3 mV. Pooled over 40 neurons (same cost, ~8 s: it is per time
    step), seeds 0–9: −1.9 … +1.2 % (margin 4.1 points against a spread of 3.2) and ≤ 0.054 mV
    (margin 0.25 mV); no spikes at any seed."""
    proto = noisy(0 * nA, 0.05 * nA, 2000 * ms, np.random.default_rng(3), tau=5 * ms,
                  delay=0 * ms, tail=0 * ms)
    r = simulate(lif(), proto, n=40)
    assert all(len(s) == 0 for s in r.spike_times_ms)  # threshold is ~7 std away
    v = r.v_mV[:, r.t_ms > 50.0]
    assert abs(v.mean() - (-70.0)) < 0.3
    assert v.std() == pytest.approx(5.0 / np.sqrt(3.0), rel=0.06)


def test_user_defined_model_from_equation_string():
    """A quadratic integrate-and-fire neuron (Latham et al. 2000) written by the user; its
    period is the integral of C dv / (k (v - v_r)(v - v_c) + I) from reset to peak (SciPy).

    Deterministic; the error of the mean ISI is the threshold-crossing discretisation:
    +0.0016 ms at dt = 2 µs (both targets), +0.0006 ms at 1 µs; asserted within 0.005 ms."""
    from scipy.integrate import quad
    qif = custom_model(
        "dv/dt = (k*(v - v_r)*(v - v_c) + I_inj)/C : volt",
        dict(k=0.01 * nA / mV ** 2, v_r=-70 * mV, v_c=-50 * mV, C=100 * pA * ms / mV,
             v_peak=20 * mV, v_reset=-60 * mV),
        threshold="v > v_peak", reset="v = v_reset", initial={"v": -70 * mV}, name="qif",
        method="rk4", dt=0.002 * ms)
    I = 2.0  # nA
    r = simulate(qif, step(I * nA, 50 * ms))
    isi = np.diff(r.spike_times_ms[0])[2:]
    f = lambda v: 0.1 / (0.01 * (v + 70) * (v + 50) + I)  # C = 0.1 nA ms / mV  # noqa: E731
    period, _ = quad(f, -60.0, 20.0)
    assert len(isi) > 10 and np.mean(isi) == pytest.approx(period, abs=0.005)


def test_user_defined_model_errors_are_one_line():
    with pytest.raises(ValueError, match="bad equations"):
        custom_model("dv/dt = -v/ms : volt : volt", {})
    with pytest.raises(ValueError, match="must contain dv/dt"):
        custom_model("dw/dt = -w/ms : volt\nv = w : volt", {})
    bad = custom_model("dv/dt = (undefined_thing - v)/ms : volt", {}, name="broken")
    with pytest.raises(ValueError, match="model 'broken'.*undefined_thing"):
        simulate(bad, step(1 * nA, 1 * ms))
