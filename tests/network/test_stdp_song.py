"""Song, Miller & Abbott (2000): additive STDP drives competing Poisson inputs to the bounds
(bimodal weights); the multiplicative rule does not.

Set-up (:func:`neurosim.network.stdp_protocols.song`): 200 inputs at 15 Hz (w_max = 0.05 g_L,
Song's total for 1000 inputs), A+ = 0.02, A-/A+ = 1.05, all weights starting at w_max/2,
60 s at dt = 0.5 ms, on NEST (~2 s here; Brian2 runs the same description, slower).

Measured over seeds 0-4 (additive): fraction below 0.1 w_max 0.18-0.22, above 0.9 w_max
0.155-0.215, between 0.3 and 0.7 w_max 0.165-0.245; post rate 68-73 Hz. Multiplicative (seed
0): every weight in (0.4, 0.6). Bounds: >= 0.10 at each end, <= 0.35 in the middle; the
multiplicative run has no weight within 0.1 of a bound.
"""

from __future__ import annotations


import numpy as np
import pytest

from neurosim.network.stdp_protocols import bimodality, song, song_network



def _run(rule, seed=0, engine="nest"):
    from brian2 import ms, second

    return song(duration=60 * second, n_inputs=200, A_plus=0.02, rule=rule, seed=seed,
                engine=engine, dt=0.5 * ms)


@pytest.mark.slow
def test_additive_is_bimodal():
    r = _run("additive", seed=1)
    assert r.frac_low >= 0.10 and r.frac_high >= 0.10, (r.frac_low, r.frac_high)
    assert np.mean((r.w_final > 0.3) & (r.w_final < 0.7)) <= 0.35
    assert np.all(r.w_initial == 0.5) and r.w_final.shape == (200,)


@pytest.mark.slow
def test_multiplicative_is_unimodal():
    r = _run("multiplicative")
    assert r.frac_low == 0 and r.frac_high == 0


def test_bimodality_fractions():
    assert bimodality([0.0, 0.05, 0.5, 0.95, 1.0]) == (0.4, 0.4)


def test_song_network_description():
    from brian2 import nS

    net = song_network(n_inputs=250)
    c = net.connections[0]
    assert c.plasticity.rule == "additive" and c.plasticity.A_minus == pytest.approx(0.0105)
    assert float(c.plasticity.w_max / nS) == pytest.approx(0.4)  # 0.01 g_L x 1000/250
    with pytest.raises(ValueError, match="n_inputs"):
        song_network(n_inputs=0)


def test_song_brian2_runs_short(tmp_path, capfd):
    """The same description on Brian2 (2 s, 20 inputs): weights stay in [0, w_max] and move.

    The engine runs with an explicit (empty) run namespace: the engine's own local variables
    (``dt`` among them) must not reach the model's name resolution, which Brian2 warned about
    ("'dt' is an internal variable of group 'poisson_inputs', but also exists in the run
    namespace") before."""
    from brian2 import ms, second

    r = song(duration=2 * second, n_inputs=20, A_plus=0.05, seed=0, engine="brian2",
             dt=0.5 * ms)
    assert "run namespace" not in capfd.readouterr().err     # Brian2 logs to stderr
    assert r.w_final.shape == (20,) and np.all((r.w_final >= 0) & (r.w_final <= 1))
    assert np.std(r.w_final) > 0 and r.rate_hz > 0


def test_cli_song_json_and_plot(tmp_path, capsys):
    import json

    from pipeline.console import main

    plot = tmp_path / "deep" / "song.png"
    rc = main(["stdp", "song", "--engine", "nest", "--duration", "2s", "--inputs", "50",
               "--json", "--plot", str(plot)])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and plot.stat().st_size > 1000
    assert out["n_inputs"] == 50 and sum(out["histogram_10_bins"]) == 50
    assert main(["stdp", "song", "--rate", "15mV"]) == 2
