"""``neurosim network``: bad input is one line with exit status 2 (before any simulation);
a small run prints the JSON fields."""

import json

import pytest

from pipeline.console import main


@pytest.mark.parametrize("args, needle", [
    (["--engine", "neuron"], "invalid choice"),
    (["--duration", "5mV"], "--duration"),
    (["--duration", "100"], "missing unit"),
    (["--duration", "-5ms"], "--duration"),
    (["--warmup", "-3ms"], "--warmup"),
    (["--order", "5"], "order=5"),
    (["--order", "x"], "--order"),
    (["--g", "-1"], "--g"),
    (["--eta", "0"], "--eta"),
    (["--g", "nan"], "--g"),
    (["--threads", "2"], "--standalone"),
    (["--threads", "0"], "--threads"),
    (["--seed", "-1"], "--seed"),
    (["--plot", "x.txt"], ".png"),
])
def test_brunel_bad_input_one_line_exit_2(args, needle, capsys):
    with pytest.raises(SystemExit) as e:
        raise SystemExit(main(["network", "brunel", "--order", "10", *args]))
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and needle in err, err


@pytest.mark.parametrize("args, needle", [(["--p", "1.5"], "--p"), (["--n", "2"], "n=2"),
                                          (["--duration", "1s/ms"], "--duration")])
def test_coba_bad_input_one_line_exit_2(args, needle, capsys):
    assert main(["network", "coba", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and needle in err, err


def test_brunel_json_fields(capsys, tmp_path):
    fig = tmp_path / "raster.png"
    assert main(["network", "brunel", "--order", "20", "--duration", "300ms", "--warmup",
                 "50ms", "--json", "--plot", str(fig)]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("rate_exc_hz", "rate_inh_hz", "cv_isi_mean", "fano", "synchrony", "engine",
                "n_neurons", "n_synapses", "wall_s", "theory_rate_hz"):
        assert key in out
    assert out["n_neurons"] == 100 and out["engine"] == "brian2"
    # 80 E + 20 I, in-degrees 8 and 2, plus one Poisson input per neuron
    assert out["n_synapses"] == 100 * (8 + 2 + 1)
    assert out["duration_ms"] == 300 and out["warmup_ms"] == 50 and out["fano"] is not None
    assert fig.stat().st_size > 1000


def _options(parser_path):
    """Option strings (without -h) of the subcommand parser at ``parser_path``."""
    from pipeline.console import _build_parser

    p = _build_parser(parser_path[0])
    for name in parser_path:
        p = next(a for a in p._actions if a.__class__.__name__ == "_SubParsersAction"
                 ).choices[name]
    return [a for a in p._actions if a.option_strings and "-h" not in a.option_strings]


@pytest.mark.parametrize("model", ["brunel", "coba"])
def test_every_option_has_help_with_default(model, capsys):
    for action in _options(["network", model]):
        assert action.help and "default" in action.help, action.option_strings
    with pytest.raises(SystemExit) as e:
        main(["network", model, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "(default 1000ms)" in out and "(default brian2)" in out


def test_short_duration_says_why_fano_is_missing(capsys, tmp_path):
    """50 ms holds no two 100 ms bins: text says n/a and how to fix it, JSON keeps null;
    the figure is named as 'plot: FILE' (stderr under --json)."""
    fig = tmp_path / "r.png"
    base = ["network", "brunel", "--order", "10", "--duration", "50ms", "--warmup", "10ms",
            "--plot", str(fig)]
    assert main(base) == 0
    out = capsys.readouterr().out
    assert "Fano None" not in out and "None" not in out
    assert "Fano n/a (needs >= 2 bins of 100 ms; use a longer --duration" in out
    assert f"plot: {fig}" in out and "figure:" not in out
    assert main([*base, "--json"]) == 0
    cap = capsys.readouterr()
    assert json.loads(cap.out)["fano"] is None
    assert cap.err.strip().splitlines()[-1] == f"plot: {fig}"


def test_duration_accepts_units(capsys):
    assert main(["network", "brunel", "--order", "10", "--duration", "0.03s", "--warmup",
                 "0.01s", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["duration_ms"] == 30 and out["warmup_ms"] == 10
