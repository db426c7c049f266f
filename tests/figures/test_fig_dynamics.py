"""The numbers behind the dynamics figures (15 phase plane, 16 HH bifurcation), quick mode."""

import numpy as np
import pytest

from figures import fig15_phase_plane, fig16_bifurcation


def test_phase_plane_panels():
    d = fig15_phase_plane.compute(quick=True, rng=np.random.default_rng(15))
    hh, ml = d["panels"]
    assert [s for _, s in hh["fixed_points"]] == ["stable focus"]
    assert hh["cycle_period_ms"] == pytest.approx(14.1, abs=0.2)       # rest and cycle coexist
    assert hh["peak_mV"]["subthreshold"] < -50 < 40 < hh["peak_mV"]["suprathreshold"]
    assert [s for _, s in ml["fixed_points"]] == ["stable node", "saddle", "unstable focus"]
    assert ml["cycle_period_ms"] is None                               # excitable, one spike
    assert ml["peak_mV"]["subthreshold"] < 0 < ml["peak_mV"]["suprathreshold"]
    fig = fig15_phase_plane.draw(d)
    assert len(fig.axes) >= 2


def test_hh_bifurcation_figure_numbers():
    d = fig16_bifurcation.compute(quick=True, rng=np.random.default_rng(16))
    assert d["hopf_current"] == pytest.approx(9.7754, abs=1e-3)
    ((lo, hi),) = d["bistable_ranges"]
    assert hi == d["hopf_current"] and lo == d["onset_current"]
    assert 6.2 < d["onset_current"] < 6.5 and 40 < d["onset_rate_hz"] < 60
    assert d["criticality"] == "subcritical"
    assert d["class_from_fi"] == d["class_from_bifurcation"] == "II"
    assert d["fi_rates_hz"][0] == 0 and d["fi_rates_hz"][-1] > 70
    fig16_bifurcation.draw(d)
