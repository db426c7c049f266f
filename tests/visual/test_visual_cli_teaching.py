"""``neurosim visual`` as a teaching instrument (issue #19): help with units and the angle
convention, the README's stimuli (annuli, bars, flashes), values outside the image's limits
refused in one line, MNIST labels, rounded JSON, every written file named, plots and a raster.
"""

import json

import numpy as np
import pytest

from cli_inprocess import run_cli
from pipeline.console import main
from neurosim.visual.cli_images import STIMULI


def run(capsys, *args):
    return run_cli(["visual", *args], capsys)


def _floats(x):
    if isinstance(x, dict):
        for v in x.values():
            yield from _floats(v)
    elif isinstance(x, list):
        for v in x:
            yield from _floats(v)
    elif isinstance(x, float):
        yield x


def test_help_lists_every_stimulus_key_with_default_and_unit(capsys):
    with pytest.raises(SystemExit) as e:
        main(["visual", "--help"])
    out = capsys.readouterr().out
    assert e.value.code == 0
    for kind, (_, keys) in STIMULI.items():
        assert f"{kind}:KEY=VALUE" in out
        for k in keys:
            assert f"{k.name}={k.default:g}" in out and k.unit in out
    for needle in ("cycles/px", "Michelson", "from the +x axis towards +y", "clockwise",
                   "theta=0 gives vertical bars", "Nyquist", "default 200 ms", "default rate",
                   "default 0", "mnist:INDEX"):
        assert needle in out, needle


@pytest.mark.parametrize("spec, dominant", [("bar:theta=45,length=16", 45.0),
                                            ("bar:theta=90deg", 90.0),
                                            ("annulus:inner=4,outer=12,size=24", None)])
def test_bars_and_annuli(capsys, spec, dominant):
    code, out, err = run(capsys, "--image", spec, "--json")
    assert code == 0 and err == "", err
    rep = json.loads(out)
    assert rep["v1_dominant_orientation_deg"] == dominant       # None: a ring has none
    assert rep["stages"][0]["max"] > rep["stages"][0]["min"]      # the shape was drawn


def test_flash_on_cells_answer_onset_and_off_cells_offset(capsys):
    code, out, err = run(capsys, "--image", "flash:diameter=8,on=40,off=120,size=20",
                         "--duration", "0.2s", "--json")
    assert code == 0, err
    rep = json.loads(out)
    assert rep["movie"] == {"frames": 200, "frame_ms": 1.0, "maps": "time-averaged over the run",
                            "on_off_ms": [40.0, 120.0]}
    tc = rep["centre_time_course"]
    for ch in ("midget", "parasol"):
        assert 40 <= tc[f"rgc_on_{ch}"]["peak_ms"] < 120
        assert tc[f"rgc_off_{ch}"]["peak_ms"] >= 120
    assert all(float(f"{x:.5g}") == x for x in _floats(rep))           # rounded JSON


def test_mnist_index_says_which_digit(capsys, mnist):
    """The plot's title and the "plot: FILE" line are checked in test_visual_cli.py."""
    code, out, err = run(capsys, "--image", "mnist:1")
    assert code == 0 and "image mnist:1 (digit 2)" in out, err
    code, out, err = run(capsys, "--image", "mnist:2", "--json")
    assert json.loads(out)["label"] == 1


