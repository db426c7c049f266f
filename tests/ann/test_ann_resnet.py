"""The residual network of :func:`ann.spec_models.resnet_spec` on the NumPy network: it builds,
runs forward and backward, and a few optimizer steps on a tiny batch lower the loss."""

import numpy as np

from ann.network import Network
from ann.optimizers import Adam
from ann.spec_models import resnet_spec


def test_default_resnet_forward_backward():
    net = Network.from_spec(resnet_spec(), np.random.default_rng(0))
    assert net.graph is not None and net.count_params() == 174_970  # counted by hand
    rng = np.random.default_rng(1)
    x, y = rng.random((4, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, 4)
    p = net.forward(x)
    assert p.shape == (4, 10) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)
    assert np.isfinite(net.loss_and_gradients(x, y))
    grads = net.gradients()
    assert all(np.isfinite(g).all() for g in grads)
    assert all(np.abs(g).max() > 0 for g in grads)  # every layer, both paths of every block


def test_resnet_trains_on_a_tiny_batch():
    net = Network.from_spec(resnet_spec(blocks=1, channels=(4, 8, 8)), np.random.default_rng(0))
    rng = np.random.default_rng(2)
    x, y = rng.random((16, 28, 28, 1), dtype=np.float32), np.arange(16) % 4
    opt = Adam(1e-2)
    losses = []
    for _ in range(12):
        losses.append(net.loss_and_gradients(x, y))
        opt.apply(net.parameters(), net.gradients())
    assert losses[-1] < 0.5 * losses[0]
    # batch statistics (the running averages of BatchNorm barely move in 12 steps)
    assert (net.last_output.argmax(axis=1) == y).mean() > 0.5


def test_neurosim_train_resnet_saves_a_graph_that_converts(tmp_path, mnist, capsys):
    """``neurosim train resnet`` (a few steps on 256 images) saves the graph; it loads as the
    same spec and converts exactly (the converted network's analog outputs are its logits)."""
    import json

    from ann.config import TrainConfig
    from ann.io import load_model
    from bridge.convert import convert
    from bridge.network import ann_forward
    from cli_inprocess import run_cli

    out = tmp_path / "resnet.npz"
    rc, stdout, err = run_cli(["train", "resnet", "--n-train", "256", "--n-test", "64",
                               "--epochs", "1", "--json", "--offline", "--out", str(out)],
                              capsys)
    assert rc == 0, err
    result = json.loads(stdout.strip().splitlines()[-1])
    assert result["params"] == 77_754 and result["n_test"] == 64
    net = load_model(out)
    assert net.spec == TrainConfig.for_model("resnet").spec() and not net.spec.is_chain
    x = mnist.x_train[:40, :, :, None].astype(np.float32) / 255
    snn = convert(net, x)
    np.testing.assert_allclose(ann_forward(snn.ops, x), net.logits(x), rtol=2e-4, atol=2e-5)


def test_train_resnet_refuses_options_its_architecture_lacks(capsys):
    from cli_inprocess import run_cli

    for opts, needle in ((["--dropout", "0.2"], "dropout does not apply to resnet"),
                         (["--no-batch-norm"], "--batch-norm cannot be off for resnet"),
                         (["--pool", "avg"], "pool applies to lenet and cnn")):
        rc, _, err = run_cli(["train", "resnet", *opts, "--offline"], capsys)
        assert rc == 2 and needle in err and len(err.strip().splitlines()) == 1, err


def test_keras_backend_trains_the_same_resnet_graph(mnist):
    """``neurosim train resnet --backend keras``: the Keras twin builds the graph of the NumPy
    backend (same parameter count), and the trained Keras model read back into NumPy predicts
    as Keras does on the test images — to one image of 128, since float32 sums in another order
    may flip a near-tie (measured: identical)."""
    from ann.config import TrainConfig
    from ann.data import Mnist
    from ann.keras_train import train_keras

    data = Mnist(mnist.x_train[:512], mnist.y_train[:512], mnist.x_test[:128],
                 mnist.y_test[:128])
    r = train_keras(TrainConfig.for_model("resnet", epochs=1), data)
    assert r["params"] == 77_754
    assert abs(r["numpy_test_accuracy"] - r["test_accuracy"]) <= 1 / 128


def test_resnet_defaults_are_the_measured_recipe():
    """``neurosim train resnet``'s defaults are the recipe the README measures (all 60 000
    images, 9 epochs, one-pixel shifts, label smoothing 0.1); a record saved before label
    smoothing existed reads as trained without it."""
    from ann.config import TrainConfig

    c = TrainConfig.for_model("resnet")
    assert (c.epochs, c.validation_split, c.shift, c.label_smoothing, c.lr_decay) == \
        (9, 0.0, 1, 0.1, 0.75)
    old = c.to_dict()
    del old["label_smoothing"]
    assert TrainConfig.from_dict(old).label_smoothing == 0.0


def test_label_smoothing_reaches_the_training_loop(mnist):
    """``label_smoothing`` changes the steps ``train_numpy`` takes (same seed, same data)."""
    from ann.config import TrainConfig
    from ann.data import Mnist
    from ann.training import train_numpy

    data = Mnist(mnist.x_train[:256], mnist.y_train[:256], mnist.x_test[:64],
                 mnist.y_test[:64])
    runs = [train_numpy(TrainConfig.for_model("mlp", epochs=1, label_smoothing=ls,
                                              validation_split=0.0), data)
            for ls in (0.0, 0.0, 0.2)]
    assert runs[0]["history"][0]["loss"] == runs[1]["history"][0]["loss"]
    assert runs[2]["history"][0]["loss"] != runs[0]["history"][0]["loss"]
