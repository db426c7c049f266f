"""Models as users write them: Keras's classic MNIST MLP takes flat ``(784,)`` inputs.

The images (normalisation and test, API and CLI) are reshaped to the model's input whenever the
element counts match; otherwise a one-line ``ValueError`` (CLI: exit 2) states the input shape
the model wants and the shape given.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ann._tf import keras_module
from bridge.convert import convert
from bridge.evaluate import EvalConfig, evaluate, load_trained
from bridge.simulate import simulate

keras = keras_module()
N, T = 300, 40


def _run_cli(*args):
    # as from a user's shell: importing Keras here set TF_CPP_MIN_LOG_LEVEL, which would tell the
    # command to show TensorFlow's start-up lines (see ann._tf)
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run([sys.executable, "-m", "neurosim", *args], capture_output=True,
                          text=True, timeout=600, env={**env, "MPLBACKEND": "Agg"})


@pytest.fixture(scope="module")
def flat_mlp(tmp_path_factory, mnist):
    """Keras's MNIST MLP example, small: ``Input((784,))`` → Dense 64 ReLU → Dropout → Dense 10
    softmax, two epochs on 6000 training images; saved as .keras."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dropout(0.2),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = mnist.x_train[:6000].reshape(-1, 784).astype(np.float32) / 255
    model.fit(x, mnist.y_train[:6000], batch_size=64, epochs=2, verbose=0)
    path = tmp_path_factory.mktemp("keras") / "mlp_flat.keras"
    model.save(path)
    x_test = mnist.x_test[:N].reshape(-1, 784).astype(np.float32) / 255
    keras_accuracy = float(np.mean(model.predict(x_test, verbose=0).argmax(1) == mnist.y_test[:N]))
    return path, keras_accuracy


def _config():
    return EvalConfig(timesteps=T, n_test=N, norm_samples=N, workers=1)


@pytest.fixture(scope="module")
def api_report(flat_mlp, mnist):
    return evaluate(load_trained(flat_mlp[0]), mnist, _config()).report


def test_flat_mlp_converts_through_the_api(flat_mlp, api_report):
    r = api_report
    assert r["ann_accuracy"] == flat_mlp[1]          # the ANN is Keras's model, to the image
    assert r["ann_accuracy"] > 0.85
    assert np.all(np.isfinite(r["accuracy_per_step"]))
    assert abs(r["snn_accuracy"] - r["ann_accuracy"]) <= 0.02
    assert r["agreement"] >= 0.97


def test_flat_mlp_converts_through_the_cli(flat_mlp, api_report):
    p = _run_cli("convert", str(flat_mlp[0]), "-T", str(T), "--n-test", str(N),
                 "--norm-samples", str(N), "--workers", "1", "--json", "--offline")
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout.strip().splitlines()[-1])
    # the CLI's JSON rounds floats to 7 significant digits (ann.jsonout)
    from ann.jsonout import rounded

    assert r["ann_accuracy"] == rounded(api_report["ann_accuracy"])
    assert r["accuracy_per_step"] == rounded(api_report["accuracy_per_step"])


def test_images_of_any_layout_with_as_many_values_fit(flat_mlp, mnist):
    """``(N, 28, 28)``, ``(N, 28, 28, 1)`` and ``(N, 784)`` are the same images."""
    net = load_trained(flat_mlp[0])
    x = mnist.x_test[:50].astype(np.float32) / 255
    y = mnist.y_test[:50]
    snn = convert(net, x[..., None])
    assert snn.input_shape == (784,)
    runs = [simulate(snn, xs, y, 8) for xs in (x, x[..., None], x.reshape(50, 784))]
    for r in runs[1:]:
        np.testing.assert_array_equal(r.accuracy_per_step, runs[0].accuracy_per_step)
        np.testing.assert_array_equal(r.predictions, runs[0].predictions)


def test_images_that_do_not_fit_are_one_line_errors(flat_mlp):
    net = load_trained(flat_mlp[0])
    with pytest.raises(ValueError, match=r"normalisation data of shape \(5, 27, 28\) do not fit "
                                         r"the model's input \(N, 784\): 756 values per image"):
        convert(net, np.zeros((5, 27, 28), np.float32))
    snn = convert(net, np.zeros((5, 784), np.float32))
    with pytest.raises(ValueError, match=r"images of shape \(5, 30, 30, 1\) do not fit the "
                                         r"model's input \(N, 784\)"):
        simulate(snn, np.zeros((5, 30, 30, 1)), np.zeros(5, int), 4)


def test_cli_refuses_a_model_whose_input_mnist_does_not_fit(tmp_path):
    model = keras.Sequential([keras.Input((700,)), keras.layers.Dense(10, activation="softmax")])
    model.save(tmp_path / "m700.keras")
    p = _run_cli("convert", str(tmp_path / "m700.keras"), "-T", "4", "--n-test", "20",
                 "--norm-samples", "20", "--offline")
    assert p.returncode == 2, p.stderr
    err = p.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "(20, 28, 28, 1)" in err and "(N, 700)" in err and "784 values per image" in err


def test_keras_functional_model_with_every_graph_layer_converts_exactly(tmp_path):
    """The user model of ``benchmarks/keras_graph_model.py`` (plain Keras: residual Add,
    Concatenate of a 1×1 and a SeparableConv2D branch, DepthwiseConv2D, BatchNorm after every
    convolution, global average pooling), with random BatchNorm statistics, saved as .keras: the
    converted network's analog outputs, through softmax, are Keras's own predictions."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from keras_graph_model import build

    from bridge.network import ann_forward

    keras.utils.set_random_seed(1)
    model = build(keras, width=4)
    rng = np.random.default_rng(0)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            c = layer.gamma.shape[0]
            layer.set_weights([rng.uniform(0.5, 2, c), rng.normal(0, 0.3, c),
                               rng.normal(0, 0.3, c), rng.uniform(0.5, 2, c)])
    model.save(tmp_path / "graph.keras")
    x = rng.random((30, 28, 28, 1)).astype(np.float32)
    snn = convert(load_trained(tmp_path / "graph.keras"), x)
    logits = ann_forward(snn.ops, x)
    p = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(p / p.sum(1, keepdims=True), model.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-6)
