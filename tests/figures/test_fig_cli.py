"""``neurosim figures`` and the standalone scripts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.console import main

ROOT = Path(__file__).resolve().parents[2]


def test_cli_writes_the_chosen_figures_and_reports_json(tmp_path, capsys):
    assert main(["figures", "--out", str(tmp_path), "--quick", "--only", "momentum",
                 "clipping", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [f["name"] for f in out["figures"]] == ["momentum", "clipping"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "clipping.png", "clipping.svg", "momentum.png", "momentum.svg"]
    assert not list(tmp_path.glob(".*"))                 # no temp files left behind


def test_cli_unknown_figure_exits_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["figures", "--out", str(tmp_path), "--only", "nope"])
    assert e.value.code == 2
    assert "nope" in capsys.readouterr().err


def test_figure_script_runs_standalone(tmp_path):
    p = subprocess.run([sys.executable, str(ROOT / "figures" / "fig04_lenet.py"), "--out",
                        str(tmp_path), "--quick"], capture_output=True, text=True, cwd=tmp_path,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "lenet.png").stat().st_size > 10_000
    assert (tmp_path / "lenet.svg").read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize("how, module, name, seed", [
    ("script", "fig01_activations", "activations", 0),
    ("-m", "fig02_sgd_landscape", "sgd_landscape", 3),      # draws from its rng
])
def test_standalone_figure_equals_generate_for_the_same_seed(tmp_path, how, module, name, seed):
    """A figure run alone (no sys.path edits: the project is installed) gets figure k's
    ``default_rng([seed, k])`` as under ``neurosim figures``: the same PNG, byte for byte."""
    from figures import generate

    target = ([str(ROOT / "figures" / f"{module}.py")] if how == "script"
              else ["-m", f"figures.{module}"])
    alone = tmp_path / "alone"
    p = subprocess.run([sys.executable, *target, "--out", str(alone), "--quick", "--seed",
                        str(seed)], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"{name}: {alone / name}.png, {alone / name}.svg (")
    ref = generate(tmp_path / "ref", [name], quick=True, seed=seed)[0]
    assert (alone / f"{name}.png").read_bytes() == Path(ref["png"]).read_bytes()
    assert (alone / f"{name}.svg").read_text().lstrip().startswith("<?xml")


def test_every_figure_module_ends_with_the_runner_and_edits_no_sys_path():
    from figures import FIGURES

    for module, _ in FIGURES.values():
        text = (ROOT / "figures" / f"{module}.py").read_text()
        assert "sys.path" not in text, module
        assert text.rstrip().endswith('if __name__ == "__main__":\n'
                                      "    raise SystemExit(run_one(NAME))"), module


def test_cli_out_that_is_a_file_is_refused_before_any_work(tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert main(["figures", "--out", str(afile), "--only", "momentum"]) == 2
    out, err = capsys.readouterr()
    assert out == ""                                      # no 'figures -> afile' line first
    assert err.strip().splitlines() == [f"neurosim figures: error: --out {afile}: is a file; "
                                        "a folder is needed"]
