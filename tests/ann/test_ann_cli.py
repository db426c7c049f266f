"""``neurosim train``: JSON result, saved model, one-line errors."""

import json
import os
import subprocess
import sys

import pytest

from ann.io import read_model_file
from pipeline.console import main


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "neurosim", *args], capture_output=True,
                          text=True, timeout=600, env={**os.environ})


def test_train_perceptron_json_and_model_file(mnist, tmp_path):
    """Measured with ``train_numpy(TrainConfig.for_model("perceptron", epochs=1, seed=S),
    mnist)``, seeds 0–4, AMD EPYC, OpenBLAS kernels Haswell (default) and Sandybridge
    (identical): 90.98–91.47 % (mean 91.27 %). Asserted > 85 %: 6 points below the minimum,
    against a spread of 0.5 points. The reload check is exact arithmetic on the same weights
    (tolerance 1e-4, i.e. one image in 10 000)."""
    out = tmp_path / "p.npz"
    p = run_cli("train", "perceptron", "--epochs", "1", "--out", str(out), "--json", "--offline")
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert r["model"] == "perceptron" and r["epochs"] == 1 and r["backend"] == "numpy"
    assert 0.85 < r["test_accuracy"] <= 1 and r["train_seconds"] > 0
    assert r["model_path"] == str(out)
    net, meta = read_model_file(out)
    assert meta["test_accuracy"] == r["test_accuracy"]
    # the saved model reproduces the reported accuracy on the 10 000 test images
    _, acc = net.evaluate(mnist.x_test.reshape(-1, 28, 28, 1) / 255.0, mnist.y_test)
    assert acc == pytest.approx(r["test_accuracy"], abs=1e-4)


@pytest.mark.parametrize("args, needle", [
    (["train", "mlp", "--lr", "-1"], "lr must be > 0.0, got -1.0"),
    (["train", "mlp", "--epochs", "0"], "epochs must be a positive int, got 0"),
    (["train", "mlp", "--optimizer", "adagrad"], "invalid choice: 'adagrad'"),
    (["train", "vgg"], "invalid choice: 'vgg'"),
    (["train", "mlp", "--dropout", "1.5"], "dropout must be < 1.0, got 1.5"),
    (["train", "mlp", "--clip-norm", "0"], "--clip-norm must be > 0.0, got 0.0"),
])
def test_bad_arguments_one_line_exit_2(args, needle):
    p = run_cli(*args)
    assert p.returncode == 2
    err = p.stderr.strip()
    assert needle in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_keras_backend_missing_is_one_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ann.keras_train", None)  # as if the module were absent
    assert main(["train", "mlp", "--backend", "keras", "--epochs", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--backend keras is not available" in err and len(err.splitlines()) == 1


# --- progress display: live on a terminal, one line per epoch elsewhere ----------------------

class FakeStream:
    def __init__(self, tty):
        self.tty, self.text = tty, ""

    def isatty(self):
        return self.tty

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def _train_events(progress, epochs=2, steps=300):
    for e in range(1, epochs + 1):
        for s in range(1, steps + 1):
            progress({"kind": "batch", "epoch": e, "epochs": epochs, "step": s, "steps": steps,
                      "loss": 1.0 / s})
        progress({"kind": "epoch", "epoch": e, "epochs": epochs,
                  "history": {"loss": 0.5, "accuracy": 0.9, "val_loss": 0.4,
                              "val_accuracy": 0.91, "seconds": 1.5}})


def test_progress_not_a_tty_prints_one_line_per_epoch():
    from ann.cli import progress_printer

    out = FakeStream(tty=False)
    _train_events(progress_printer(out))
    assert "\r" not in out.text
    assert out.text.splitlines() == [
        "epoch 1/2  loss 0.5000  acc 0.9000  val_loss 0.4000  val_acc 0.9100  (1.5 s)",
        "epoch 2/2  loss 0.5000  acc 0.9000  val_loss 0.4000  val_acc 0.9100  (1.5 s)"]
    # a stream without isatty (or a closed one) counts as no terminal
    bare = type("Bare", (), {"write": FakeStream.write, "flush": FakeStream.flush,
                             "text": ""})()
    _train_events(progress_printer(bare), epochs=1)
    assert "\r" not in bare.text and len(bare.text.splitlines()) == 1


def test_progress_on_a_tty_refreshes_the_batch_line_in_place(monkeypatch):
    import time

    from ann.cli import progress_printer

    clock = iter(range(10_000))  # one second per call: every batch line is shown
    monkeypatch.setattr(time, "perf_counter", lambda: float(next(clock)))
    out = FakeStream(tty=True)
    _train_events(progress_printer(out), epochs=1, steps=3)
    assert out.text == ("\repoch 1/1      1/3  loss 1.0000"
                        "\repoch 1/1      2/3  loss 0.5000"
                        "\repoch 1/1      3/3  loss 0.3333"
                        "\repoch 1/1  loss 0.5000  acc 0.9000  val_loss 0.4000  "
                        "val_acc 0.9100  (1.5 s)\n")
