"""The models of neurosim.dynamics: the same parameters and rates as the simulator, written-out
Jacobians against central differences, parameter overrides with strict units."""

import numpy as np
import pytest

from neurosim.dynamics.models import MODELS, get_model

import hh_reference as ref


def _numerical_jacobian(model, x, current):
    n = x.size
    J = np.empty((n, n))
    for j in range(n):
        h = 1e-6 * max(1.0, abs(x[j]))
        e = np.zeros(n)
        e[j] = h
        J[:, j] = (model.f(x + e, current) - model.f(x - e, current)) / (2 * h)
    return J


@pytest.mark.parametrize("name, pattern, states, current", [
    ("fhn", None, [(-1.2, -0.6), (0.3, 1.0), (1.5, 2.0)], 0.4),
    ("morris-lecar", "class1", [(-60, 0.01), (-20, 0.1), (10, 0.4)], 40.0),
    ("morris-lecar", "class2", [(-60, 0.01), (-20, 0.1), (10, 0.4)], 90.0),
    ("izhikevich", "RS", [(-70, -14), (-50, 0), (10, 5)], 10.0),
    ("adex", "adapting", [(-70, 0), (-52, 50), (-45, 100)], 300.0)])
def test_written_jacobians_match_central_differences(name, pattern, states, current):
    model = get_model(name, pattern)
    for x in states:
        x = np.array(x, dtype=float)
        J = model.jacobian_at(x, current)
        assert J.shape == (2, 2)
        np.testing.assert_allclose(J, _numerical_jacobian(model, x, current), rtol=1e-6,
                                   atol=1e-9)


def test_hh_is_the_simulators_model_and_matches_an_independent_rhs():
    from neurosim.neuron.library import hh

    model = get_model("hh")
    assert dict(model.parameters) == dict(hh().parameters)
    rng = np.random.default_rng(0)
    for _ in range(5):
        y = np.array([rng.uniform(-90, 40), *rng.uniform(0, 1, 3)])
        i_ext = rng.uniform(-5, 30)
        np.testing.assert_allclose(model.f(y, i_ext), ref.rhs(y, i_ext), rtol=1e-10,
                                   atol=1e-12)
    # its Jacobian (central differences of the package's rhs) against the exact one
    y = ref.equilibrium(5.0)
    np.testing.assert_allclose(model.jacobian_at(y, 5.0), ref.jacobian(y), rtol=1e-6,
                               atol=1e-7)


def test_rinzel_reduction_is_hh_with_m_instantaneous_and_h_on_its_line():
    hh, rz = get_model("hh"), get_model("hh-rinzel")
    for v, n in [(-65.0, 0.32), (-40.0, 0.5), (10.0, 0.7)]:
        m_inf = ref.steady(v)[1]
        full = hh.f(np.array([v, m_inf, 0.89 - 1.1 * n, n]), 3.0)
        np.testing.assert_allclose(rz.f(np.array([v, n]), 3.0), full[[0, 3]], rtol=1e-12)


def test_integrate_and_fire_models_share_the_neuron_library_parameters():
    from neurosim.neuron.library import adex, izhikevich

    assert dict(get_model("izhikevich", "FS").parameters) == dict(izhikevich("FS").parameters)
    assert dict(get_model("adex", "tonic").parameters) == dict(adex("tonic").parameters)


def test_every_registered_model_builds_with_state_units_and_a_source():
    for name in MODELS:
        m = get_model(name)
        assert len(m.state) == len(m.state_units) == m.n_state >= 2
        assert m.state[0] == "v" and m.source and m.equations
        x = m.equilibrium_state(np.linspace(*m.v_range, 7))
        assert x.shape == (m.n_state, 7) and np.all(np.isfinite(m.f(x, 0.0)))


def test_parameters_take_strict_units_through_the_neuron_cli_machinery():
    from neurosim.neuron.cli_options import parse_params

    ml = get_model("morris-lecar", "class1")
    values, texts = parse_params(["gCa=4.4mS/cm2", "phi=0.04kHz"], ml)
    m2 = ml.with_parameters(**values)
    assert m2.values["gCa"] == pytest.approx(4.4) and m2.values["phi"] == pytest.approx(0.04)
    assert ml.values["gCa"] == pytest.approx(4.0)            # the original is unchanged
    assert texts == {"gCa": "4.4mS/cm2", "phi": "0.04kHz"}
    with pytest.raises(ValueError, match="gCa needs a conductance density"):
        parse_params(["gCa=4.4mV"], ml)
    with pytest.raises(ValueError, match="has no parameter 'gNa'"):
        parse_params(["gNa=1mS/cm2"], ml)
    with pytest.raises(ValueError, match="C must be positive"):
        ml.with_parameters(C=0 * ml.parameters["C"])
    fhn = get_model("fhn")
    values, _ = parse_params(["tau=10"], fhn)
    assert fhn.with_parameters(**values).values["tau"] == 10.0
    with pytest.raises(ValueError, match="tau needs a plain number"):
        parse_params(["tau=10ms"], fhn)


def test_adex_refuses_its_lif_limit_and_unknown_patterns():
    from brian2 import mV

    with pytest.raises(ValueError, match="DeltaT must be positive"):
        get_model("adex").with_parameters(DeltaT=0 * mV)
    with pytest.raises(ValueError, match="unknown Morris–Lecar set"):
        get_model("morris-lecar", "class3")
    with pytest.raises(ValueError, match="has no patterns"):
        get_model("fhn", "RS")
    with pytest.raises(ValueError, match="unknown; choose from"):
        get_model("lif")
