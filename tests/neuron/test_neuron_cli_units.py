"""CLI `neurosim neuron` / `neurosim fi`, strict unit parsing, and analysis on synthetic data
(known answers computed by hand)."""

import json
import subprocess
import sys

import numpy as np
import pytest
from brian2 import amp, meter, nA, second, uA, cm, ms

from pipeline.console import main
from neurosim.neuron import analysis as A
from neurosim.neuron.units import parse_quantity


@pytest.mark.parametrize("text, expected", [
    ("10uA/cm2", 10 * uA / cm ** 2), ("0.5nA", 0.5 * nA), ("200ms", 200 * ms),
    ("1.5e-3 A/cm^2", 1.5e-3 * amp / cm ** 2), ("-2pA", -2e-3 * nA)])
def test_parse_quantity(text, expected):
    q = parse_quantity(text)
    assert float(q) == pytest.approx(float(expected)) and q.dim == expected.dim


@pytest.mark.parametrize("text, needle", [
    ("10", "missing unit"), ("nA", "expected a number"), ("10xyz", "unknown unit 'xyz'"),
    ("10uA/cm2x", "unknown unit 'cm2x'"), ("10mV", "wrong dimension")])
def test_parse_quantity_rejects(text, needle):
    with pytest.raises(ValueError, match=needle):
        parse_quantity(text, [amp, amp / meter ** 2], "--current")


