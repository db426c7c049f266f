"""Issue #19 for `neurosim neuron`, `fi`, `morphology` and `models`: hyperpolarizing steps,
help texts with defaults and units, refused non-physical runs, output wording, stimuli, CSV.
Every failure is exit status 2 and one stderr line, no traceback; runs are short (LIF/HH, tens
of ms) so the file stays cheap."""

import json

import numpy as np
import pytest

from pipeline.console import _build_parser, main
from neurosim.neuron.cli_output import round_json, spike_counts


def _run(capsys, argv):
    code = main(argv)
    cap = capsys.readouterr()
    return code, cap.out, [line for line in cap.err.splitlines() if line.strip()]


def _json(out):
    return json.loads(out.strip().splitlines()[-1])


def _refused(capsys, argv, needle):
    code, _, err = _run(capsys, argv)
    assert code == 2, err
    assert len(err) == 1 and needle in err[0] and "Traceback" not in err[0], err


# 1. hyperpolarizing steps, --currents ranges ---------------------------------------------
def test_hyperpolarizing_hh_step_reports_a_rebound_spike(capsys):
    argv = ["neuron", "hh", "--current", "-5uA/cm2", "--duration", "50ms"]
    code, out, err = _run(capsys, argv)
    assert code == 0 and not err
    assert "0 spikes during the step (0.0 Hz), 1 rebound spike after it; pattern rebound" in out
    code, out, _ = _run(capsys, argv + ["--json"])
    res = _json(out)
    assert res["current"] == -5 and res["current_unit"] == "uA/cm2"
    assert (res["n_spikes_stimulus"], res["n_spikes_after"]) == (0, 1)
    assert res["firing_pattern"] == "rebound"


def test_fi_with_negative_currents(capsys):
    code, out, _ = _run(capsys, ["fi", "lif", "--currents", "-2nA:2nA:5", "--duration", "40ms",
                                 "--json"])
    res = _json(out)
    assert code == 0 and res["currents"] == [-2, -1, 0, 1, 2] and res["current_unit"] == "nA"
    assert res["rates_hz"][:3] == [0, 0, 0] and res["rates_hz"][4] > res["rates_hz"][3] > 0


@pytest.mark.parametrize("spec, needle", [
    ("2nA:-2nA:5", "STOP must be above START"), ("1nA:1nA:3", "STOP must be above START"),
    ("1nA:2nA:1", "N=1 gives one current, but START and STOP differ"),
    ("1nA:1nA:0", "N=0 must be between 1 and 10000"),
    ("1nA:2nA:-3", "N=-3 must be between 1 and 10000")])
def test_fi_current_ranges_refused(capsys, spec, needle):
    _refused(capsys, ["fi", "lif", "--currents", spec, "--duration", "20ms"], needle)


def test_fi_one_current(capsys):
    code, out, _ = _run(capsys, ["fi", "lif", "--currents", "1nA:1nA:1", "--duration", "30ms",
                                 "--json"])
    assert code == 0 and _json(out)["currents"] == [1]


# 2. help texts -----------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["neuron", "fi", "morphology", "models"])
def test_every_option_shows_its_default(command):
    parser = _build_parser(command)
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    for action in sub._actions:
        if action.option_strings and action.dest != "help":
            assert "default" in (action.help or "") or action.required, action.dest


