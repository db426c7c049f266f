"""``neurosim phase`` and ``neurosim bifurcation``: JSON fields, plots, one-line errors."""

import json
import subprocess
import sys

import pytest

from pipeline.console import main


def _json(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_phase_json_fields(capsys):
    assert main(["phase", "morris-lecar", "--pattern", "class1", "--current", "30uA/cm2",
                 "--json"]) == 0
    out = _json(capsys)
    fps = out["fixed_points"]
    assert [f["stability"] for f in fps] == ["stable node", "saddle", "unstable focus"]
    for f in fps:
        assert set(f) >= {"v_mV", "w", "eigenvalues", "stability"}
        assert len(f["eigenvalues"]) == 2 and all(len(z) == 2 for z in f["eigenvalues"])
    assert out["saddle_node_currents"][0] == pytest.approx(39.963, abs=1e-3)
    assert out["hopf_currents"] == [pytest.approx(97.788, abs=1e-3)]
    assert out["excitability_class"] == "I"
    assert out["current_unit"] == "uA/cm2" and out["limit_cycle"] is None


def test_phase_reports_no_fixed_point_as_a_result(capsys):
    assert main(["phase", "izhikevich", "--current", "10pA", "--json"]) == 0
    out = _json(capsys)
    assert out["fixed_points"] == []
    assert out["note"] == "no fixed point with V in [-100, 30] mV"
    assert out["limit_cycle"]["frequency_hz"] > 0                     # it fires instead
    assert main(["phase", "izhikevich", "--current", "10pA"]) == 0
    assert "no fixed point with V in [-100, 30] mV" in capsys.readouterr().out


def test_phase_plot_and_extra_start(tmp_path, capsys):
    plot = tmp_path / "fhn.png"
    assert main(["phase", "fhn", "--current", "0.5", "--start", "2,0", "--plot", str(plot),
                 "--json"]) == 0
    out = _json(capsys)
    assert out["fixed_points"][0]["v_mV"] is None and "v" in out["fixed_points"][0]
    assert out["limit_cycle"]["period"] == pytest.approx(39.47, abs=0.05)
    assert "start 1" in out["trajectories"]
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["fhn.png"]


def test_bifurcation_json_fields(tmp_path, capsys):
    plot = tmp_path / "ml.svg"
    assert main(["bifurcation", "morris-lecar", "--pattern", "class1", "--currents",
                 "30uA/cm2:50uA/cm2:5", "--quick", "--json", "--plot", str(plot)]) == 0
    out = _json(capsys)
    assert out["currents"] == [30.0, 35.0, 40.0, 45.0, 50.0]
    assert out["saddle_node_currents"] == [pytest.approx(39.963, abs=1e-3)]
    assert out["hopf_currents"] == []
    assert out["excitability_class"] == "I"
    assert out["excitability"]["agree"] is True
    assert out["excitability"]["from_bifurcation"]["kind"] == "saddle-node on invariant circle"
    rows = out["equilibria"]
    assert len(rows) == 5 and len(rows[0]["fixed_points"]) == 3 and rows[-1]["fixed_points"]
    assert out["cycles"][0] is None and out["cycles"][-1]["frequency_hz"] > 0
    assert set(out["cycles"][-1]) >= {"v_min_mV", "v_max_mV", "period_ms"}
    assert len(out["fi"]["rates_hz"]) == 5 and out["bistable_ranges"] == []
    assert plot.read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize("argv, needle", [
    (["bifurcation", "fhn", "--currents", "1:0:5"], "empty or reversed"),
    (["bifurcation", "fhn", "--currents", "0.5:0.5:5"], "empty or reversed"),
    (["bifurcation", "fhn", "--currents", "0:1:1"], "N=1 must be between 2 and 10000"),
    (["bifurcation", "hh", "--currents", "0nA:1nA:5"], "expected a current density"),
    (["bifurcation", "hh", "--currents", "0:1:5"], "missing unit"),
    (["phase", "hh"], "has 4 state variables"),
    (["phase", "hh-rinzel", "--current", "1nA"], "expected a current density"),
    (["phase", "morris-lecar", "--param", "gCa=4mV"], "gCa needs a conductance density"),
    (["phase", "morris-lecar", "--pattern", "class3"], "unknown Morris–Lecar set"),
    (["phase", "fhn", "--current", "0.5uA/cm2"], "plain number"),
    (["phase", "adex", "--param", "DeltaT=0mV"], "DeltaT must be positive"),
    (["phase", "fhn", "--start", "1"], "expected two numbers"),
])
def test_bad_input_is_one_line_and_exit_2(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1


def test_cli_error_has_no_traceback():
    p = subprocess.run([sys.executable, "-m", "neurosim", "bifurcation", "morris-lecar",
                        "--currents", "50uA/cm2:10uA/cm2:5"], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.strip().splitlines() == [
        "neurosim bifurcation: error: --currents '50uA/cm2:10uA/cm2:5': the range is empty "
        "or reversed (need START < STOP)"]


def test_bifurcation_text_output_without_firing_or_points(capsys):
    assert main(["bifurcation", "fhn", "--currents", "0:0.2:3", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "no saddle-node or Hopf point in the current range" in out
    assert "bifurcation of the rest: hopf at 0.331281" in out
    assert "excitability class: undecided (the two methods did not both decide)" in out
