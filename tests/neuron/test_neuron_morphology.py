"""Multi-compartment shapes: passive cable theory (Rall 1959; Dayan & Abbott 2001 §6.3) and
action-potential propagation from soma to axon. Both share one compiled SpatialNeuron (all
shapes use the same equations; only the morphology arrays differ)."""

import numpy as np
import pytest
from brian2 import ms, nA

from neurosim.neuron.morphology import SHAPES, cable, segments, shape, simulate_morphology


def test_passive_cable_matches_cosh_profile_and_input_resistance():
    """Deterministic. Profile error 1.2e-6 (asserted 1e-3); input resistance −0.60 % from the
    continuous cable (the 200-compartment discretisation; asserted 1 %), the same at dt =
    0.025 and 0.0125 ms — a steady state, so dt cannot move it."""
    # sealed 1 mm cylinder, d = 2 um, Rm = 1/gL = 3333 ohm cm2, Ri = 100 ohm cm
    r = simulate_morphology(cable(1000.0, 2.0, 200), 0.05 * nA, 40 * ms, passive=True,
                            dt=0.025 * ms)
    lam_um = np.sqrt(2e-4 * (1 / 0.3e-3) / (4 * 100)) * 1e4            # 408.2 um
    dV = r.v_step_end_mV - (-65.0)                                       # above E_L
    x = r.distance_um
    pred = np.cosh((1000.0 - x) / lam_um)
    np.testing.assert_allclose(dV / dV[0], pred / pred[0], atol=1e-3)
    r_axial = 4 * 100 / (np.pi * (2e-4) ** 2)                            # ohm / cm
    r_in = r_axial * lam_um * 1e-4 / np.tanh(1000.0 / lam_um)            # ohm
    assert dV[0] == pytest.approx(0.05e-9 * r_in * 1e3, rel=0.01)       # mV


def test_pyramidal_spike_starts_at_soma_and_propagates_down_the_axon():
    """Deterministic; at the default dt (Cython and numpy targets) and at 0.0125 ms: soma →
    axon-tip delay 1.146 ms (asserted 0.3–5 ms), soma peak 65.4 mV above the apical tuft's
    (asserted > 20 mV)."""
    r = simulate_morphology(shape("pyramidal"), 1 * nA, 8 * ms, delay=2 * ms, tail=5 * ms)
    soma = r.spike_times_ms["soma"]
    axon = r.spike_times_ms["axon tip"]
    assert len(soma) >= 1 and len(axon) >= 1
    delay = axon[0] - soma[0]
    assert 0.3 < delay < 5.0  # 500 um of 1 um axon: conduction, not instantaneous
    v_soma = r.v_mV[r.sites["soma"]].max()
    v_tuft = r.v_mV[r.sites["apical.tuft_l tip"]].max()
    assert v_tuft < v_soma - 20  # passive apical dendrite: attenuated back-propagation


@pytest.mark.parametrize("name", ["pyramidal", "bipolar", "unipolar", "multipolar"])
def test_shapes_are_drawable_trees(name):
    sh = shape(name)
    segs = segments(sh)
    kinds = {s["kind"] for s in segs}
    assert {"soma", "axon"} <= kinds
    procs = [s for s in segs if s["kind"] != "soma"]
    for s in procs:  # each segment has the length of its branch
        assert np.hypot(s["x1"] - s["x0"], s["y1"] - s["y0"]) > 0
        if "." in s["name"]:  # a child starts where its parent ends
            parent = next(p for p in procs if p["name"] == s["name"].rsplit(".", 1)[0])
            assert (s["x0"], s["y0"]) == pytest.approx((parent["x1"], parent["y1"]))
    n_dend_roots = sum(1 for s in procs if "." not in s["name"] and s["kind"] == "dendrite")
    expected = {"pyramidal": 4, "bipolar": 1, "unipolar": 0, "multipolar": 6}[name]
    assert n_dend_roots == expected  # processes leaving the soma: the textbook classes


def test_unknown_shape_is_value_error():
    with pytest.raises(ValueError, match="'star'"):
        shape("star")