def test_pattern_help_lists_every_pattern(capsys):
    from neurosim.neuron.library import ADEX_PATTERNS, IZHIKEVICH_PATTERNS

    with pytest.raises(SystemExit):
        main(["neuron", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "..." not in text
    for name in (*IZHIKEVICH_PATTERNS, *ADEX_PATTERNS, "pulses", "noise", "--noise-sigma",
                 "--csv"):
        assert name.replace("_", "_") in text.replace("- ", "-"), name


# 3. non-physical runs ----------------------------------------------------------------------
@pytest.mark.parametrize("argv, needle", [
    (["neuron", "hh", "--current", "10uA/cm2", "--duration", "20ms", "--dt", "10ms"],
     "--dt 10ms is beyond the validated range of hh (0 < dt <= 0.2 ms)"),
    (["neuron", "adex", "--pattern", "regular_bursting", "--current", "200pA", "--duration",
      "20ms", "--param", "DeltaT=0mV"], "fires on every time step"),
    (["neuron", "adex", "--pattern", "irregular", "--current", "200pA", "--duration",
      "20ms", "--param", "DeltaT=0mV"], "Vr=-48mV, VT=-50mV"),
    (["neuron", "adex", "--current", "200pA", "--duration", "20ms", "--param", "v_cut=-80mV"],
     "the spike cut-off v_cut is not above rest and reset"),
    (["neuron", "lif", "--current", "1nA", "--duration", "20ms", "--param", "v_reset=-40mV"],
     "the reset is not below the threshold"),
])
def test_runs_that_cannot_be_right_are_refused(capsys, argv, needle):
    _refused(capsys, argv, needle)


def test_dt_beyond_the_validated_range_warns(capsys):
    code, _, err = _run(capsys, ["neuron", "hh", "--current", "10uA/cm2", "--duration", "30ms",
                                 "--dt", "0.5ms"])
    assert code == 0 and len(err) == 1
    assert err[0].startswith("neurosim neuron: warning: --dt 0.5ms is beyond the validated")


def test_morphology_with_an_absurd_current_is_refused(capsys):
    _refused(capsys, ["morphology", "bipolar", "--current", "1mA", "--duration", "2ms"],
             "outside the physiological range -150 to +100 mV")


def test_hh_driven_far_below_rest_is_refused(capsys):
    _refused(capsys, ["neuron", "hh", "--current", "-40uA/cm2", "--duration", "20ms"],
             "--current -40uA/cm2: would drive the membrane to about -188 mV")


# 4. output wording -------------------------------------------------------------------------
def test_spikes_are_counted_before_during_and_after():
    c = spike_counts([5.0, 25.0, 30.0, 75.0], (20.0, 70.0))
    assert (c["n_spikes"], c["n_spikes_before"], c["n_spikes_stimulus"],
            c["n_spikes_after"]) == (4, 1, 2, 1)
    assert c["rate_hz"] == pytest.approx(40.0)


def test_json_is_rounded_and_the_typed_unit_echoed(capsys):
    assert round_json({"x": [28.950000000000003, float("nan")]}) == {"x": [28.95, None]}
    code, out, _ = _run(capsys, ["neuron", "lif", "--current", "300pA", "--duration", "30ms",
                                 "--json"])
    res = _json(out)
    assert code == 0 and (res["current"], res["current_unit"]) == (300, "pA")
    assert all(len(repr(t)) <= 14 for t in res["spike_times_ms"])
    code, out, _ = _run(capsys, ["neuron", "lif", "--current", "250pA", "--duration", "30ms"])
    assert "1 spike during the step" in out and "1 spikes" not in out


def test_every_written_file_is_named(tmp_path, capsys):
    plot = tmp_path / "new" / "fi.png"
    code, out, _ = _run(capsys, ["fi", "lif", "--currents", "0.1nA:1nA:3", "--duration", "30ms",
                                 "--plot", str(plot)])
    assert code == 0 and f"plot: {plot}" in out and plot.exists()


# 6. stimuli and CSV ------------------------------------------------------------------------
def test_csv_export(tmp_path, capsys):
    csv = tmp_path / "out" / "lif.csv"
    code, out, _ = _run(capsys, ["neuron", "lif", "--current", "500pA", "--duration", "30ms",
                                 "--csv", str(csv)])
    assert code == 0 and f"csv: {csv}" in out
    lines = csv.read_text().splitlines()
    comments = [line for line in lines if line.startswith("#")]
    assert comments[0].startswith("# neurosim neuron lif --current 500pA")
    spikes = next(line for line in comments if line.startswith("# spike_times_ms:"))
    header = lines[len(comments)]
    assert header == "t_ms,V_mV,I_pA"
    data = np.loadtxt(csv, delimiter=",", skiprows=len(comments) + 1)
    assert data.shape[1] == 3 and data[:, 2].max() == pytest.approx(500)
    assert len(spikes.split(":")[1].split()) > 1


@pytest.mark.parametrize("extra, key", [
    (["--stimulus", "ramp", "--ramp-start", "0.2nA"], "ramp"),
    (["--stimulus", "pulses", "--pulse-width", "5ms", "--period", "10ms"], "pulses"),
    (["--stimulus", "noise", "--noise-sigma", "0.3nA", "--seed", "3"], "noise")])
def test_stimuli(capsys, extra, key):
    argv = ["neuron", "lif", "--current", "1nA", "--duration", "30ms", "--json", *extra]
    code, out, _ = _run(capsys, argv)
    res = _json(out)
    assert code == 0 and res["stimulus"] == key and res["n_spikes"] > 0
    if key == "noise":  # the same seed gives the same spikes
        assert _json(_run(capsys, argv)[1])["spike_times_ms"] == res["spike_times_ms"]


@pytest.mark.parametrize("extra, needle", [
    (["--period", "5ms"], "--period applies to --stimulus pulses only"),
    (["--stimulus", "noise"], "--stimulus noise needs --noise-sigma"),
    (["--stimulus", "pulses", "--period", "50ms"], "no pulse fits"),
    (["--stimulus", "noise", "--noise-sigma", "1mV"], "--noise-sigma '1mV': wrong dimension"),
    (["--csv", "x.txt"], "--csv x.txt: use a file name ending in .csv")])
def test_stimulus_and_csv_mistakes(capsys, extra, needle):
    _refused(capsys, ["neuron", "lif", "--current", "1nA", "--duration", "30ms", *extra], needle)


# 5. morphology names, models ---------------------------------------------------------------
def test_pseudo_unipolar_is_the_name_and_unipolar_an_alias():
    from neurosim.neuron.morphology import shape

    assert shape("pseudo-unipolar").name == shape("unipolar").name == "pseudo-unipolar"
    with pytest.raises(ValueError, match="did you mean 'bipolar'"):
        shape("bipolr")


def test_models_lists_everything(capsys):
    code, out, _ = _run(capsys, ["models"])
    assert code == 0
    for name in ("lif", "hh", "traub", "izhikevich", "adex", "regular_bursting", "LTS",
                 "noise", "pseudo-unipolar", "morris-lecar", "Naud et al. 2008"):
        assert name in out
    code, out, _ = _run(capsys, ["models", "adex", "--json"])
    res = _json(out)
    params = {p["name"]: p for p in res["parameters"]}
    assert params["VT"]["default"] == "-50mV" and params["VT"]["quantity"] == "a voltage"
    assert len(res["patterns"]) == 8 and res["dt_ms"]["validated_max"] == 0.1
    assert "models" in _json(_run(capsys, ["models", "--json"])[1])
    _refused(capsys, ["models", "adx"], "did you mean 'adex'")


# 7. the exported current is the current the neuron integrated ------------------------------
def test_noise_csv_current_is_what_the_neuron_got(tmp_path, capsys):
    """A passive stretch of the LIF under exponential Euler is exact for a current held over a
    step: v[k+1] = v_inf + (v[k] - v_inf) exp(-dt/tau), v_inf = E_L + R I[k]. Solving for I[k]
    from the CSV's V must give the CSV's current column at every step (it used to change
    0.05 ms early, and show the noise before and after the stimulus window)."""
    csv = tmp_path / "lifnoise.csv"
    code, _, _ = _run(capsys, ["neuron", "lif", "--current", "0.1nA", "--duration", "10ms",
                               "--stimulus", "noise", "--noise-sigma", "0.3nA", "--seed", "1",
                               "--csv", str(csv)])
    assert code == 0
    rows = [line for line in csv.read_text().splitlines() if not line.startswith("#")]
    t, v, i = np.loadtxt(rows[1:], delimiter=",", unpack=True)
    assert v.max() < -50  # no spike: the whole trace is the passive closed form
    e = np.exp(-(t[1] - t[0]) / 10.0)  # tau = 10 ms
    i_from_v = ((v[1:] - v[:-1] * e) / (1 - e) - (-70.0)) / 100.0  # R = 100 MOhm: mV -> nA
    assert np.abs(i_from_v - i[:-1]).max() < 1e-3
    outside = (t < 20 - 1e-9) | (t >= 30 - 1e-9)
    assert np.all(i[outside] == 0) and np.all(i[~outside] != 0.1)


def test_models_shows_every_pattern_and_the_dynamics_models(capsys):
    """Every Izhikevich type's (a, b, c, d) and every AdEx pattern's parameters, in the table
    and in --json; --pattern picks the parameter list; fhn/morris-lecar are models too."""
    code, out, _ = _run(capsys, ["models", "izhikevich"])
    rows = {line.split()[0]: line.split()[1:5] for line in out.splitlines()
            if line.strip() and line.split()[0] in ("RS", "IB", "FS", "TC")}
    assert rows["IB"] == ["20Hz", "0.2nS", "-55mV", "4pA"] and rows["FS"][0] == "100Hz"
    assert rows["TC"][3] == "0.05pA"
    res = _json(_run(capsys, ["models", "adex", "--json"])[1])
    table = {p["name"]: p["parameters"] for p in res["patterns"]}
    assert table["irregular"]["a"] == "-11nS" and table["adapting"]["tau_w"] == "300ms"
    res = _json(_run(capsys, ["models", "izhikevich", "--pattern", "IB", "--json"])[1])
    assert res["pattern"] == "IB" and {p["name"]: p["default"] for p in
                                       res["parameters"]}["c"] == "-55mV"
    code, out, _ = _run(capsys, ["models", "izhikevich", "--pattern", "IB"])
    assert "defaults of pattern IB" in out
    code, out, _ = _run(capsys, ["models", "fhn"])
    assert code == 0 and "FitzHugh 1961" in out and "tau" in out and "plain number" in out
    res = _json(_run(capsys, ["models", "morris-lecar", "--pattern", "class2", "--json"])[1])
    params = {p["name"]: p["default"] for p in res["parameters"]}
    assert params["gCa"] == "4.4mS/cm2" and res["commands"] == ["phase", "bifurcation"]
    assert "Morris & Lecar 1981" in res["source"] and len(res["patterns"]) == 2
    _refused(capsys, ["models", "izhikevich", "--pattern", "XX"], "choose from RS")
    _refused(capsys, ["models", "fnh"], "did you mean 'fhn'")


@pytest.mark.parametrize("argv, needle", [
    (["neuron", "hh", "--current", "10uA/cm2", "--duration", "5ms", "--param", "gna=100mS/cm2"],
     "valid: Cm, gNa, gK, gL, ENa, EK, EL (did you mean 'gNa'?)"),
    (["neuron", "adex", "--current", "200pA", "--duration", "5ms", "--param", "deltat=1mV"],
     "(did you mean 'DeltaT'?)")])
def test_param_name_case_is_suggested(capsys, argv, needle):
    _refused(capsys, argv, needle)


# 8. units as typeset ------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["5µA/cm²", "5\u03bcA/cm²", "5uA/cm^2", "0.05 A/m²",
                                  "5µA·cm⁻²"])
