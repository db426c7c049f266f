"""``neurosim visual`` as a teaching instrument (issue #19): help with units and the angle
convention, the README's stimuli (annuli, bars, flashes), values outside the image's limits
refused in one line, MNIST labels, rounded JSON, every written file named, plots and a raster.
"""

import json

import numpy as np
import pytest

from neurosim.console import main
from neurosim.visual.cli_images import STIMULI


def run(capsys, *args):
    try:
        code = main(["visual", *args])
    except SystemExit as e:             # argparse's own errors
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


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
    if dominant is not None:
        assert rep["v1_dominant_orientation_deg"] == dominant
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
    assert code == 0 and "V1 dominant orientation" in out
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
