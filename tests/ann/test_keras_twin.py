"""The Keras twin (``ann.keras_models``, ``ann.keras_train``): spec ⇄ Keras, weights both ways,
refusals, training with TensorBoard logs. Tiny models and data; TensorFlow is imported once
per worker (this module and ``test_tf_lecture.py`` are the only ones that import it)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from ann.network import Network
from ann.spec import LayerSpec, ModelSpec, cnn_spec, lenet5_spec, mlp_spec, perceptron_spec

from ann._tf import keras_module, tf_module
from ann.keras_models import (build_keras_model, from_keras, keras_weights, load_keras_file,
                              set_keras_weights, spec_from_keras, to_keras)
from errors import one_line_error

keras, tf = keras_module(), tf_module()

PADDED = ModelSpec((10, 10, 2), (
    LayerSpec("Conv2D", {"filters": 3, "kernel_size": 3, "padding": 1, "strides": 2}),
    LayerSpec("AvgPool2D", {"pool_size": 2, "strides": 1}), LayerSpec("Flatten"),
    LayerSpec("Dense", {"units": 4, "use_bias": False, "activation": "tanh"}),
    LayerSpec("Activation", {"activation": "sigmoid"})), name="padded")
SAME_STRIDE2 = ModelSpec((9, 9, 2), (
    LayerSpec("Conv2D", {"filters": 3, "kernel_size": 3, "padding": "same", "strides": 2,
                         "activation": "relu"}),
    LayerSpec("MaxPool2D", {"pool_size": 2}), LayerSpec("Flatten"),
    LayerSpec("Dense", {"units": 3, "activation": "softmax"})), name="same_stride2")


def _randomize_batchnorm(net: Network, rng) -> None:
    """Give every BatchNorm non-trivial gamma, beta and running statistics."""
    w = net.get_weights()
    for d in w:
        if "running_mean" in d:
            c = d["gamma"].shape
            d.update(gamma=rng.uniform(0.5, 2, c), beta=rng.normal(size=c),
                     running_mean=rng.normal(size=c), running_var=rng.uniform(0.3, 3, c))
    net.set_weights([{k: np.asarray(v, np.float32) for k, v in d.items()} for d in w])


def test_import_ann_does_not_import_tensorflow():
    code = ("import sys, ann, ann.keras_models, ann.keras_reader, ann.keras_train, ann.tf_lecture, "
            "ann.keras_cli, "
            "ann.cli; bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("spec", [
    perceptron_spec(), mlp_spec(), mlp_spec(hidden=(32, 16), batch_norm=True, dropout=0.1),
    lenet5_spec(), lenet5_spec(pool="AvgPool2D", activation="tanh", batch_norm=True, dropout=0.3),
    cnn_spec(filters=(4, 8), dense=16), PADDED, SAME_STRIDE2], ids=lambda s: s.name)
def test_spec_survives_keras(spec):
    model = build_keras_model(spec, seed=3)
    back, weights = spec_from_keras(model)
    assert back == spec
    assert len(weights) == len(spec.layers)
    assert sum(a.size for d in weights for a in d.values()) == model.count_params()


@pytest.mark.parametrize("spec", [
    mlp_spec(hidden=(64,), batch_norm=True),
    lenet5_spec(batch_norm=True, dropout=0.2),
    cnn_spec(filters=(4, 8), dense=16), PADDED, SAME_STRIDE2], ids=lambda s: s.name)
def test_numpy_keras_numpy_round_trip(spec):
    rng = np.random.default_rng(1)
    net = Network.from_spec(spec, rng)
    _randomize_batchnorm(net, rng)
    x = rng.random((7,) + spec.input_shape, dtype=np.float32)
    model = to_keras(net)
    y_keras = np.asarray(model(x, training=False))
    np.testing.assert_allclose(y_keras, net.forward(x), rtol=1e-5, atol=2e-6)
    back = from_keras(model)
    assert back.spec == spec
    for a, b in zip(net.get_weights(), back.get_weights()):
        assert a.keys() == b.keys()
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])  # transfer is exact, both ways
    np.testing.assert_array_equal(back.forward(x), net.forward(x))


def test_keras_trained_model_loads_into_numpy():
    """Weights and BatchNorm statistics that Keras itself produced (a few Adam steps)."""
    spec = lenet5_spec(batch_norm=True)
    model = build_keras_model(spec, seed=0)
    rng = np.random.default_rng(0)
    x = rng.random((64, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    mean = keras_weights(model)[1]["running_mean"]
    assert np.abs(mean).max() > 1e-3  # statistics moved away from their initial zeros
    net = from_keras(model)
    np.testing.assert_allclose(net.forward(x), np.asarray(model(x, training=False)),
                               rtol=1e-4, atol=1e-6)


def test_batchnorm_training_mode_matches_keras():
    """Batch statistics in the forward pass and the running-average update agree."""
    spec = mlp_spec(hidden=(16,), batch_norm=True, dropout=0.0)
    rng = np.random.default_rng(2)
    net = Network.from_spec(spec, rng)
    _randomize_batchnorm(net, rng)
    model = to_keras(net)
    x = rng.random((32, 28, 28, 1), dtype=np.float32)
    np.testing.assert_allclose(np.asarray(model(x, training=True)), net.forward(x, training=True),
                               rtol=1e-4, atol=1e-6)
    k, n = keras_weights(model)[2], net.get_weights()[2]
    np.testing.assert_allclose(k["running_mean"], n["running_mean"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(k["running_var"], n["running_var"], rtol=1e-4, atol=1e-6)


def test_functional_model_with_relu_softmax_and_zero_padding_layers():
    L = keras.layers
    inp = keras.Input((8, 8, 1))
    h = L.ZeroPadding2D(1)(inp)
    h = L.Conv2D(2, 3)(h)
    h = L.BatchNormalization()(h)
    h = L.ReLU()(h)
    h = L.AveragePooling2D(2)(h)
    h = L.Flatten()(h)
    h = L.Dropout(0.5)(h)
    h = L.Dense(5)(h)
    out = L.Softmax()(h)
    model = keras.Model(inp, out)
    spec, _ = spec_from_keras(model)
    assert [s.type for s in spec.layers] == ["Conv2D", "BatchNorm", "Activation", "AvgPool2D",
                                             "Flatten", "Dropout", "Dense", "Activation"]
    assert spec.layers[0]["padding"] == 1 and spec.layers[-1]["activation"] == "softmax"
    x = np.random.default_rng(0).random((4, 8, 8, 1), dtype=np.float32)
    np.testing.assert_allclose(from_keras(model).forward(x), np.asarray(model(x)),
                               rtol=1e-5, atol=1e-6)


def test_keras_file_with_lstm_is_refused(tmp_path):
    L = keras.layers
    model = keras.Sequential([keras.Input((28, 28)), L.LSTM(8, name="my_lstm"),
                              L.Dense(10, activation="softmax")])
    path = tmp_path / "lstm.keras"
    model.save(path)
    one_line_error(lambda: load_keras_file(path), "LSTM", "my_lstm", str(path))


@pytest.mark.parametrize("make, names", [
    (lambda L: [L.Flatten(), L.Dense(4, activation="gelu", name="g")], ("'g'", "gelu")),
    (lambda L: [L.Flatten(), L.Dense(4), L.LeakyReLU(name="leaky")], ("leaky", "LeakyReLU")),
    (lambda L: [L.Conv2D(2, 3, dilation_rate=2, name="dil"), L.Flatten()], ("dil", "dilated")),
    (lambda L: [L.DepthwiseConv2D(3, dilation_rate=2, name="dwd"), L.Flatten()],
     ("dwd", "dilated")),
    (lambda L: [L.MaxPooling2D(2, padding="same", name="mp"), L.Flatten()], ("mp", "padding")),
    (lambda L: [L.Rescaling(1 / 255, name="scale"), L.Flatten()], ("scale", "Rescaling")),
    (lambda L: [L.ReLU(negative_slope=0.1, name="lrelu"), L.Flatten()],
     ("lrelu", "negative_slope")),
    (lambda L: [L.ZeroPadding2D(((1, 0), (1, 0)), name="zp"), L.Conv2D(2, 3)], ("zp",)),
], ids=["gelu", "leaky", "dilated", "dilated_depthwise", "same_pool", "rescaling", "relu_slope",
    "zeropad"])
def test_unsupported_layers_are_named(make, names):
    model = keras.Sequential([keras.Input((8, 8, 1))] + make(keras.layers))
    one_line_error(lambda: spec_from_keras(model), *names)


def test_unknown_input_size_is_refused():
    model = keras.Sequential([keras.Input((None, None, 1)), keras.layers.Conv2D(2, 3)])
    one_line_error(lambda: spec_from_keras(model), "unknown input size")


def test_shared_layer_is_refused():
    """(Branches are read as graphs: tests/ann/test_keras_graphs.py.)"""
    L = keras.layers
    inp = keras.Input((4,))
    a = L.Dense(3, name="a")
    model = keras.Model(inp, L.Add(name="join")([a(inp), a(inp)]))
    one_line_error(lambda: spec_from_keras(model), "'a'", "more than once")


def test_subclassed_model_is_refused():
    class Custom(keras.Model):
        def __init__(self):
            super().__init__(name="custom")
            self.dense = keras.layers.Dense(3)

        def call(self, x):
            return self.dense(x)

    model = Custom()
    model(np.ones((1, 4), np.float32))
    one_line_error(lambda: spec_from_keras(model), "'custom'", "subclassed")


def test_bad_files_and_weights(tmp_path):
    one_line_error(lambda: load_keras_file(tmp_path / "m.h5"), ".keras")
    with pytest.raises(FileNotFoundError):
        load_keras_file(tmp_path / "missing.keras")
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a zip")
    one_line_error(lambda: load_keras_file(junk), "junk.keras", "cannot load")
    model = build_keras_model(perceptron_spec())
    w = keras_weights(model)
    one_line_error(lambda: set_keras_weights(model, w[:1]), "2 dicts")
    w[1]["W"] = np.zeros((5, 10))
    one_line_error(lambda: set_keras_weights(model, w), "weights[1]['W']", "(784, 10)")


# --- training ------------------------------------------------------------------------------

def _events(folder):
    """Every event in the TensorBoard files under ``folder``: (file, kind, tags, graph ops)."""
    out = []
    for f in sorted(folder.rglob("events.out.tfevents.*")):
        for rec in tf.data.TFRecordDataset(str(f)):
            e = tf.compat.v1.Event.FromString(rec.numpy())
            ops = []
            if e.HasField("graph_def"):
                g = tf.compat.v1.GraphDef()
                g.ParseFromString(e.graph_def)
                ops = [n.op for n in g.node]
            out.append((f.parent.name, e.WhichOneof("what"),
                        [v.tag for v in e.summary.value], ops,
                        [float(tf.make_ndarray(v.tensor)) for v in e.summary.value
                         if v.tag.startswith("epoch_")]))
    return out


@pytest.fixture(scope="module")
def tiny_mnist():
    rng = np.random.default_rng(0)
    # two separable "classes" of images plus noise: learnable in one epoch
    y = rng.integers(0, 10, 600).astype(np.uint8)
    x = (rng.random((600, 28, 28)) * 60).astype(np.uint8)
    for c in range(10):
        x[y == c, 2 * c:2 * c + 3, :] = 255
    return x[:500], y[:500], x[500:], y[500:]


def test_train_keras_logs_scalars_and_graph(tmp_path, tiny_mnist):
    """Measured with this recipe over seeds 0–4 (``TrainConfig(seed=S)`` and the fixture's data
    drawn with ``default_rng(S)``), Adam 1e-3 and 2e-3: Keras test accuracy 1.000 at every
    seed, and the NumPy copy of the weights gives exactly the same accuracy (difference 0).
    Asserted > 0.9 (10 points of margin, no spread measured) and a difference ≤ 0.01."""
    from ann.config import TrainConfig
    from ann.io import load_model
    from ann.keras_train import train_keras
    from ann.training import train_numpy

    cfg = TrainConfig.for_model("mlp", epochs=2, batch_size=25, validation_split=0.2,
                                logdir=tmp_path / "logs", out=tmp_path / "mlp.npz", lr_decay=0.5)
    events = []
    result = train_keras(cfg, tiny_mnist, progress=events.append)
    np_keys = set(train_numpy(cfg.replace(epochs=1, out=None, logdir=None), tiny_mnist))
    assert np_keys <= set(result)
    assert result["backend"] == "keras" and result["epochs"] == 2
    rates = [cfg.learning_rate(k) for k in range(2)]    # ε·0.5^k, whatever the mlp default ε
    assert [h["lr"] for h in result["history"]] == pytest.approx(rates, rel=1e-6)
    assert result["test_accuracy"] > 0.9
    # the same weights, moved into NumPy, give the same predictions on the test set
    assert abs(result["numpy_test_accuracy"] - result["test_accuracy"]) <= 0.01
    assert [e["epoch"] for e in events if e["kind"] == "epoch"] == [1, 2]
    assert sum(e["kind"] == "batch" for e in events) == 2 * 16  # 400 images / 25
    net = load_model(tmp_path / "mlp.npz")
    assert net.evaluate(tiny_mnist[2][..., None] / 255.0,
                        tiny_mnist[3].astype(int))[1] == pytest.approx(result["test_accuracy"],
                                                                        abs=0.01)

    ev = _events(tmp_path / "logs")
    graphs = [ops for folder, kind, _, ops, _ in ev if kind == "graph_def" and folder == "train"]
    assert graphs and "MatMul" in graphs[0] and "Softmax" in graphs[0]
    for folder in ("train", "validation"):
        tags = [t for f, kind, tags, _, _ in ev if f == folder for t in tags]
        assert tags.count("epoch_loss") == 2 and tags.count("epoch_accuracy") == 2, (folder, tags)
    scalars = {}
    for f, _, tags, _, values in ev:
        for tag, value in zip(tags, values):
            scalars.setdefault((f, tag), []).append(value)
    # the rate Keras actually used in each epoch, and the losses it reported, are logged
    np.testing.assert_allclose(scalars["train", "epoch_learning_rate"], rates, rtol=1e-6)
    np.testing.assert_allclose(scalars["train", "epoch_loss"],
                               [h["loss"] for h in result["history"]], rtol=1e-6)
    np.testing.assert_allclose(scalars["validation", "epoch_loss"],
                               [h["val_loss"] for h in result["history"]], rtol=1e-6)


def test_train_keras_saves_keras_file(tmp_path, tiny_mnist):
    """Over seeds 0–4 (as above) the reloaded ``.keras`` file's accuracy equals Keras's to the
    last digit (difference 0; both are 1.000); asserted within 0.01."""
    from ann.config import TrainConfig
    from ann.keras_train import train_keras

    cfg = TrainConfig.for_model("perceptron", epochs=1, out=tmp_path / "p.keras")
    result = train_keras(cfg, tiny_mnist)
    net = load_keras_file(tmp_path / "p.keras")
    x = tiny_mnist[2][..., None] / 255.0
    assert net.evaluate(x, tiny_mnist[3].astype(int))[1] == pytest.approx(
        result["test_accuracy"], abs=0.01)
    assert list(tmp_path.iterdir()) == [tmp_path / "p.keras"]  # no temporary files left


def test_cli_train_keras_json(tmp_path, tiny_mnist, monkeypatch, capsys):
    import ann.data
    from pipeline.console import main

    monkeypatch.setattr(ann.data, "load_mnist", lambda *a, **k: tiny_mnist)
    assert main(["train", "perceptron", "--backend", "keras", "--epochs", "1", "--json",
                 "--logdir", str(tmp_path / "tb")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])
    assert result["backend"] == "keras" and result["model"] == "perceptron"
    assert (tmp_path / "tb" / "train").is_dir()
    assert main(["train", "mlp", "--backend", "keras", "--checkpoint", "c.npz"]) == 2
    assert "NumPy backend only" in capsys.readouterr().err


@pytest.mark.slow
def test_lecture_mlp_reaches_97_8_percent_with_keras(capsys):
    """The done-criterion run: ``neurosim train mlp --backend keras --epochs 5 --json``.

    Measured with ``train_keras(TrainConfig.for_model("mlp", epochs=5, seed=S), mnist)``,
    seeds 0–4, AMD EPYC (2 cores, shared):

    * with the ``mlp`` defaults' Adam 2e-3 halved every epoch: 98.28–98.38 % (mean 98.33 %);
      the target 97.8 % lies 0.48 points below the lowest seed, about five times the spread
      (0.10 points);
    * with the former constant Adam 1e-3: 97.71–98.15 % (mean 97.94 %; seed 2 below the
      target) — the target inside the spread, so this test depends on the schedule.

    The NumPy copy of the trained weights scored exactly the same at every seed (asserted
    within 0.1 points)."""
    from pipeline.console import main

    assert main(["train", "mlp", "--backend", "keras", "--epochs", "5", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["test_accuracy"] >= 0.978, result["test_accuracy"]
    assert abs(result["numpy_test_accuracy"] - result["test_accuracy"]) < 1e-3


def test_keras_epoch_timing_trains_the_spec():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[2] / "benchmarks" / "keras_timing.py"
    mod_spec = importlib.util.spec_from_file_location("keras_timing", path)
    timing = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(timing)
    rng = np.random.default_rng(0)
    x, y = rng.random((100, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, 100)
    r = timing.time_keras_epoch(mlp_spec(hidden=(8,)), x, y, 32, repeats=2)
    assert r["steps"] == 4 and r["samples"] == 100 and len(r["all_seconds"]) == 2
    assert r["seconds"] == min(r["all_seconds"]) > 0 and np.isfinite(r["final_loss"])
    with pytest.raises(ValueError, match="batch_size=32"):
        timing.time_keras_epoch(mlp_spec(hidden=(8,)), x[:10], y[:10], 32)


def test_from_keras_verifies_the_conversion(monkeypatch):
    import ann.keras_models as km

    model = build_keras_model(perceptron_spec(), seed=0)
    real = km.spec_from_keras

    def off_by_a_little(m):  # a converter bug: one weight misread
        spec, w = real(m)
        w[1]["b"][3] += np.float32(0.5)  # (a shift of every bias would cancel in softmax)
        return spec, w

    monkeypatch.setattr(km, "spec_from_keras", off_by_a_little)
    one_line_error(lambda: km.from_keras(model), "differ from Keras", "not converted")
    assert km.from_keras(model, verify=False).spec == perceptron_spec()
    w = km.keras_weights(model)
    w[1]["W"][0, 0] = np.nan
    one_line_error(lambda: set_keras_weights(model, w), "weights[1]['W']", "NaN")


def test_keras_twin_reports_the_plain_cross_entropy_with_label_smoothing(tmp_path, mnist):
    """With label smoothing Keras trains on the smoothed loss, but its history's ``val_loss`` and
    its ``test_loss`` are the plain cross-entropy, as the NumPy backend reports them: equal (to
    float32 rounding) to the plain loss of the trained weights evaluated in NumPy."""
    from ann.config import TrainConfig
    from ann.data import Mnist
    from ann.io import load_model
    from ann.keras_train import train_keras
    from ann.training import prepare_images

    data = Mnist(mnist.x_train[:600], mnist.y_train[:600], mnist.x_test[:100],
                 mnist.y_test[:100])
    r = train_keras(TrainConfig.for_model("mlp", epochs=1, label_smoothing=0.2,
                                          out=tmp_path / "m.npz"), data)
    net = load_model(tmp_path / "m.npz")
    val_loss, _ = net.evaluate(prepare_images(mnist.x_train[540:600]), mnist.y_train[540:600])
    test_loss, _ = net.evaluate(prepare_images(mnist.x_test[:100]), mnist.y_test[:100])
    assert r["history"][0]["val_loss"] == pytest.approx(val_loss, rel=1e-4)
    assert r["test_loss"] == pytest.approx(test_loss, rel=1e-4)
    assert r["history"][0]["loss"] > r["history"][0]["val_loss"]  # the training loss is smoothed