def test_typeset_units_are_read(text):
    from brian2 import cm, uA

    from neurosim.neuron.units import parse_quantity

    assert float(parse_quantity(text, uA / cm ** 2) / (uA / cm ** 2)) == pytest.approx(5)


@pytest.mark.parametrize("model, needle", [
    ("hh", "missing unit (a current density, e.g. 10uA/cm2)"),
    ("traub", "e.g. 10uA/cm2"), ("lif", "missing unit (a current, e.g. 0.5nA or 500pA)"),
    ("adex", "0.5nA or 500pA")])
def test_a_bare_current_gets_this_models_examples(capsys, model, needle):
    _refused(capsys, ["neuron", model, "--current", "5", "--duration", "5ms"], needle)


def test_fi_says_why_a_rate_is_zero_with_spikes(capsys):
    argv = ["fi", "lif", "--currents", "1nA:1nA:1", "--duration", "10ms"]
    code, out, _ = _run(capsys, argv)
    assert code == 0 and "0.00 Hz  (2 spikes during the stimulus, 1 after the first quarter)" \
        in out
    assert "needs >= 2 spikes after the first quarter" in out and "longer --duration" in out
    res = _json(_run(capsys, argv + ["--json"])[1])
    assert res["n_spikes_steady"] == [1] and res["skip_ms"] == 2.5