def test_neuron_json_hh(capsys):
    """Deterministic: 7 spikes at dt = 0.01 and 0.005 ms and on both targets, the 7th at
    109.9 ms, an 8th out of reach (see test_neuron_hh)."""
    assert main(["neuron", "hh", "--current", "10uA/cm2", "--duration", "100ms", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for key in ("n_spikes", "rate_hz", "rest_mV", "peak_mV", "ahp_min_mV", "spike_times_ms"):
        assert key in out
    assert out["n_spikes"] == 7 and out["rate_hz"] == pytest.approx(70.0)
    assert out["rest_mV"] == pytest.approx(-65.0, abs=0.05)
    assert len(out["spike_times_ms"]) == 7


def test_fi_json_and_plot(tmp_path, capsys):
    plot = tmp_path / "fi.png"
    assert main(["fi", "lif", "--currents", "0.1nA:1nA:4", "--duration", "200ms", "--json",
                 "--plot", str(plot)]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["currents"] == [0.1, 0.4, 0.7, 1.0] and out["current_unit"] == "nA"
    assert out["rates_hz"][0] == 0.0 and all(np.diff(out["rates_hz"]) > 0)
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["fi.png"]  # no temp file left


@pytest.mark.parametrize("args, needle", [
    (["neuron", "hh", "--current", "0.5nA", "--duration", "100ms"], "expected a current density"),
    (["neuron", "lif", "--current", "0.5nA", "--duration", "10mV"], "expected a time"),
    (["neuron", "adex", "--pattern", "nope", "--current", "1nA", "--duration", "10ms"],
     "unknown AdEx pattern"),
    (["neuron", "hh", "--pattern", "RS", "--current", "1uA/cm2", "--duration", "10ms"],
     "has no patterns"),
    (["fi", "hh", "--currents", "6uA/cm2:7uA/cm2", "--duration", "10ms"], "START:STOP:N"),
    (["fi", "lif", "--currents", "0nA:1nA:x", "--duration", "10ms"], "is not an integer"),
    (["neuron", "lif", "--current", "1nA", "--duration", "10ms", "--plot", "out.gif"],
     "use a file name ending in .png, .pdf or .svg"),
    (["morphology", "bipolar", "--plot", "/dev/null/x.png"], "is a file, not a folder"),
])
def test_bad_input_one_line_exit_2(args, needle, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0] and err[0].startswith("neurosim ")


def test_bad_unit_from_the_shell_exits_2():
    p = subprocess.run([sys.executable, "-m", "neurosim", "neuron", "lif", "--current", "3mV",
                        "--duration", "10ms"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    err = [line for line in p.stderr.strip().splitlines() if line.startswith("neurosim ")]
    assert len(err) == 1 and "--current '3mV': wrong dimension" in err[0]


def _synthetic_train():
    """Triangle spikes on a -70 mV baseline: 10 mV/ms to -50, 80 mV/ms to +30, down to -80."""
    t = np.arange(0, 100, 0.01)
    v = np.full_like(t, -70.0)
    for t0 in (20.0, 50.0, 80.0):
        pre = (t >= t0 - 2) & (t < t0)            # -70 -> -50 in 2 ms (10 mV/ms)
        v[pre] = -70 + 10 * (t[pre] - t0 + 2)
        rise = (t >= t0) & (t < t0 + 1)           # -50 -> +30 in 1 ms (80 mV/ms)
        v[rise] = -50 + 80 * (t[rise] - t0)
        fall = (t >= t0 + 1) & (t < t0 + 3)       # +30 -> -80 in 2 ms
        v[fall] = 30 - 55 * (t[fall] - t0 - 1)
        rec = (t >= t0 + 3) & (t < t0 + 13)       # -80 -> -70 in 10 ms
        v[rec] = -80 + (t[rec] - t0 - 3)
    return t, v


def test_analysis_on_synthetic_trace():
    t, v = _synthetic_train()
    s = A.detect_spikes(t, v, threshold=0.0)
    np.testing.assert_allclose(s, [20.625, 50.625, 80.625], atol=1e-6)  # -50 + 80*0.625 = 0
    shp = A.spike_shapes(t, v, s, rest_mV=-70.0)
    np.testing.assert_allclose(shp["peak_mV"], 30.0, atol=0.6)
    np.testing.assert_allclose(shp["threshold_mV"], -50.0, atol=1.0)
    np.testing.assert_allclose(shp["ahp_min_mV"], -80.0, atol=0.1)
    np.testing.assert_allclose(shp["ahp_depth_mV"], 10.0, atol=0.1)
    # half amplitude -10 mV: up at 0.5 ms, down at 1 + 40/55 ms -> width 1.227 ms
    np.testing.assert_allclose(shp["width_ms"], 0.5 + 40 / 55, atol=0.03)
    assert A.resting_potential(t, v, (0, 18)) == pytest.approx(-70.0)
    assert A.firing_rate(s, 0, 100) == pytest.approx(30.0)
    np.testing.assert_allclose(A.isis(s), [30.0, 30.0])
    assert A.adaptation_index(s) == pytest.approx(0.0)
    labels = A.label_phases(t, v, s, rest_mV=-70.0)
    name = lambda tt: A.PHASES[labels[int(round(tt / 0.01))]]  # noqa: E731
    assert name(10) == "rest" and name(19) == "depolarization" and name(20.5) == "rising" and name(22) == "repolarization"
    assert name(22.7) == "repolarization" and name(22.9) == "refractory"  # V < rest at 22.82
    assert name(23.9) == "refractory"  # peak at 21 ms + 3 ms
    assert name(26) == "hyperpolarization" and name(40) == "rest"


def test_adaptation_index_and_bursts_by_hand():
    # ISIs 10, 20, 40: A = mean(10/30, 20/60) = 1/3
    assert A.adaptation_index([0, 10, 30, 70]) == pytest.approx(1 / 3)
    # two bursts of 3 spikes (ISI 2 ms) 50 ms apart; a smoothly adapting train has none
    train = [0, 2, 4, 54, 56, 58]
    assert [b.tolist() for b in A.find_bursts(train)] == [[0, 1, 2], [3, 4, 5]]
    assert A.find_bursts([0, 10, 22, 36, 52, 70]) == []
    assert A.steady_state_rate([0, 10, 30, 50, 70], 0, 100, skip_ms=25) == pytest.approx(50.0)
    assert A.steady_state_rate([5], 0, 100) == 0.0


def test_morphology_json_and_plot(tmp_path, capsys):
    plot = tmp_path / "bipolar.svg"
    assert main(["morphology", "bipolar", "--current", "1nA", "--duration", "20ms", "--json",
                 "--plot", str(plot)]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["shape"] == "bipolar" and {"soma", "dendrite tip", "axon tip"} == set(out["sites"])
    soma, axon = out["sites"]["soma"], out["sites"]["axon tip"]
    assert soma["spike_times_ms"] and axon["spike_times_ms"][0] > soma["spike_times_ms"][0]
    assert plot.read_text().lstrip().startswith("<?xml")
