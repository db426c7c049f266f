"""Limit cycles, bifurcation diagrams and excitability classes, found by simulation."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from neurosim.dynamics.diagram import bifurcation_diagram, check_currents, rest_state
from neurosim.dynamics.excitability import bifurcation_class, excitability, fi_curve, fi_onset
from neurosim.dynamics.limit_cycles import find_limit_cycle
from neurosim.dynamics.models import get_model
from neurosim.dynamics.trajectories import integrate

import hh_reference as ref


def test_fhn_cycle_period_and_amplitude_against_a_plain_solve_ivp():
    model = get_model("fhn")
    cyc = find_limit_cycle(model, 0.5, [0.0, 0.0])
    # independent: integrate FHN directly and time the upward crossings of v = 0
    sol = solve_ivp(lambda t, y: [y[0] - y[0] ** 3 / 3 - y[1] + 0.5,
                                  (y[0] + 0.7 - 0.8 * y[1]) / 12.5],
                    (0, 800), [0.0, 0.0], rtol=1e-9, atol=1e-9, dense_output=True)
    t = np.linspace(500, 800, 60001)
    v = sol.sol(t)[0]
    up = t[1:][(v[:-1] < 0) & (v[1:] >= 0)]
    assert cyc.period == pytest.approx(np.diff(up).mean(), rel=1e-4)
    assert cyc.v_max == pytest.approx(v.max(), abs=1e-3)
    assert cyc.v_min == pytest.approx(v.min(), abs=1e-3)


def test_integrate_applies_the_izhikevich_reset():
    model = get_model("izhikevich", "RS")
    tr = integrate(model, rest_state(model, 0.0), 10.0, 200.0)
    assert len(tr.spike_times) >= 3
    assert tr.v.max() == pytest.approx(30.0, abs=1e-6)       # cut at v_peak, never above
    after = np.searchsorted(tr.t, tr.spike_times[0], side="right")
    assert tr.x[0, after - 1] == pytest.approx(-65.0)        # v = c right at the spike
    with pytest.raises(ValueError, match="expected 2 finite numbers"):
        integrate(model, [0.0], 10.0, 10.0)


def test_current_grids_must_increase():
    for bad in ([1.0], [2.0, 1.0], [0.0, 0.0], [0.0, np.inf]):
        with pytest.raises(ValueError):
            check_currents(bad)


@pytest.fixture(scope="module")
def ml_classes():
    out = {}
    for pattern, top in (("class1", 80.0), ("class2", 120.0)):
        model = get_model("morris-lecar", pattern)
        out[pattern] = (model, excitability(model, np.linspace(0.0, top, 17)))
    return out


def test_morris_lecar_class1_fires_from_zero_hz_at_a_snic(ml_classes):
    model, exc = ml_classes["class1"]
    onset, bif = exc["from_fi"], exc["from_bifurcation"]
    assert bif.kind == "saddle-node on invariant circle"
    assert bif.current == pytest.approx(39.963, abs=1e-3)
    assert onset.continuous and onset.rate < 2 * onset.f_res          # f -> 0 at onset
    assert bif.current <= onset.current < bif.current + 0.2
    assert exc["excitability_class"] == "I"
    # the rate keeps rising from there: f^2 is roughly linear in I - I_SN near the onset
    fi = exc["fi"]
    firing = fi.rates > 0
    assert np.all(np.diff(fi.rates[firing]) > 0)


def test_morris_lecar_class2_jumps_to_a_finite_rate_at_a_hopf(ml_classes):
    model, exc = ml_classes["class2"]
    onset, bif = exc["from_fi"], exc["from_bifurcation"]
    assert bif.kind == "hopf" and bif.current == pytest.approx(93.858, abs=1e-3)
    assert not onset.continuous and onset.rate > 10 * onset.f_res     # a jump (~7.7 Hz)
    assert onset.rate * 1e3 == pytest.approx(7.7, abs=0.5)
    assert 87.5 < onset.current < bif.current                           # bistable below
    assert exc["excitability_class"] == "II"


def test_morris_lecar_class2_diagram_has_a_subcritical_hopf_and_bistability(ml_classes):
    model, exc = ml_classes["class2"]
    fi = exc["fi"]
    dg = bifurcation_diagram(model, fi.currents, from_rest=fi.cycles,
                             extra_cycles=(exc["from_fi"].cycle,))
    assert dg.hopf_currents == [pytest.approx(93.858, abs=1e-3)]
    assert dg.criticality[dg.hopf_currents[0]] == "subcritical"
    ((lo, hi),) = dg.bistable_ranges
    assert hi == dg.hopf_currents[0] and lo == pytest.approx(88.3, abs=0.1)
    # the cycles: spikes overshoot, rates between ~7 and ~15 Hz
    cyc = [c for c in dg.cycles if c is not None]
    assert all(c.v_max > 20 and c.v_min < -40 for c in cyc)
    assert all(5 < c.frequency * 1e3 < 16 for c in cyc)


def test_bifurcation_class_of_the_integrate_and_fire_models():
    assert bifurcation_class(get_model("adex", "tonic")).kind == "saddle-node on invariant circle"
    rs = bifurcation_class(get_model("izhikevich", "RS"))
    assert rs.kind == "hopf" and rs.current == pytest.approx(3.7975, abs=1e-6)


@pytest.mark.slow
def test_hh_onset_of_repetitive_firing_lies_in_the_bistable_range():
    model = get_model("hh")
    currents = np.linspace(4.0, 12.0, 9)
    fi = fi_curve(model, currents)
    onset = fi_onset(model, fi, rounds=2, k=8)
    # about 6.25-6.27 uA/cm2 (README: Brian2 f-I 6.24 -> 0 Hz, 6.25 -> 46 Hz over 500 ms; the
    # fold of cycles lies between 6.26 and 6.265, where a 5 s SciPy run stops or keeps firing)
    assert 6.24 < onset.current < 6.28 and not onset.continuous
    assert 40 < onset.rate * 1e3 < 60
    dg = bifurcation_diagram(model, currents, from_rest=fi.cycles, extra_cycles=(onset.cycle,),
                             k=8)
    ((lo, hi),) = dg.bistable_ranges
    assert hi == pytest.approx(ref.hopf_current(), rel=1e-4)          # ends at the Hopf
    assert lo <= onset.current <= hi
    assert lo == pytest.approx(6.26, abs=0.02)
    assert dg.criticality[dg.hopf_currents[0]] == "subcritical"
    # the reference's own equations confirm the bistability at 8 uA/cm2: rest is stable there
    # and a trajectory started on the package's cycle keeps firing
    assert ref.leading_real_part(8.0) < 0
    cyc = dg.cycles[list(currents).index(8.0)]
    sol = solve_ivp(lambda t, y: ref.rhs(y, 8.0), (0, 200), cyc.x[:, 0], rtol=1e-9, atol=1e-9,
                    max_step=0.05)
    assert sol.y[0, sol.t > 150].max() > 20


def test_fhn_bistable_range_between_grid_currents():
    # FHN fires from rest at ~0.324, just below its Hopf (0.3313): no grid current of this
    # coarse grid is bistable, the onset's cycle (an extra sample) is
    model = get_model("fhn")
    exc = excitability(model, np.linspace(0.0, 1.0, 11), rounds=1)
    onset = exc["from_fi"]
    assert 0.30 < onset.current < 0.3313 and exc["excitability_class"] == "II"
    fi = exc["fi"]
    dg = bifurcation_diagram(model, fi.currents, from_rest=fi.cycles,
                             extra_cycles=(onset.cycle,), refine=False)
    ((lo, hi),) = dg.bistable_ranges
    assert lo == onset.current and hi == pytest.approx(0.331281, abs=1e-6)
    assert dg.onset == onset.current


def test_reset_model_cycles_start_after_the_reset():
    model = get_model("izhikevich", "RS")
    cyc = find_limit_cycle(model, 10.0, rest_state(model, 0.0))
    assert cyc.x[0, 0] == pytest.approx(-65.0) and cyc.v_max == pytest.approx(30.0)
    tr = integrate(model, rest_state(model, 0.0), 10.0, 2000.0)     # the adapted ISI
    assert cyc.period == pytest.approx(np.diff(tr.spike_times)[-1], rel=1e-3)
