"""``neurosim stdp``: every option documents its default, a written figure is named."""

import json

import pytest

from pipeline.console import _build_parser, main


def _options(protocol):
    p = _build_parser("stdp")
    for name in ("stdp", protocol):
        p = next(a for a in p._actions if a.__class__.__name__ == "_SubParsersAction"
                 ).choices[name]
    return [a for a in p._actions if a.option_strings and "-h" not in a.option_strings]


@pytest.mark.parametrize("protocol", ["window", "song"])
def test_every_option_has_help_with_default(protocol):
    for action in _options(protocol):
        assert action.help and "default" in action.help, action.option_strings


def test_window_help_shows_rule_engine_and_taus(capsys):
    with pytest.raises(SystemExit) as e:
        main(["stdp", "window", "--help"])
    assert e.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    for text in ("(default additive)", "(default brian2)", "τ+, with a unit (default 20ms)",
                 "τ-, with a unit (default 20ms)"):
        assert text in out, text


def test_window_plot_is_named(capsys, tmp_path):
    fig = tmp_path / "stdp.png"
    base = ["stdp", "window", "--pairs", "2", "--step", "50ms", "--frequency", "5Hz",
            "--plot", str(fig)]
    assert main(base) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"plot: {fig}"
    assert fig.stat().st_size > 1000
    assert main([*base, "--json"]) == 0
    cap = capsys.readouterr()
    assert json.loads(cap.out)["protocol"] == "window"
    assert cap.err.strip().splitlines()[-1] == f"plot: {fig}"
