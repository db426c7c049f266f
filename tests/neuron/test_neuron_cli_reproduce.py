"""``neurosim neuron`` / ``neurosim fi`` options that reproduce a fault: ``--dt`` and repeatable
``--param NAME=VALUE_WITH_UNIT``. Each bad form is exit status 2 and one stderr line naming the
option and the expected unit; good forms give finite numbers and echo dt, method and params."""

import json
import math
import subprocess
import sys

import pytest

from pipeline.console import main

ADEX = ["neuron", "adex", "--current", "500pA", "--duration", "200ms"]
HH = ["neuron", "hh", "--current", "10uA/cm2", "--duration", "100ms"]
FI = ["fi", "lif", "--currents", "0.1nA:1nA:4", "--duration", "200ms"]


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _finite(values) -> bool:
    return all(v is None or math.isfinite(v) for v in values)


@pytest.mark.parametrize("extra, needle", [
    (["--param", "DeltaT=0.5nA"], "--param DeltaT=0.5nA: DeltaT needs a voltage (e.g. 2mV)"),
    (["--param", "Delta=0.5mV"], "model 'adex:tonic' has no parameter 'Delta'; valid: Cm, gL, "
                                 "EL, VT, DeltaT, a, tau_w, b, Vr, v_cut"),
    (["--param", "DeltaT0.5mV"], "--param 'DeltaT0.5mV': expected NAME=VALUE_WITH_UNIT"),
    (["--param", "=1mV"], "expected NAME=VALUE_WITH_UNIT"),
    (["--param", "DeltaT="], "expected NAME=VALUE_WITH_UNIT"),
    (["--param", "DeltaT=0.5"], "--param DeltaT=0.5: missing unit"),
    (["--param", "DeltaT=0.5xV"], "unknown unit 'xV'"),
    (["--param", "DeltaT=1e999mV"], "too large for a float; DeltaT needs a voltage (e.g. 2mV)"),
    (["--param", "DeltaT=nanmV"], "expected a number followed by a unit"),
    (["--param", "DeltaT=-1mV"], "--param DeltaT=-1mV: DeltaT must not be negative"),
    (["--param", "Cm=0pF"], "--param Cm=0pF: Cm must be positive"),
    (["--param", "DeltaT=1mV", "--param", "DeltaT=2mV"], "DeltaT is given twice"),
    (["--dt", "0ms"], "--dt 0 ms: must be positive"),
    (["--dt=-0.01ms"], "--dt -0.01 ms: must be positive"),
    (["--dt", "1e999ms"], "--dt '1e999ms': the number is too large for a float"),
    (["--dt", "0.05"], "--dt '0.05': missing unit"),
    (["--dt", "0.05mV"], "--dt '0.05mV': wrong dimension, expected a time"),
    (["--dt", "50ms"], "--dt 50 ms: longer than the run's shortest stretch (20 ms); "
                       "use --dt <= 20 ms"),
])
def test_bad_reproduction_options_one_line_exit_2(extra, needle, capsys):
    assert main(ADEX + extra) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("neurosim neuron: error: ") and needle in err[0]


def test_bad_param_on_fi_and_hh(capsys):
    assert main(FI + ["--param", "tau=5"]) == 2
    assert "tau needs a time (e.g. 10ms)" in capsys.readouterr().err
    assert main(HH + ["--param", "gNa=100nS"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["neurosim neuron: error: --param gNa=100nS: gNa needs a conductance density "
                   "(e.g. 120mS/cm2)"]


def test_adex_lif_limit_from_the_command_line(capsys):
    assert main(ADEX + ["--param", "DeltaT=0mV", "--json"]) == 0
    out = _json(capsys)
    assert out["params"] == {"DeltaT": "0mV"} and out["dt_ms"] == 0.01
    assert out["n_spikes"] == pytest.approx(37, abs=1)
    assert _finite(out["spike_times_ms"]) and _finite([out["rest_mV"], out["rate_hz"]])


def test_hh_with_dt_and_params(capsys):
    assert main(HH + ["--dt", "0.1ms", "--param", "gNa=100mS/cm2", "--param", "gK=30mS/cm2",
                      "--json"]) == 0
    out = _json(capsys)
    assert out["dt_ms"] == 0.1 and out["method"] == "exponential_euler"
    assert out["params"] == {"gNa": "100mS/cm2", "gK": "30mS/cm2"}
    assert out["n_spikes"] > 0
    assert _finite([out[k] for k in ("rest_mV", "peak_mV", "ahp_min_mV", "rate_hz")])


def test_fi_with_dt_and_param_text_output(capsys):
    assert main(FI + ["--dt", "0.05ms", "--param", "tau=20ms"]) == 0
    out = capsys.readouterr().out
    assert "dt 0.05 ms, exponential_euler), tau=20ms" in out
    assert main(FI + ["--dt", "0.05ms", "--param", "tau=20ms", "--json"]) == 0
    res = _json(capsys)
    assert res["params"] == {"tau": "20ms"} and _finite(res["rates_hz"])
    assert res["rates_hz"][0] == 0.0 and res["rates_hz"][-1] > 0


def test_help_documents_the_options(capsys):
    with pytest.raises(SystemExit):
        main(["neuron", "--help"])
    text = capsys.readouterr().out
    assert "--dt VALUE_WITH_UNIT" in text and "--param NAME=VALUE_WITH_UNIT" in text


def test_divergence_from_the_shell_is_one_line_without_traceback():
    p = subprocess.run([sys.executable, "-m", "neurosim", *HH, "--param", "gNa=1e6mS/cm2"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.strip().splitlines() == [
        "neurosim neuron: error: integration diverged at t = 0.03 ms in v; use a smaller dt "
        "(now 0.01 ms) or check the parameters"]
