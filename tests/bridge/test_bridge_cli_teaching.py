"""``neurosim convert`` and ``demo`` as a student meets them (issue #19): paths and values
checked before work, every default shown, progress on stderr, rounded JSON, a model without
hidden layers said so. Tiny random models, a few dozen test images."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import random_network, small_cnn_spec

from ann.io import save_model
from ann.spec import LayerSpec, ModelSpec
from cli_inprocess import run_cli


run = run_cli  # (exit status, stdout, stderr) of neurosim ARGV, in process


@pytest.fixture(scope="module")
def perceptron(tmp_path_factory):
    spec = ModelSpec((28, 28, 1), (LayerSpec("Flatten"),
                                   LayerSpec("Dense", {"units": 10, "activation": "softmax"})),
                     name="perceptron")
    path = tmp_path_factory.mktemp("model") / "p.npz"
    save_model(path, random_network(spec, seed=1))
    return path


@pytest.mark.parametrize("argv, needle", [
    (["convert", "{model}", "--n-test", "20000"], "at most 10000 (the MNIST test set), got 20000"),
    (["convert", "{model}", "--norm-samples", "70000"], "at most 60000"),
    (["convert", "{model}", "--report", "{file}/r.json"], "--report {file}/r.json: {file} is a "
                                                         "file"),
    (["convert", "{model}", "--plot", "p.gif"], "--plot p.gif: use a file name ending in .png, "
                                                ".svg or .pdf"),
    (["convert", "{model}", "--nir", "{tmp}"], "--nir {tmp}: is a folder"),
    (["convert", "{tmp}", "--offline"], "MODEL {tmp}: is a folder"),
    (["demo", "--out", "{file}"], "--out {file}: is a file; a folder is needed"),
])
def test_mistakes_are_one_line_exit_2(argv, needle, perceptron, tmp_path, capsys):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    fill = {"model": perceptron, "file": a_file, "tmp": tmp_path}
    rc, _, err = run([a.format(**fill) for a in argv], capsys)
    assert rc == 2, err
    err = err.strip()
    assert needle.format(**fill) in err and len(err.splitlines()) == 1, err


def test_no_hidden_layers_said_and_phases_on_stderr(perceptron, capsys):
    rc, out, err = run(["convert", str(perceptron), "-T", "4", "--n-test", "30",
                        "--norm-samples", "100", "--offline"], capsys)
    assert rc == 0, err
    assert "no hidden layers: only the output layer is simulated" in out
    assert err.splitlines() == ["simulating 30 test images x 4 steps"]  # not a terminal


def test_json_is_rounded_and_report_written(perceptron, tmp_path, capsys):
    rc, out, err = run(["convert", str(perceptron), "-T", "3", "--n-test", "30",
                        "--norm-samples", "100", "--json", "--report",
                        str(tmp_path / "new" / "r.json"), "--offline"], capsys)
    assert rc == 0, err
    line = out.strip().splitlines()[-1]
    floats = [v for v in json.loads(line, parse_float=str).values() if isinstance(v, str)
              and v.replace(".", "").replace("-", "").replace("e", "").isdigit()]
    assert all(len(f.split("e")[0].replace(".", "").lstrip("0")) <= 7 for f in floats), floats
    assert json.loads((tmp_path / "new" / "r.json").read_text())["n_test"] == 30


def test_every_option_shows_its_default():
    from pipeline.console import _build_parser

    for command in ("convert", "demo"):
        sub = _build_parser(command)._subparsers._group_actions[0].choices[command]
        for action in sub._actions:
            flag = action.nargs == 0 and action.const is True
            if action.option_strings and action.dest != "help" and not flag:
                assert "default" in (action.help or ""), (command, action.dest)


@pytest.mark.parametrize("workers", [1, 2])
def test_simulate_reports_progress(workers):
    from bridge.convert import convert
    from bridge.simulate import simulate

    net = random_network(small_cnn_spec(), seed=2)
    x = np.random.default_rng(0).random((40, 12, 12, 1)).astype(np.float32)
    snn = convert(net, x)
    seen = []
    simulate(snn, x, np.zeros(40, int), 3, batch_size=10, workers=workers,
             progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (40, 40) and all(t == 40 for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_readme_export_workflow_scaled_down(tmp_path, capsys):
    """README: ``neurosim train lenet --pool avg --out avgpool.npz`` then ``neurosim convert
    avgpool.npz --reset zero --nir net.nir`` (on 300 training and 20 test images)."""
    model = tmp_path / "avgpool.npz"
    rc, _, err = run(["train", "lenet", "--pool", "avg", "--out", str(model), "--n-train", "300",
                      "--n-test", "20", "--epochs", "1", "--offline"], capsys)
    assert rc == 0, err
    rc, out, err = run(["convert", str(model), "--reset", "zero", "--nir",
                        str(tmp_path / "nir" / "net.nir"), "-T", "4", "--n-test", "20",
                        "--norm-samples", "100", "--json", "--offline"], capsys)
    assert rc == 0, err
    assert json.loads(out.strip().splitlines()[-1])["nir_path"] == str(tmp_path / "nir" /
                                                                       "net.nir")
    assert (tmp_path / "nir" / "net.nir").stat().st_size > 0


def test_every_written_file_is_named(perceptron, tmp_path, capsys):
    """Text mode: ``plot:``, ``report:`` and ``nir:`` lines after the summary on stdout."""
    files = {"plot": tmp_path / "p.png", "report": tmp_path / "r.json", "nir": tmp_path / "n.nir"}
    rc, out, err = run(["convert", str(perceptron), "-T", "3", "--n-test", "20",
                        "--norm-samples", "50", "--offline", "--no-signed",
                        *(a for k, f in files.items() for a in (f"--{k}", str(f)))], capsys)
    assert rc == 0, err
    assert out.strip().splitlines()[-3:] == [f"{k}: {f}" for k, f in files.items()]
    assert all(f.stat().st_size > 0 for f in files.values())


def test_json_names_files_on_stderr(perceptron, tmp_path, capsys):
    plot = tmp_path / "p.svg"
    rc, out, err = run(["convert", str(perceptron), "-T", "3", "--n-test", "20",
                        "--norm-samples", "50", "--offline", "--json", "--plot", str(plot)],
                       capsys)
    assert rc == 0, err
    json.loads(out)                                         # stdout: one JSON object
    assert err.strip().splitlines()[-1] == f"plot: {plot}"


def test_accuracy_plot_has_integer_steps():
    from bridge.plot import plot_report

    report = {"accuracy_per_step": [0.5, 0.7, 0.8], "ann_accuracy": 0.9, "encoding": "constant",
              "n_test": 10, "timesteps": 3, "first_step_99pct": None, "layers": []}
    ticks = plot_report(report).axes[0].get_xticks()
    assert len(ticks) and all(float(t).is_integer() for t in ticks), ticks


@pytest.mark.parametrize("flag", [["--nir", "x.nir"], ["--brian2-check", "2"]])
def test_max_pool_refusal_says_how_to_get_avg_pool(flag, tmp_path, capsys):
    spec = ModelSpec((28, 28, 1), (LayerSpec("Conv2D", {"filters": 2, "kernel_size": 3,
                                                        "activation": "relu"}),
                                   LayerSpec("MaxPool2D"), LayerSpec("Flatten"),
                                   LayerSpec("Dense", {"units": 10, "activation": "softmax"})),
                     name="maxcnn")
    path = tmp_path / "max.npz"
    save_model(path, random_network(spec, seed=0))
    flag = [f if f != "x.nir" else str(tmp_path / f) for f in flag]
    rc, out, err = run(["convert", str(path), "--offline", *flag], capsys)
    assert rc == 2 and out == ""
    [line] = err.strip().splitlines()
    assert f"{flag[0]} needs a model without max pooling" in line
    assert line.endswith("train one with average pooling: neurosim train lenet --pool avg")
