"""STDP learning window from the pairing protocol against its closed form, both engines.

Closed form (one isolated pairing, per unit of f±(w); :mod:`neurosim.network.plasticity`):
Δw = +A+ exp(-Δt/τ+) for Δt > 0, -A- exp(Δt/τ-) for Δt < 0. The protocol recovers the
per-pairing change from the final weight (exactly, for non-interacting pairings). Measured here
(5 pairings at 2 Hz, Δt every 10 ms in ±100 ms, τ+ = 20 ms, τ- = 30 ms): the largest relative
deviation is 2.3e-4 on Brian2 and 2.9e-4 on NEST, at Δt = +100 ms where the next pairing's
depression (400 ms later) leaks in; the bound is the issue's 1 %.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from neurosim.network.plasticity import STDP, brian2_stdp_model, nest_stdp_synapse, window
from neurosim.network.stdp_protocols import pairing_window

ENGINES = ["brian2", "nest"]  # NEST is part of `make install`: its absence is a failure
DTS = np.r_[-100:0:10, 10:101:10].astype(float)


def _stdp(rule):
    from brian2 import mV, ms

    return STDP(tau_plus=20 * ms, tau_minus=30 * ms, A_plus=0.005, A_minus=0.006,
                w_max=1 * mV, rule=rule)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rule", ["additive", "multiplicative"])
def test_window_matches_closed_form(engine, rule):
    r = pairing_window(_stdp(rule), DTS, n_pairs=5, frequency_hz=2.0, engine=engine)
    np.testing.assert_allclose(r.per_pair, window(_stdp(rule), DTS), rtol=0.01)
    assert np.all(np.sign(r.dw_rel) == np.sign(DTS))  # LTP after, LTD before


def test_window_closed_form_values():
    s = _stdp("additive")
    w = window(s, [20.0, -30.0, 0.0])
    assert w[0] == pytest.approx(0.005 * np.exp(-1))
    assert w[1] == pytest.approx(-0.006 * np.exp(-1))
    assert np.isnan(w[2])


def test_nest_mapping():
    from brian2 import mV, ms

    syn, neuron = nest_stdp_synapse(_stdp("additive"), 2.0)
    assert syn["synapse_model"] == "stdp_synapse"
    assert (syn["mu_plus"], syn["mu_minus"], syn["Wmax"]) == (0.0, 0.0, 2.0)
    assert syn["lambda"] == 0.005 and syn["alpha"] == pytest.approx(1.2)
    assert neuron == {"tau_minus": 30.0}
    mult, _ = nest_stdp_synapse(_stdp("multiplicative"), 1.0)
    assert (mult["mu_plus"], mult["mu_minus"]) == (1.0, 1.0)
    with pytest.raises(ValueError, match="A_plus=0"):
        nest_stdp_synapse(STDP(20 * ms, 20 * ms, 0.0, 0.01, 1 * mV), 1.0)


def test_brian2_statements_mention_the_rule():
    model, on_pre, on_post = brian2_stdp_model(_stdp("multiplicative"), "w")
    assert "event-driven" in model and "x_pre_stdp += 1" in on_pre
    assert "clip(w + 0.005" in on_post and "- w)" in on_post


@pytest.mark.parametrize("kwargs, match", [
    (dict(rule="hebbian"), "unknown"), (dict(A_plus=-1.0), ">= 0"),
    (dict(tau_plus=0.0), "positive"), (dict(w_max=0.0), "positive")])
def test_bad_records(kwargs, match):
    from brian2 import mV, ms

    base = dict(tau_plus=20 * ms, tau_minus=20 * ms, A_plus=0.01, A_minus=0.01, w_max=1 * mV)
    with pytest.raises(ValueError, match=match):
        STDP(**{**base, **kwargs})


def test_bad_protocols():
    s = _stdp("additive")
    with pytest.raises(ValueError, match="Δt = 0"):
        pairing_window(s, [0.0, 10.0], n_pairs=2)
    with pytest.raises(ValueError, match="bound"):
        pairing_window(s, [10.0], n_pairs=100)
    with pytest.raises(ValueError, match="period"):
        pairing_window(s, [100.0], n_pairs=2, frequency_hz=10.0)
    with pytest.raises(ValueError, match="engine"):
        pairing_window(s, [10.0], n_pairs=2, engine="neuron")


def test_cli_window_json(capsys):
    from pipeline.console import main

    rc = main(["stdp", "window", "--engine", "nest", "--pairs", "4", "--frequency", "2Hz",
               "--step", "25ms", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["max_rel_error"] < 0.01 and len(out["dt_ms"]) == 8


def test_cli_bad_unit(capsys):
    from pipeline.console import main

    assert main(["stdp", "window", "--tau-plus", "20mV"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--tau-plus" in err[0]
