"""``neurosim convert``: the JSON contract, the files it writes, the Brian2 check, errors."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import random_network

from ann.io import save_model
from ann.spec import LayerSpec, ModelSpec


@pytest.fixture(scope="module")
def avgpool_model(tmp_path_factory):
    spec = ModelSpec((28, 28, 1), (
        LayerSpec("Conv2D", {"filters": 4, "kernel_size": 5, "strides": 2, "activation": "relu"}),
        LayerSpec("AvgPool2D"), LayerSpec("Flatten"),
        LayerSpec("Dense", {"units": 10, "activation": "softmax"})), name="tiny")
    path = tmp_path_factory.mktemp("model") / "tiny.npz"
    save_model(path, random_network(spec, seed=5))
    return path


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "neurosim", *args], capture_output=True,
                          text=True, timeout=600, env={**os.environ, "MPLBACKEND": "Agg"})


def test_convert_json_report_plot_nir_and_brian2(tmp_path, avgpool_model, mnist):
    p = run_cli("convert", str(avgpool_model), "-T", "6", "--n-test", "40", "--norm-samples",
                "200", "--reset", "zero", "--json", "--report", str(tmp_path / "r.json"),
                "--plot", str(tmp_path / "p.png"), "--nir", str(tmp_path / "n.nir"),
                "--brian2-check", "2", "--offline")
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert r["n_test"] == 40 and r["timesteps"] == 6
    assert len(r["accuracy_per_step"]) == 6 and r["snn_accuracy"] == r["accuracy_per_step"][-1]
    assert 0 <= r["ann_accuracy"] <= 1
    assert r["first_step_99pct"] is None or 1 <= r["first_step_99pct"] <= 6
    assert r["brian2_check"]["spike_counts_equal"] is True and r["brian2_check"]["spikes"] > 0
    assert r["settings"]["reset"] == "zero" and r["versions"]["numpy"]
    assert json.loads((tmp_path / "r.json").read_text())["n_test"] == 40
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "n.nir").stat().st_size > 0


@pytest.mark.parametrize("args, needle", [
    (["convert", "/no/such/model.npz", "--offline"], "no such model file"),
    (["convert", "{model}", "-T", "0"], "argument --timesteps/-T: expected a positive integer"),
    (["convert", "{model}", "--norm", "p200", "--offline"], "unknown norm 'p200'"),
    (["convert", "{model}", "--encoding", "burst"], "invalid choice: 'burst'"),
    (["convert", "/no/such/graph.nir", "--offline"], "no such NIR file"),
    (["convert", "{garbage}", "--offline"], "garbage.npz"),
    (["convert", "{model}", "--simulator", "fast"], "invalid choice: 'fast'"),
    (["convert", "{model}", "--memory-budget", "lots"], "expected a size such as 256MiB"),
    (["convert", "{model}", "--memory-budget", "512kB"], "expected at least 1MiB, got '512kB'"),
    (["convert", "{model}", "--memory-budget", "4MiB", "--workers", "2", "-T", "3", "--n-test",
      "10", "--norm-samples", "10", "--offline"],
     "memory budget 4 MiB (2 MiB for each of 2 workers) is too small for this network"),
])
def test_bad_input_is_one_line_exit_2(args, needle, avgpool_model, tmp_path):
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"PK\x03\x04 definitely not a model")
    args = [a.format(model=avgpool_model, garbage=garbage) for a in args]
    p = run_cli(*args)
    assert p.returncode == 2, p.stderr
    err = p.stderr.strip()
    assert needle in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_both_simulators_and_any_budget_give_the_same_report(avgpool_model, mnist):
    """``--simulator step`` (the reference) and the default layerwise one, with a budget that
    splits the 60 images into chunks of a few, agree on every per-step accuracy."""
    runs = [["--simulator", "step"], [], ["--memory-budget", "9MiB", "--workers", "1"]]
    reports = []
    for extra in runs:
        p = run_cli("convert", str(avgpool_model), "-T", "12", "--n-test", "60",
                    "--norm-samples", "100", "--json", "--offline", *extra)
        assert p.returncode == 0, p.stderr
        reports.append(json.loads(p.stdout.strip().splitlines()[-1]))
    for r in reports[1:]:
        assert r["accuracy_per_step"] == reports[0]["accuracy_per_step"]
        assert r["agreement"] == reports[0]["agreement"]
    assert reports[0]["config"]["simulator"] == "step"


def test_format_report_mentions_the_essentials():
    from bridge.cli import format_report

    r = {"accuracy_per_step": list(np.linspace(0.5, 0.98, 40)), "ann_accuracy": 0.985,
         "snn_accuracy": 0.98, "snn_accuracy_std": 0.0, "timesteps": 40, "agreement": 0.99,
         "n_test": 100, "first_step_99pct": 12, "synops_per_image": 2e6,
         "ann_macs_per_image": 4e5, "synops_per_mac": 5.0, "spikes_per_image": 1e4,
         "layers": [{"name": "conv2d_0", "pearson_r": 0.99, "slope": 1.0, "mean_rate": 0.1,
                     "saturated_fraction": 0.001, "silent_fraction": 0.5}],
         "simulate_seconds": 1.0, "convert_seconds": 0.5}
    text = format_report(r)
    assert "98.50 %" in text and "first step reaching 99 % of the ANN: 12" in text
    assert "conv2d_0" in text and len(text.splitlines()) <= 24
