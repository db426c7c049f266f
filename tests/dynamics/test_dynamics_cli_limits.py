"""Issue #19 for `neurosim phase` / `bifurcation`: a current far outside a model's range is one
line naming the value and the accepted range (it used to hang: `phase fhn --current 1e300`),
every option shows its default, `--plot` follows the one path rule. All refused before work."""

import pytest

from pipeline.console import _build_parser, main


@pytest.mark.parametrize("argv, needle", [
    (["phase", "fhn", "--current", "1e300"],
     "--current 1e300: outside the accepted range of fhn, -5 to 5"),
    (["phase", "fhn", "--current", "1e4"], "outside the accepted range of fhn"),
    (["phase", "hh-rinzel", "--current", "-500uA/cm2"],
     "-150uA/cm2 to 150uA/cm2"),
    (["phase", "izhikevich", "--current", "1uA"], "-2000pA to 2000pA"),
    (["bifurcation", "adex", "--currents", "0pA:1e6pA:3"],
     "--currents STOP 1e6pA: outside the accepted range of adex, -5000pA to 5000pA"),
    (["bifurcation", "fhn", "--currents", "1:0:3"], "empty or reversed"),
    (["phase", "fhn", "--plot", "/dev/null/x.png"], "--plot /dev/null/x.png: /dev/null is a file"),
    (["phase", "fhn", "--plot", "x.gif"], "use a file name ending in .png, .pdf or .svg"),
])
def test_refused_with_one_line(capsys, argv, needle):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0] and err[0].startswith("neurosim "), err


@pytest.mark.parametrize("command", ["phase", "bifurcation"])
def test_every_option_shows_its_default(command):
    parser = _build_parser(command)
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    for action in sub._actions:
        if action.option_strings and action.dest != "help":
            assert "default" in (action.help or "") or action.required, action.dest
    text = " ".join(sub.format_help().split())
    assert "..." not in text and "delayed_regular_bursting" in text and "LTS" in text


def test_param_name_case_is_suggested(capsys):
    assert main(["phase", "hh-rinzel", "--param", "ena=40mV"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "(did you mean 'ENa'?)" in err[0], err


def test_eigenvalues_of_a_dimensionless_model_have_no_unit(capsys):
    """`phase fhn` printed `(eigenvalues 0.1441+0.1915i, 0.1441-0.1915i 1)`: the "1" of a
    dimensionless time unit read as a third number. Models in ms name the unit first."""
    from neurosim.dynamics.cli_output import _fp_line

    fp = {"v": -0.8, "w": -0.13, "stability": "unstable focus",
          "eigenvalues": [[0.1441, 0.1915], [0.1441, -0.1915]], "eigenvalue_unit": "1"}
    assert _fp_line(fp, ["v", "w"]).endswith(
        "unstable focus (eigenvalues: 0.1441+0.1915i, 0.1441-0.1915i)")
    fp["eigenvalue_unit"] = "1/ms"
    assert "(eigenvalues in 1/ms: 0.1441+0.1915i, 0.1441-0.1915i)" in _fp_line(fp, ["v", "w"])
    assert main(["phase", "fhn", "--current", "0.5"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "eigenvalues" in x)
    assert line.endswith("(eigenvalues: 0.1441+0.1915i, 0.1441-0.1915i)"), line
