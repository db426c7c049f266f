"""Leaky integrate-and-fire against closed forms (Gerstner et al., Neuronal Dynamics 2014, §1.3):

    f(I) = 1 / (t_ref + tau ln(R I / (R I - theta)))      theta = v_th - E_L, reset to E_L
    rheobase for a step of length D:  I = theta / (R (1 - exp(-D / tau)))
"""

import numpy as np
import pytest
from brian2 import Mohm, ms, nA

from neurosim.neuron.library import lif, traub, hh
from neurosim.neuron.protocols import fi_curve, rheobase, sweep
from neurosim.neuron.stimulus import step
from neurosim.neuron import analysis as A


def closed_form_rate(I_nA, tau_ms=10.0, R_Mohm=100.0, theta_mV=20.0, t_ref_ms=2.0):
    RI = np.asarray(I_nA) * R_Mohm  # mV
    with np.errstate(divide="ignore", invalid="ignore"):
        f = 1e3 / (t_ref_ms + tau_ms * np.log(RI / (RI - theta_mV)))
    return np.where(RI > theta_mV, f, 0.0)


def test_fi_curve_matches_closed_form_within_1_percent():
    """Deterministic. Largest relative error 0.14 % at dt = 0.01 ms (both targets) and 0.12 %
    at 0.005 ms — the spike-time grid; asserted 1 %."""
    currents = np.array([0.1, 0.19, 0.21, 0.25, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0])
    fi = fi_curve(lif(), currents * nA, 500 * ms)
    expected = closed_form_rate(currents)
    assert fi.rates_hz[:2].tolist() == [0.0, 0.0]
    assert np.all(expected[2:] > 0)
    np.testing.assert_allclose(fi.rates_hz[2:], expected[2:], rtol=0.01)


def test_parameter_sweep_is_one_group_and_matches_closed_form():
    """Deterministic. Relative errors ≤ 0.12 % (dt 0.01 ms, both targets) and ≤ 0.09 % (dt
    0.005 ms); asserted 1 %."""
    taus = np.array([5.0, 10.0, 20.0, 40.0])
    r = sweep(lif(), "tau", taus * ms, step(0.5 * nA, 300 * ms), record=False)
    assert r.n == 4
    rates = [A.steady_state_rate(s, *r.window_ms, 50.0) for s in r.spike_times_ms]
    np.testing.assert_allclose(rates, [closed_form_rate(0.5, tau_ms=t) for t in taus],
                               rtol=0.01)


def test_rheobase_by_bisection_matches_closed_form():
    got = rheobase(lif(), 0.2 * nA, 0.3 * nA, 20 * ms, tol=5e-4 * nA)
    expected = 20.0 / (100.0 * (1 - np.exp(-20.0 / 10.0)))  # nA, = 0.2313
    assert expected <= float(got / nA) <= expected + 5e-4 + 1e-6


def test_traub_is_class_I_unlike_hh():
    """Traub–Miles (Ermentrout & Kopell 1998) fires arbitrarily slowly near onset (class I).

    Deterministic; identical at dt = 0.01 and 0.005 ms: 24 of 31 currents fire, the slowest
    at 7.04 Hz (asserted > 5 currents and < 15 Hz), and the f–I curve never decreases
    (asserted ≥ −0.5 Hz per step)."""
    from brian2 import cm, uA
    fi = fi_curve(traub(), np.linspace(0.0, 0.6, 31) * uA / cm ** 2, 1000 * ms)
    nonzero = fi.rates_hz[fi.rates_hz > 0]
    assert len(nonzero) > 5 and nonzero.min() < 15.0
    assert np.all(np.diff(fi.rates_hz) >= -0.5)   # monotone f–I


def test_bad_units_are_one_line_value_errors():
    from brian2 import mV, cm, uA
    from neurosim.neuron.simulate import simulate
    with pytest.raises(ValueError, match="expects a current"):
        simulate(lif(), step(5 * mV, 10 * ms))
    with pytest.raises(ValueError, match="current density"):
        simulate(hh(), step(0.5 * nA, 10 * ms))
    with pytest.raises(ValueError, match="unknown parameter 'gX'"):
        simulate(hh(), step(1 * uA / cm ** 2, 10 * ms), params={"gX": 1 * mV})
