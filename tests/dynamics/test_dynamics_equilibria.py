"""Fixed points, their type, and the saddle-node and Hopf points of the branch, against closed
forms derived here and an independent SciPy reference for the 4-D Hodgkin–Huxley model."""

import numpy as np
import pytest

from neurosim.dynamics.continuation import equilibrium_branch, hopf_points, special_points
from neurosim.dynamics.fixed_points import classify, equilibrium_current, fixed_points
from neurosim.dynamics.models import get_model

import hh_reference as ref


@pytest.fixture(scope="module")
def fhn():
    return get_model("fhn")


def _trace_det_type(J):
    """The textbook 2-D rule (Strogatz 1994, §5.2), independent of the package's classify."""
    tr, det = np.trace(J), np.linalg.det(J)
    if det < 0:
        return "saddle"
    kind = "focus" if tr ** 2 < 4 * det else "node"
    return f"{'stable' if tr < 0 else 'unstable'} {kind}"


@pytest.mark.parametrize("current", [-1.0, 0.0, 0.3, 0.5, 1.0, 1.5])
def test_fhn_fixed_points_are_the_real_roots_of_its_cubic(fhn, current):
    # v - v^3/3 - (v + a)/b + I = 0  <=>  -v^3/3 + (1 - 1/b) v + (I - a/b) = 0
    a, b = 0.7, 0.8
    roots = np.roots([-1 / 3, 0, 1 - 1 / b, current - a / b])
    real = np.sort(roots[np.abs(roots.imag) < 1e-9].real)
    fps = fixed_points(fhn, current)
    np.testing.assert_allclose([f.v for f in fps], real, atol=1e-9)
    for fp in fps:
        assert fp.state[1] == pytest.approx((fp.v + a) / b)
        assert fp.stability == _trace_det_type(fhn.jacobian_at(fp.state, current))


def test_morris_lecar_class1_has_node_saddle_and_focus_below_its_snic():
    ml = get_model("morris-lecar", "class1")
    fps = fixed_points(ml, 30.0)
    assert [f.stability for f in fps] == ["stable node", "saddle", "unstable focus"]
    for fp in fps:
        assert np.abs(ml.f(fp.state, 30.0)).max() < 1e-9
        assert fp.stability == _trace_det_type(ml.jacobian_at(fp.state, 30.0))


def test_no_fixed_point_in_range_is_an_empty_result_not_an_error():
    izh = get_model("izhikevich", "RS")
    assert fixed_points(izh, 10.0) == []                 # past its saddle-node (4 pA)
    assert fixed_points(get_model("hh"), 0.0, v_range=(-50.0, -40.0)) == []
    with pytest.raises(ValueError, match="LOW < HIGH"):
        fixed_points(izh, 0.0, v_range=(-40.0, -50.0))
    with pytest.raises(ValueError, match="finite"):
        fixed_points(izh, float("nan"))


def test_classify_from_eigenvalues():
    assert classify([-1, -2]) == "stable node"
    assert classify([-1 + 2j, -1 - 2j]) == "stable focus"
    assert classify([1 + 2j, 1 - 2j]) == "unstable focus"
    assert classify([3, 2]) == "unstable node"
    assert classify([1, -2]) == "saddle"
    assert classify([1 + 1j, 1 - 1j, -3, -4]) == "saddle-focus"
    assert classify([2j, -2j]) == "non-hyperbolic"


def test_fhn_hopf_currents_from_trace_zero(fhn):
    # J = [[1 - v^2, -1], [1/tau, -b/tau]]: trace 1 - v^2 - b/tau = 0 at v* = ±sqrt(1 - b/tau),
    # with det = (b (v*^2 - 1) + 1)/tau = (1 - b^2/tau)/tau > 0 (a pair crosses, not a saddle).
    # On the w-nullcline w = (v + a)/b, so I = w - v + v^3/3 there.
    a, b, tau = 0.7, 0.8, 12.5
    assert (1 - b ** 2 / tau) / tau > 0
    expected = []
    for v in (-np.sqrt(1 - b / tau), np.sqrt(1 - b / tau)):
        expected.append((v + a) / b - v + v ** 3 / 3)
    hopf = hopf_points(fhn, equilibrium_branch(fhn))
    assert [p.kind for p in hopf] == ["hopf", "hopf"]
    np.testing.assert_allclose([p.current for p in hopf], expected, rtol=1e-6)
    assert expected[0] == pytest.approx(0.33128, abs=1e-5)
    # the frequency of the cycle born there: omega = sqrt(det)
    omega = np.sqrt((1 - b ** 2 / tau) / tau)
    assert hopf[0].frequency == pytest.approx(omega / (2 * np.pi), rel=1e-6)