@pytest.mark.parametrize("args, needle", [
    (["--image", "grating:sf=2"], "sf=2 must lie in (0, 0.5] cycles/px (the Nyquist limit"),
    (["--image", "grating:sf=0"], "sf=0 must lie in (0, 0.5]"),
    (["--image", "grating:contrast=1.5"], "contrast=1.5 must lie in [0, 1]"),
    (["--image", "spot:diameter=-2"], "diameter=-2 must be > 0 px"),
    (["--image", "bar:width=0"], "width=0 must be > 0 px"),
    (["--image", "grating:size=3"], "size=3 must be an integer and lie in [4, 512] px"),
    (["--image", "annulus:inner=9,outer=3"], "inner=9 px must be smaller than outer=3 px"),
    (["--image", "grating:theat=30"], "unknown grating key 'theat'; choose from sf, theta"),
    (["--image", "grating:theat=30"], "(did you mean 'theta'?)"),
    (["--image", "gratng:sf=0.1"], "unknown stimulus 'gratng'; choose from mnist, grating"),
    (["--image", "spot:diameter="], "'diameter' needs a value"),
    (["--image", "spot:diameter=6,diameter=7"], "diameter is given twice"),
    (["--image", "grating:theta=30rad"], "theta='30rad' is not a number"),
    (["--image", "mnist:10000"], "index 10000 is out of range; the MNIST test set has 10000 "
                                 "digits, index must lie in 0..9999"),
    (["--image", "flash:off=300"], "need on < off <= --duration (200 ms)"),
    (["--image", "flash:on=100,off=50"], "got on=100 ms, off=50 ms"),
    (["--image", "flash:size=8", "--duration", "3s"], "at most 2000 ms in the rate path"),
    (["--image", "spot:", "--duration", "-5ms"], "argument --duration"),
])
def test_mistakes_give_one_line_and_exit_2(capsys, args, needle):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert needle in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


@pytest.mark.parametrize("args, needle", [
    (["--image", "grating:sf=0.4,size=16"], "above the finest V1 filter's preferred 0.25"),
    (["--image", "grating:sf=0.02,size=16"], "less than one cycle across 16 px"),
    (["--image", "spot:diameter=1,size=16"], "the image is uniform"),
    (["--image", "spot:size=16", "--seed", "3"], "--seed has no effect in rate mode"),
    (["--image", "spot:size=16", "--duration", "50ms"], "--duration 50 ms has no effect"),
])
def test_warnings_are_one_line_and_the_run_goes_on(capsys, args, needle):
    code, out, err = run(capsys, *args)
    assert code == 0 and "(OSI " in out
    assert err.startswith("neurosim visual: warning:") and needle in err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("make, needle", [
    (lambda p: p.mkdir(), "is a folder; give a file name"),
    (lambda p: None, "use a file name ending in .png, .pdf or .svg"),
])
def test_bad_plot_paths_refused_before_work(capsys, tmp_path, make, needle):
    target = tmp_path / ("plot.png" if "folder" in needle else "plot.gif")
    make(target)
    code, _, err = run(capsys, "--image", "spot:size=8", "--plot", str(target))
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_spiking_flash_plot_has_a_raster(capsys, monkeypatch, tmp_path):
    """One short spiking run (numpy target): a flash, the raster in the plot, the JSON's spike
    counts, the plot file named on stderr (stdout is the JSON)."""
    monkeypatch.setenv("NEUROSIM_CODEGEN", "numpy")
    plot = tmp_path / "raster.svg"
    code, out, err = run(capsys, "--image", "flash:diameter=6,on=10,off=40,size=12",
                         "--mode", "spiking", "--duration", "60ms", "--plot", str(plot),
                         "--json")
    assert code == 0, err
    rep = json.loads(out)
    assert rep["spiking"]["duration_ms"] == 60.0
    assert set(rep["spiking"]["n_spikes"]) == {"rgc", "lgn", "v1_simple", "v1_complex"}
    assert rep["spiking"]["n_spikes"]["rgc"] > 0
    assert err.strip() == f"plot: {plot}"
    svg = plot.read_text()
    for needle in ("time (ms)", "neuron index", "retinal ganglion cells (Poisson)",
                   "V1 complex (LIF)", "rate (Hz)"):
        assert needle in svg, needle
    assert np.isfinite(rep["seconds"])