# 9. morphology: the counted events are the plotted ones; a slender shape keeps its panel ----
def test_morphology_counts_what_the_plot_shows(capsys, monkeypatch, tmp_path):
    """pyramidal, 1 nA for 30 ms: three axonal spikes; the soma fires the first and sees the
    other two as attenuated events (it used to report 2 spikes at a -20 mV crossing while the
    plot showed three). Every event is a marker on the plot."""
    import neurosim.neuron.cli_plots as plots

    figs = []
    monkeypatch.setattr(plots, "_write_figure", lambda fig, path: figs.append(fig))
    code, out, _ = _run(capsys, ["morphology", "pyramidal", "--current", "1nA", "--duration",
                                 "30ms", "--json", "--plot", str(tmp_path / "p.png")])
    res = _json(out)
    soma, axon = res["sites"]["soma"], res["sites"]["axon tip"]
    assert code == 0 and res["spike_criterion_mV"] == 0
    assert len(soma["spike_times_ms"]) == 1 and len(soma["events"]) == 3
    assert len(axon["spike_times_ms"]) == 3
    for site in res["sites"].values():
        assert sum(e["spike"] for e in site["events"]) == len(site["spike_times_ms"])
    markers = [line for line in figs[0].axes[1].lines if line.get_marker() == "o"]
    assert len(markers) == sum(len(s["events"]) for s in res["sites"].values())
    code, out, _ = _run(capsys, ["morphology", "pyramidal", "--current", "1nA", "--duration",
                                 "30ms"])
    assert "soma                   peak    28.7 mV, 1 spike, 2 smaller events (peak" in out


