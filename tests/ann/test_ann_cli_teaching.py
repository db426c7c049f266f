"""``neurosim data / train / tf-lecture / export`` as a student meets them (issue #19): every
mistake is one line with exit 2 before any work, ignored options are refused, defaults are shown,
a diverging run says so, a seeded Keras run repeats exactly, models move between .npz and .keras.

Cheap on purpose: in-process ``main``, the first few hundred MNIST images, one epoch."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from cli_inprocess import run_cli

SMALL = ["--n-train", "300", "--n-test", "50", "--epochs", "1", "--offline"]


run = run_cli  # (exit status, stdout, stderr) of neurosim ARGV, in process


def one_line_error(rc, err, needle):
    assert rc == 2, err
    err = err.strip()
    assert needle in err, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err


def long_floats(text: str) -> list[str]:
    """Numbers in ``text`` with more than 7 significant digits (unrounded floats)."""
    return [m for m in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", text)
            if len(m.split("e")[0].replace("-", "").replace(".", "").lstrip("0")) > 7]


@pytest.fixture
def a_file(tmp_path):
    f = tmp_path / "a_file"
    f.write_text("not a folder")
    return f


@pytest.mark.parametrize("argv, needle", [
    (["train", "perceptron", "--dropout", "0.5"], "--dropout does not apply to perceptron"),
    (["train", "perceptron", "--batch-norm"], "--batch-norm does not apply to perceptron"),
    (["train", "perceptron", "--momentum", "0.5"],
     "--momentum does not apply to --optimizer sgd (perceptron's default)"),
    (["train", "mlp", "--optimizer", "sgd", "--momentum", "0.5"], "--momentum does not apply"),
    (["train", "mlp", "--pool", "avg"], "--pool applies to lenet and cnn"),
    (["train", "mlp", "--logdir", "{tmp}/tb"], "--logdir writes TensorBoard logs with --backend "
                                               "keras only"),
    (["train", "mlp", "--backend", "keras", "--threads", "2"], "--threads sets the NumPy"),
    (["train", "mlp", "--epochs", "0"], "--epochs must be a positive int, got 0"),
    (["train", "mlp", "--lr-decay", "2"], "--lr-decay must be <= 1.0"),
    (["train", "mlp", "--n-train", "70000"], "at most 60000 (the MNIST training set)"),
    (["train", "mlp", "--n-test", "20000"], "at most 10000 (the MNIST test set)"),
    (["train", "mlp", "--out", "{file}/m.npz"], "--out {file}/m.npz: {file} is a file"),
    (["train", "mlp", "--out", "{tmp}"], "is a folder; give a file name"),
    (["train", "mlp", "--out", "m.keras"], "the NumPy backend saves .npz"),
    (["train", "mlp", "--checkpoint", "{file}/c.npz"], "--checkpoint {file}/c.npz"),
    (["train", "mlp", "--backend", "keras", "--logdir", "{file}"],
     "--logdir {file}: is a file; a folder is needed"),
    (["tf-lecture", "--logdir", "{file}"], "--logdir {file}: is a file; a folder is needed"),
    (["tf-lecture", "--lr", "0"], "argument --lr: expected a positive number"),
    (["tf-lecture", "--n-test", "10001"], "at most 10000"),
    (["data", "--dir", "{file}"], "--dir {file}: is a file"),
    (["data", "--cache-dir", "{file}/cache"], "--cache-dir {file}/cache: {file} is a file"),
    (["export", "{file}.npz", "--keras", "x.keras"], "MODEL {file}.npz: no such file"),
    (["export", "{tmp}/m.npz", "--keras", "x.h5"], "use a file name ending in .keras"),
])
def test_mistakes_are_one_line_exit_2_before_any_work(argv, needle, tmp_path, a_file, capsys):
    (tmp_path / "m.npz").write_bytes(b"")
    fill = {"tmp": tmp_path, "file": a_file}
    rc, _, err = run([a.format(**fill) for a in argv], capsys)
    one_line_error(rc, err, needle.format(**fill))


def test_train_pool_avg_n_train_json_and_wording(tmp_path, capsys):
    from ann.io import load_model

    out = tmp_path / "new" / "folder" / "avg.npz"  # missing parents are created
    rc, stdout, err = run(["train", "lenet", "--pool", "avg", "--out", str(out), "--json",
                           *SMALL], capsys)
    assert rc == 0, err
    r = json.loads(stdout.strip().splitlines()[-1])
    assert r["n_train"] == 300 and r["n_test"] == 50 and r["config"]["pool"] == "avg"
    assert not long_floats(stdout.strip().splitlines()[-1])  # JSON values rounded
    types = [lay.type for lay in load_model(out).spec.layers]
    assert types.count("AvgPool2D") == 2 and "MaxPool2D" not in types

    rc, stdout, _ = run(["train", "perceptron", *SMALL], capsys)
    assert rc == 0 and "on 50 images, 1 epoch in" in stdout


def test_diverging_lr_names_the_option_and_keeps_the_old_model(tmp_path, capsys):
    good = tmp_path / "good.npz"
    good.write_bytes(b"a good model")
    rc, _, err = run(["train", "mlp", "--lr", "100", "--out", str(good), *SMALL], capsys)
    one_line_error(rc, err.strip().splitlines()[-1], "--lr 100: training diverged (loss ")
    assert "try a smaller --lr" in err and "at epoch 1, step " in err
    assert good.read_bytes() == b"a good model"


def test_resuming_a_checkpoint_says_where(tmp_path, capsys):
    from ann import data
    from ann.config import TrainConfig
    from ann.train_cli import _subset
    from ann.training import train_numpy

    ckpt = tmp_path / "run.ckpt.npz"
    mnist = _subset(data.load_mnist(download=False), 300, 50)

    def stop(event):
        if event["kind"] == "batch" and event["step"] == 7:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_numpy(TrainConfig.for_model("perceptron", epochs=2), mnist, progress=stop,
                    checkpoint=ckpt, checkpoint_every=5)
    assert ckpt.exists()
    rc, stdout, err = run(["train", "perceptron", "--epochs", "2", "--n-train", "300",
                           "--n-test", "50", "--checkpoint", str(ckpt), "--offline"], capsys)
    assert rc == 0, err
    assert f"resumed from {ckpt} at epoch 1, step 5" in stdout.splitlines()[0]
    assert not ckpt.exists()


def test_help_shows_every_default():
    from ann.config import MODEL_DEFAULTS
    from pipeline.console import _build_parser

    train = _build_parser("train")._subparsers._group_actions[0].choices["train"]
    text = train.format_help()
    assert "MODEL_DEFAULTS" not in text
    rows = {}                            # the defaults table: the first row of each model
    for line in text.splitlines():
        if line.strip().split(" ")[0] in MODEL_DEFAULTS:
            rows.setdefault(line.split()[0], line.split())
    # columns after the model: epochs batch optimizer lr lr-decay dropout batch-norm pool shift
    # smooth val
    assert rows["lenet"][1:5] == ["15", "64", "adam", "0.001"] and rows["lenet"][-4:] == [
        "max", "0", "0", "0.1"]
    assert rows["cnn"][-5:] == ["yes", "max", "0", "0", "0.1"]
    assert rows["resnet"][1:3] == ["9", "64"] and rows["resnet"][-5:] == [
        "yes", "-", "1", "0.1", "0"]
    for command in ("train", "tf-lecture", "export", "data"):
        sub = _build_parser(command)._subparsers._group_actions[0].choices[command]
        for action in sub._actions:
            flag = action.nargs == 0 and action.const is True  # store_true: off by default
            if action.option_strings and not flag and action.dest not in ("help", "keras",
                                                                          "npz"):
                assert "default" in (action.help or ""), (command, action.dest)


def test_progress_events_terminal_and_log():
    from ann.progress import progress_printer

    class Stream:
        def __init__(self, tty):
            self.tty, self.text = tty, ""

        def isatty(self):
            return self.tty

        def write(self, s):
            self.text += s

        def flush(self):
            pass

    events = [{"kind": "phase", "text": "simulating 20 test images x 4 steps"},
              *({"kind": "count", "what": "images simulated", "done": d, "total": 20}
                for d in (10, 20, 20)),  # a repeated final count is shown once
              {"kind": "resume", "path": "run.ckpt.npz", "epoch": 2, "step": 340}]
    log, tty = Stream(False), Stream(True)
    p_log, p_tty = progress_printer(log), progress_printer(tty)
    for e in events:
        p_log(e)
        p_tty(e)
    assert log.text.splitlines() == ["simulating 20 test images x 4 steps",
                                     "resumed from run.ckpt.npz at epoch 2, step 340"]
    assert tty.text == ("simulating 20 test images x 4 steps\n\rimages simulated 10/20"
                        "\rimages simulated 20/20\n"
                        "resumed from run.ckpt.npz at epoch 2, step 340\n")


def test_rounded_json():
    from ann.jsonout import dumps

    assert dumps({"t": 28.950000000000003, "a": np.float32(0.9694), "n": [3, None, True]}) == (
        '{"t": 28.95, "a": 0.9694, "n": [3, null, true]}')


# --- TensorFlow: export round trip, determinism, divergence -----------------------------------

def test_export_npz_keras_npz_is_bit_identical(tmp_path, capsys):
    from ann.io import read_arrays, save_model
    from ann.network import Network
    from ann.spec import cnn_spec

    spec = cnn_spec(filters=(2, 3), dense=8, pool="AvgPool2D")  # with BatchNorm
    net = Network.from_spec(spec, np.random.default_rng(3))
    w = net.get_weights()
    for d in w:
        for k in ("running_mean", "beta"):
            if k in d:
                d[k] = np.random.default_rng(4).normal(size=d[k].shape).astype(np.float32)
    net.set_weights(w)
    save_model(tmp_path / "m.npz", net)
    rc, stdout, err = run(["export", str(tmp_path / "m.npz"), "--keras",
                           str(tmp_path / "k" / "m.keras")], capsys)
    assert rc == 0, err
    assert stdout.startswith(f"wrote {tmp_path / 'k' / 'm.keras'} (")
    rc, _, err = run(["export", str(tmp_path / "k" / "m.keras"), "--npz",
                      str(tmp_path / "back.npz")], capsys)
    assert rc == 0, err
    a, meta_a = read_arrays(tmp_path / "m.npz")
    b, meta_b = read_arrays(tmp_path / "back.npz")
    assert meta_a["spec"]["layers"] == meta_b["spec"]["layers"]
    assert sorted(a) == sorted(b)
    for k in a:
        assert a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]), k


def test_converter_names_the_keras_layer(tmp_path, capsys):
    from ann._tf import keras_module

    keras = keras_module()
    model = keras.Sequential([keras.Input((784,)),
                              keras.layers.Dense(8, activation="tanh", name="my_hidden"),
                              keras.layers.Dense(10, activation="softmax", name="digits")])
    model.save(tmp_path / "t.keras")
    rc, _, err = run(["convert", str(tmp_path / "t.keras"), "--n-test", "10", "--offline"],
                     capsys)
    one_line_error(rc, err.strip().splitlines()[-1], "layer 'my_hidden' (Dense): activation "
                                                    "'tanh' cannot be carried")


def test_seeded_keras_runs_repeat_exactly(mnist):
    """Without op determinism, seed 0 gave 0.934 and 0.9325 in two runs of the same process
    (20 000 images, one epoch); with it, the same value, bit for bit."""
    from ann import tf_lecture as T
    from ann.config import TrainConfig
    from ann.keras_train import train_keras
    from ann.train_cli import _subset

    small = _subset(mnist, 600, 100)
    runs = [T.train_lecture_mlp(*small, epochs=1, seed=0) for _ in range(2)]
    assert runs[0]["history"] == runs[1]["history"]
    assert runs[0]["test_loss"] == runs[1]["test_loss"]
    config = TrainConfig.for_model("mlp", epochs=1, batch_size=64)
    k = [train_keras(config, small) for _ in range(2)]
    assert k[0]["history"][0]["loss"] == k[1]["history"][0]["loss"]
    assert k[0]["test_loss"] == k[1]["test_loss"]


def test_keras_and_tf_lecture_divergence_exit_2(capsys):
    rc, _, err = run(["train", "mlp", "--backend", "keras", "--lr", "100", *SMALL], capsys)
    one_line_error(rc, err.strip().splitlines()[-1], "--lr 100: training diverged (loss ")
    rc, _, err = run(["tf-lecture", "--lr", "10", "--mlp-epochs", "0"], capsys)
    one_line_error(rc, err, "--lr 10: the linear fit diverged (loss ")


@pytest.mark.parametrize("extra, needle", [
    (["--n-train", "100"], "--n-train applies to the Keras MNIST MLP only, which --mlp-epochs 0 "
                           "skips; drop it or give --mlp-epochs 1 or more"),
    (["--n-test", "50", "--offline"], "--n-test and --offline apply to the Keras MNIST MLP only"),
])
def test_tf_lecture_refuses_mlp_options_without_the_mlp(extra, needle, capsys):
    rc, out, err = run(["tf-lecture", "--mlp-epochs", "0", *extra], capsys)
    one_line_error(rc, err, needle)
    assert out == ""


def test_data_offline_says_where_it_looked(tmp_path, capsys):
    empty, cache = tmp_path / "empty", tmp_path / "cache"
    empty.mkdir()
    rc, out, err = run(["data", "--offline", "--dir", str(empty), "--cache-dir", str(cache)],
                       capsys)
    assert rc == 1 and out == "" and len(err.strip().splitlines()) == 1, err
    assert err.strip().endswith(f"Tried: looked in {empty}: none of the 4 missing files there; "
                                "offline, so no download was tried"), err
    rc, _, err = run(["data", "--offline", "--cache-dir", str(cache)], capsys)
    assert rc == 1 and err.strip().endswith("Tried: offline, so no download was tried"), err


def test_train_help_shows_each_architecture_from_its_spec(capsys):
    from ann.config import MODELS, TrainConfig, architecture

    rc, out, _ = run(["train", "--help"], capsys)
    assert rc == 0
    flat = " ".join(out.split())                           # undo the wrapping
    for model in MODELS:
        arch = architecture(TrainConfig.for_model(model).spec())
        assert f"{model} {arch}" in flat, model
    assert ("28x28x1 -> Conv 6@5x5 relu (28x28x6) -> MaxPool 2x2 (14x14x6) -> Conv 16@5x5 relu "
            "(10x10x16) -> MaxPool 2x2 (5x5x16) -> Flatten (400) -> Dense 120 relu") in flat
    avg = architecture(TrainConfig.for_model("cnn", pool="avg", dropout=0.0).spec())
    assert "AvgPool 2x2 (7x7x32) -> Flatten (1568) -> Dense 128 relu -> Dense 10" in avg