@pytest.mark.parametrize("pattern", ["RS", "FS", "LTS", "RZ"])
def test_izhikevich_saddle_node_from_the_discriminant(pattern):
    # equilibria on u = b v: 0.04 v^2 + (5 - b/C) v + 140 + I/C = 0; the two roots merge when
    # the discriminant (5 - b/C)^2 - 4 * 0.04 * (140 + I/C) vanishes.
    from neurosim.neuron.library import IZHIKEVICH_PATTERNS

    a, b, _, _ = IZHIKEVICH_PATTERNS[pattern]
    C = 1.0
    i_sn = C * ((5 - b / C) ** 2 / (4 * 0.04) - 140)
    model = get_model("izhikevich", pattern)
    sn = [p for p in special_points(model, equilibrium_branch(model)) if p.kind == "saddle-node"]
    assert len(sn) == 1
    assert sn[0].current == pytest.approx(i_sn, rel=1e-6, abs=1e-9)
    assert sn[0].v == pytest.approx(-(5 - b / C) / (2 * 0.04), abs=1e-6)
    # and a Hopf just before it (trace 0.08 v + 5 - a = 0 with det = a (b/C - a) > 0)
    v_h = (a - 5) / 0.08
    i_h = -C * (0.04 * v_h ** 2 + (5 - b / C) * v_h + 140)
    hopf = [p for p in special_points(model, equilibrium_branch(model)) if p.kind == "hopf"]
    assert len(hopf) == 1 and hopf[0].current == pytest.approx(i_h, rel=1e-6)
    assert hopf[0].current < sn[0].current


def test_adex_saddle_node_from_its_closed_form():
    # dI_eq/dv = 0 on w = a (v - EL): gL + a = gL exp((v - VT)/DeltaT)  (Touboul & Brette 2008)
    model = get_model("adex", "tonic")
    p = model.values
    v_sn = p["VT"] + p["DeltaT"] * np.log(1 + p["a"] / p["gL"])
    i_sn = (p["gL"] + p["a"]) * (v_sn - p["EL"]) - p["gL"] * p["DeltaT"] * np.exp(
        (v_sn - p["VT"]) / p["DeltaT"])
    (sn,) = special_points(model, equilibrium_branch(model))
    assert sn.kind == "saddle-node"
    assert sn.v == pytest.approx(v_sn, abs=1e-6) and sn.current == pytest.approx(i_sn, rel=1e-8)
    assert float(equilibrium_current(model, v_sn)) == pytest.approx(i_sn, rel=1e-12)


def test_hh_hopf_against_the_independent_reference_and_the_published_value():
    model = get_model("hh")
    hopf = hopf_points(model, equilibrium_branch(model))
    first = hopf[0]
    assert first.unstable_dims == 0                        # the rest loses stability there
    i_ref = ref.hopf_current()
    assert first.current == pytest.approx(i_ref, rel=1e-4)
    # Rinzel & Miller (1980); Izhikevich (2007) Fig. 6.?: 9.78 uA/cm2 (6.3 °C)
    assert first.current == pytest.approx(9.78, abs=0.01)
    # the equilibrium there is the reference's
    np.testing.assert_allclose(first.point.state, ref.equilibrium(i_ref), rtol=1e-6, atol=1e-8)
    # and the second Hopf, where repetitive firing ends (~154.5 uA/cm2)
    assert hopf[1].current == pytest.approx(154.5, abs=0.1)
    assert hopf[1].current == pytest.approx(ref.hopf_current(150.0, 160.0), rel=1e-4)


def test_morris_lecar_rest_loses_stability_by_snic_or_hopf():
    ml1, ml2 = get_model("morris-lecar", "class1"), get_model("morris-lecar", "class2")
    first1 = [p for p in special_points(ml1, equilibrium_branch(ml1)) if p.unstable_dims == 0]
    first2 = [p for p in special_points(ml2, equilibrium_branch(ml2)) if p.unstable_dims == 0]
    assert first1[0].kind == "saddle-node" and first1[0].current == pytest.approx(39.96, abs=0.01)
    assert first2[0].kind == "hopf" and first2[0].current == pytest.approx(93.86, abs=0.01)