def test_morphology_bipolar_shape_panel_is_not_a_sliver(capsys, monkeypatch, tmp_path):
    import neurosim.neuron.cli_plots as plots

    figs = []
    monkeypatch.setattr(plots, "_write_figure", lambda fig, path: figs.append(fig))
    code, _, _ = _run(capsys, ["morphology", "bipolar", "--duration", "5ms", "--plot",
                               str(tmp_path / "b.png")])
    ax = figs[0].axes[0]
    figs[0].canvas.draw()
    box = ax.get_position()
    assert code == 0 and box.width > 0.2  # a third of the figure, not a sliver
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert (x1 - x0) > 0.5 * (y1 - y0) and len(ax.get_xticks()) <= 7


# 10. firing-pattern labels belong to steps; a silent ramp is explained ----------------------
@pytest.mark.parametrize("extra, label", [
    (["--stimulus", "noise", "--noise-sigma", "0.3nA", "--seed", "3"], "n/a (noise stimulus)"),
    (["--stimulus", "pulses", "--pulse-width", "5ms", "--period", "10ms"],
     "n/a (pulses stimulus)"),
    ([], "tonic")])
def test_pattern_is_only_labelled_for_a_step(capsys, extra, label):
    argv = ["neuron", "lif", "--current", "1nA", "--duration", "30ms", *extra]
    code, out, _ = _run(capsys, argv)
    assert code == 0 and f"pattern {label}" in out
    assert _json(_run(capsys, argv + ["--json"])[1])["firing_pattern"] == label


def test_a_silent_ramp_says_the_step_would_fire(capsys):
    argv = ["neuron", "hh", "--stimulus", "ramp", "--current", "15uA/cm2", "--duration",
            "100ms", "--json"]
    res = _json(_run(capsys, argv)[1])
    assert res["n_spikes_stimulus"] == 0 and res["firing_pattern"] == "silent"
    assert res["note"].startswith("no spike on the ramp, but a step of 15uA/cm2 for 100ms "
                                  "fires ") and "accommodate" in res["note"]
    res = _json(_run(capsys, argv[:5] + ["40uA/cm2", "--duration", "30ms", "--json"])[1])
    assert res["n_spikes_stimulus"] > 0 and "note" not in res