@pytest.mark.parametrize("spec, needle", [
    ("annulus", "--image annulus: annulus is a stimulus: write annulus: or annulus:inner=4,"
                "outer=12"),
    ("Grating", "Grating is a stimulus: write grating: or grating:sf=0.125,theta=30"),
    ("mnist", "mnist is a stimulus: write mnist:INDEX, e.g. mnist:0"),
    ("anulus", "anulus: no such image file; did you mean the stimulus annulus? Write annulus:"),
    ("annulus.png", "annulus.png: no such image file"),           # a file name stays one
])
def test_a_stimulus_without_its_colon_is_named(capsys, spec, needle):
    code, out, err = run(capsys, "--image", spec)
    assert code == 2 and out == ""
    assert needle in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("spec, named", [("spot:size=16", False), ("annulus:size=16", False),
                                         ("flash:size=16", False), ("bar:theta=90,size=16", True),
                                         ("grating:theta=45,size=16", True)])
def test_orientation_named_only_when_selective(capsys, spec, named):
    """Round stimuli give OSI 0 in the rate path (measured values in
    ``cli_compute.OSI_THRESHOLD``'s comment); the JSON has the OSI, and null for no
    orientation."""
    code, out, _ = run(capsys, "--image", spec, "--json")
    rep = json.loads(out)
    assert code == 0 and 0.0 <= rep["v1_orientation_selectivity"] <= 1.0
    assert (rep["v1_dominant_orientation_deg"] is not None) == named
    assert (rep["v1_orientation_selectivity"] >= 0.1) == named
    code, out, _ = run(capsys, "--image", spec)
    line = next(x for x in out.splitlines() if "orientation" in x)
    if named:
        assert line.startswith("V1 dominant orientation: ") and "(OSI 0." in line
    else:
        assert line.startswith("V1: no dominant orientation (OSI 0.0"), line


def _fake_spiking(monkeypatch, tmp_path, target):
    """A spiking run without Brian2: the cache in ``tmp_path``, the target chosen, the
    simulation replaced by the rate path's report."""
    import neurosim.codegen as codegen
    import neurosim.visual.cli_compute as cc

    rate_compute = cc.compute

    def compute(stim, mode, duration, seed):
        maps, report, extras = rate_compute(stim, "rate", duration, seed)
        return maps, {**report, "mode": mode, "spiking": {"target": target}}, extras

    monkeypatch.setenv("NEUROSIM_BRIAN2_CACHE", str(tmp_path))
    monkeypatch.setattr(codegen, "select_target", lambda prefer=None: target)
    monkeypatch.setattr(cc, "compute", compute)
    monkeypatch.setattr("neurosim.visual.cli._format", lambda report, spec: "report")


def test_cold_brian2_cache_is_announced_once_on_stderr(capsys, monkeypatch, tmp_path):
    _fake_spiking(monkeypatch, tmp_path, "cython")
    code, out, err = run(capsys, "--image", "spot:size=16", "--mode", "spiking", "--json")
    assert code == 0
    json.loads(out)                                        # stdout: one JSON object
    [line] = err.strip().splitlines()
    assert line.startswith("neurosim visual: compiling the spiking model with Brian2 (first "
                           "run only, a few minutes; cached in ") and str(tmp_path) in line
    code, out, err = run(capsys, "--image", "spot:size=16", "--mode", "spiking")
    assert code == 0 and out.strip() == "report" and err == ""      # warm: nothing to say


def test_numpy_target_compiles_nothing_and_says_nothing(capsys, monkeypatch, tmp_path):
    _fake_spiking(monkeypatch, tmp_path, "numpy")
    code, out, err = run(capsys, "--image", "spot:size=16", "--mode", "spiking")
    assert code == 0 and err == ""


def test_image_too_small_for_hmax_is_one_line(capsys):
    code, out, err = run(capsys, "--image", "spot:size=8")
    assert code == 2 and out == ""
    assert err.strip() == ("neurosim visual: error: --image spot:size=8: 8x8 px is too small for "
                           "the rate mode's HMAX stages (S2/S3 templates; 14x14 px is enough); "
                           "use a larger image or --mode spiking")
