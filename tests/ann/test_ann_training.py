"""Training loop, determinism, resumable checkpoints, divergence, estimators, perceptron."""

import numpy as np
import pytest

from ann.config import TrainConfig
from ann.estimators import CNNClassifier, MLPClassifier, Perceptron
from ann.network import Network
from ann.optimizers import SGD, Adam
from ann.spec import lenet5_spec, mlp_spec
from ann.training import TrainingDiverged, fit, train_numpy


def blobs(n=300, d=8, k=3, seed=0, sep=4.0):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((k, d)) * sep
    y = rng.integers(0, k, n)
    return (centers[y] + rng.standard_normal((n, d))).astype(np.float32), y


def tiny_mnist(n_train=600, n_test=200, seed=0):
    """Synthetic 28×28 'digits': class c lights up a distinct 7×7 patch, plus noise."""
    rng = np.random.default_rng(seed)

    def make(n):
        y = rng.integers(0, 10, n).astype(np.uint8)
        x = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        for i, c in enumerate(y):
            r, col = divmod(int(c), 4)
            x[i, 7 * r:7 * r + 7, 7 * col:7 * col + 7] = 255
        return x, y

    (a, b), (c, d) = make(n_train), make(n_test)
    return a, b, c, d


def test_same_seed_identical_weights_different_seed_not():
    x, y = blobs()
    spec = mlp_spec(hidden=(16,), dropout=0.2)
    spec = type(spec)((8,), spec.layers[1:], "mlp")

    def train(seed):
        net = Network.from_spec(spec, np.random.default_rng(seed))
        fit(net, x, y, Adam(0.01), epochs=2, batch_size=16, rng=np.random.default_rng(seed))
        return net.get_weights()

    a, b, c = train(1), train(1), train(2)
    for wa, wb, wc in zip(a, b, c):
        for k in wa:
            np.testing.assert_array_equal(wa[k], wb[k])
    assert not np.array_equal(a[0]["W"], c[0]["W"])


def test_mlp_learns_blobs_and_history():
    """Measured over seeds 0–19 (``blobs(seed=s)``, ``random_state=s``; OpenBLAS kernels Haswell
    (this AMD EPYC's default), Sandybridge and Prescott via ``OPENBLAS_CORETYPE``, identical):
    training accuracy 0.998–1.000 (mean 1.000), final validation accuracy 0.992–1.000 (mean
    1.000), last/first epoch loss 0.001–0.043. Asserted > 0.95 and > 0.9: margins of 4.8 and 9
    points below the minima, against spreads of 0.2 and 0.8 points."""
    x, y = blobs(600)
    clf = MLPClassifier(hidden=(32,), epochs=5, batch_size=32, lr=0.01, validation_split=0.2)
    clf.fit(x, y)
    assert clf.score(x, y) > 0.95
    assert len(clf.history_) == 5 and clf.history_[-1]["val_accuracy"] > 0.9
    assert clf.history_[-1]["loss"] < clf.history_[0]["loss"]
    p = clf.predict_proba(x[:5])
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)


def test_string_labels_round_trip():
    """Measured over seeds 0–19 (``blobs(200, k=2, seed=s)``, ``random_state=s``): with the former
    3 epochs the accuracy was 0.84–1.00 (mean 0.986; seed 13 gave 0.84, below the asserted 0.9),
    so the test trains 10 epochs: 1.000 at every seed, on the Haswell, Sandybridge and Prescott
    OpenBLAS kernels. Asserted > 0.9: a margin of 10 points, with no spread measured."""
    x, y = blobs(200, k=2)
    names = np.array(["cat", "dog"])[y]
    clf = MLPClassifier(hidden=(8,), epochs=10, lr=0.01).fit(x, names)
    assert set(clf.predict(x)) <= {"cat", "dog"}
    assert clf.score(x, names) > 0.9


def test_rosenblatt_converges_on_separable_data():
    """Deterministic (float64, no BLAS product larger than a 2-vector), and guaranteed by the
    convergence theorem (Novikoff 1962) on data with a margin. Over data/permutation seeds 0–19
    the rule made its last mistake in epoch 4–11 of the 1000 allowed."""
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, (200, 2))
    y = (x @ np.array([1.0, -2.0]) + 0.3 > 0).astype(int)
    keep = np.abs(x @ np.array([1.0, -2.0]) + 0.3) > 0.1   # a margin
    x, y = x[keep], y[keep]
    p = Perceptron(rule="rosenblatt", epochs=1000).fit(x, y)
    assert p.mistakes_[-1] == 0 and p.score(x, y) == 1.0


@pytest.mark.parametrize("rule", ["softmax", "sigmoid"])
def test_perceptron_gradient_forms(rule):
    """Measured over seeds 0–19 (``blobs(300, k=3, seed=s)``, ``random_state=s``). The former
    recipe (raw blobs, |x| ~ 10, lr 0.1, 20 epochs) passed at seed 0 only by luck: the sigmoid
    rule (squared error) starts saturated and stays stuck at 0.62–0.69 for 3 of 10 data seeds
    (a vanishing h'(u), not a BLAS effect; more epochs do not help). With standardised inputs,
    lr 0.5 and 50 epochs: softmax 1.000 at every seed; sigmoid 0.980–1.000 (mean 0.999; one-vs-
    rest is not separable for every draw), identical on the Haswell, Sandybridge and Prescott
    OpenBLAS kernels. Asserted > 0.9: a margin of 8 points below the minimum, against a spread
    of 2 points."""
    x, y = blobs(300, k=3)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    p = Perceptron(rule=rule, lr=0.5, epochs=50).fit(x, y)
    assert p.score(x, y) > 0.9


def test_cnn_classifier_on_tiny_images():
    """Measured over seeds 0–9 (``tiny_mnist(seed=s)``, ``random_state=s``; Haswell, Sandybridge
    and Prescott OpenBLAS kernels): test accuracy 1.000 at every seed. Asserted > 0.9: a margin
    of 10 points, with no spread measured."""
    xtr, ytr, xte, yte = tiny_mnist()
    clf = CNNClassifier(arch="lenet", epochs=2, batch_size=32).fit(xtr, ytr)
    assert clf.score(xte, yte) > 0.9


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_nan_loss_stops_with_clear_error():
    x, y = blobs(64)
    spec = mlp_spec(hidden=(8,), dropout=0)
    spec = type(spec)((8,), spec.layers[1:], "mlp")
    net = Network.from_spec(spec, np.random.default_rng(0))
    with pytest.raises(TrainingDiverged, match=r"loss became (nan|inf) at epoch 1, step \d+"):
        fit(net, x * 1e30, y, SGD(1e30), epochs=3, batch_size=8, rng=np.random.default_rng(0))


@pytest.mark.parametrize("bad, needle", [
    (lambda x, y: (np.where(np.arange(x.size).reshape(x.shape) == 5, np.nan, x), y), "NaN/Inf"),
    (lambda x, y: (x, np.where(np.arange(len(y)) == 3, 7, y)), "label 7 out of range 0..2"),
    (lambda x, y: (x[:10], y), "10 inputs but 64 labels"),
    (lambda x, y: (x[:, :5], y), r"inputs of shape \(64, 5\) do not fit"),
])
def test_bad_data(bad, needle):
    x, y = blobs(64)
    spec = mlp_spec(hidden=(8,), dropout=0, n_out=3)
    spec = type(spec)((8,), spec.layers[1:], "mlp")
    net = Network.from_spec(spec, np.random.default_rng(0))
    xb, yb = bad(x, y)
    with pytest.raises(ValueError, match=needle):
        fit(net, xb, yb, SGD(0.1), epochs=1, batch_size=8, rng=np.random.default_rng(0))


def test_killed_run_resumes_to_identical_weights(tmp_path):
    """Interrupt mid-epoch (after a checkpoint), resume: same weights as an uninterrupted run."""
    x, y = blobs(200)
    spec = mlp_spec(hidden=(16,), dropout=0.3, batch_norm=True)
    spec = type(spec)((8,), spec.layers[1:], "mlp")
    kw = dict(epochs=3, batch_size=16, checkpoint_every=5)

    def fresh():
        return Network.from_spec(spec, np.random.default_rng(7)), Adam(0.01)

    net, opt = fresh()
    fit(net, x, y, opt, rng=np.random.default_rng(1), **kw)
    reference = net.get_weights()

    class Killed(Exception):
        pass

    def kill_at(step_total):
        count = {"n": 0}

        def progress(ev):
            if ev["kind"] == "batch":
                count["n"] += 1
                if count["n"] == step_total:
                    raise Killed
        return progress

    ckpt = tmp_path / "run.ckpt.npz"
    net, opt = fresh()
    with pytest.raises(Killed):  # dies in epoch 2, 3 steps after a checkpoint
        fit(net, x, y, opt, rng=np.random.default_rng(1), checkpoint=ckpt,
            progress=kill_at(13 + 8), **kw)
    assert ckpt.exists()
    net, opt = fresh()       # a new process: fresh objects, same arguments
    hist = fit(net, x, y, opt, rng=np.random.default_rng(1), checkpoint=ckpt, **kw)
    assert len(hist) == 3 and not ckpt.exists()
    for a, b in zip(reference, net.get_weights()):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])


def test_checkpoint_of_another_run_is_refused(tmp_path):
    x, y = blobs(100)
    spec = mlp_spec(hidden=(4,), dropout=0)
    spec = type(spec)((8,), spec.layers[1:], "mlp")
    ckpt = tmp_path / "c.npz"
    net = Network.from_spec(spec, np.random.default_rng(0))

    def stop(ev):
        if ev["kind"] == "batch" and ev["step"] == 6:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit(net, x, y, SGD(0.1), epochs=2, batch_size=10, rng=np.random.default_rng(0),
            checkpoint=ckpt, checkpoint_every=5, fingerprint="A", progress=stop)
    with pytest.raises(ValueError, match="belongs to a different run"):
        fit(net, x, y, SGD(0.1), epochs=2, batch_size=10, rng=np.random.default_rng(0),
            checkpoint=ckpt, fingerprint="B")


def test_train_numpy_result_and_saved_model(tmp_path):
    from ann.io import read_model_file

    cfg = TrainConfig.for_model("lenet", epochs=1, batch_size=32, out=tmp_path / "m.npz")
    r = train_numpy(cfg, tiny_mnist(n_train=400, n_test=100))
    assert {"test_accuracy", "train_seconds", "epochs", "model_path", "history"} <= set(r)
    net, meta = read_model_file(r["model_path"])
    assert meta["test_accuracy"] == r["test_accuracy"]
    assert net.spec == lenet5_spec(dropout=0.2)  # the lenet defaults


@pytest.mark.parametrize("kw, needle", [
    (dict(optimizer="adagrad"), "unknown optimizer 'adagrad'"),
    (dict(lr=-1.0), "lr must be > 0.0"),
    (dict(epochs=0), "epochs must be a positive int"),
    (dict(dropout=1.0), "dropout must be < 1.0"),
])
def test_config_validation(kw, needle):
    with pytest.raises(ValueError, match=needle):
        TrainConfig.for_model("mlp", **kw)


@pytest.mark.slow
def test_lecture_mlp_two_epochs_on_full_mnist(mnist, tmp_path):
    """Real data: two epochs of the lecture MLP reach ≥ 96.5 % on the 10 000 test images, and
    the saved model reproduces that accuracy after loading.

    Measured with ``train_numpy(TrainConfig.for_model("mlp", epochs=E, seed=S), mnist)``, one
    BLAS thread, AMD EPYC, seeds 0–4, OpenBLAS kernels Haswell (default here), Sandybridge and
    Prescott (``OPENBLAS_CORETYPE``):

    * one epoch (the former test): 96.13–96.95 % with Adam 1e-3, 96.26–96.77 % with the
      2e-3-halved schedule — a spread of 0.5–0.8 points against a margin of 0.6–0.8 points
      over the former 95.5 %;
    * two epochs: 97.31–97.58 % (mean 97.42 %) with Adam 1e-3; 97.56–97.94 % (mean 97.69 %)
      with the schedule, either kernel. Asserted ≥ 96.5 %: 0.8 points below the lowest run,
      three times the spread (0.3–0.4 points)."""
    from ann.blas import blas_threads
    from ann.io import load_model
    from ann.training import prepare_images

    cfg = TrainConfig.for_model("mlp", epochs=2, out=tmp_path / "mlp.npz")
    with blas_threads(1):
        r = train_numpy(cfg, mnist)
    assert r["test_accuracy"] >= 0.965, r["test_accuracy"]
    net = load_model(r["model_path"])
    _, acc = net.evaluate(prepare_images(mnist.x_test), mnist.y_test.astype(int))
    assert acc == r["test_accuracy"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("model, target", [("mlp", 0.980), ("lenet", 0.990)])
def test_default_models_reach_their_targets_on_full_mnist(mnist, model, target, seed):
    """Issue #12's accuracy targets with ``neurosim train MODEL --seed S``'s defaults, for each
    of seeds 0–4, on all 10 000 test images: the lecture MLP ≥ 98.0 % (5 epochs, ~25 s) and
    LeNet-5 ≥ 99.0 % (15 epochs, ~90 s).

    Measured over seeds 0–4 on an AMD EPYC (2 cores, one OpenBLAS thread), ``neurosim train
    MODEL --seed S --json``:

    * mlp (Adam 2e-3 halved every epoch): 98.29–98.42 %, mean 98.34 % (spread 0.13 points);
      the lowest seed sits 0.29 points above the target, over twice the spread across seeds.
      The earlier recipe (constant 1e-3) gave 97.76–97.98 % here and 98.12 % at seed 0 on
      another CPU: a spread across machines of ~0.2 points, which the margin also covers.
    * lenet (Adam 1e-3 ×0.85 per epoch, 15 epochs): 99.14–99.26 %, mean 99.20 % (spread 0.12
      points); the lowest seed sits 0.14 points above the target. Seeds 0–2 gave 99.10–99.15 %
      on another CPU, still 0.10 above. (Adam 2e-3 ×0.75 per epoch gave 99.17–99.28 % over
      seeds 0–3 here: no better, so the defaults stayed.)
    """
    from ann.blas import blas_threads

    with blas_threads(1):
        r = train_numpy(TrainConfig.for_model(model, seed=seed), mnist)
    assert r["test_accuracy"] >= target, r["test_accuracy"]


def test_train_numpy_resumes_from_checkpoint(tmp_path):
    """``neurosim train --checkpoint`` plumbing: a run stopped mid-epoch, started again with the
    same config, finishes with the same model as an uninterrupted run."""
    data = tiny_mnist(n_train=300, n_test=100)
    cfg = TrainConfig.for_model("mlp", epochs=2, batch_size=32)
    ref = train_numpy(cfg.replace(out=tmp_path / "ref.npz"), data)

    def stop_after(n):
        seen = {"n": 0}

        def progress(ev):
            seen["n"] += ev["kind"] == "batch"
            if seen["n"] == n:
                raise KeyboardInterrupt
        return progress

    ckpt = tmp_path / "ck.npz"
    with pytest.raises(KeyboardInterrupt):
        train_numpy(cfg, data, progress=stop_after(13), checkpoint=ckpt, checkpoint_every=4)
    assert ckpt.exists()
    res = train_numpy(cfg.replace(out=tmp_path / "res.npz"), data, checkpoint=ckpt,
                      checkpoint_every=4)
    assert not ckpt.exists()
    assert res["test_accuracy"] == ref["test_accuracy"]
    from ann.io import load_model
    for a, b in zip(load_model(tmp_path / "ref.npz").get_weights(),
                    load_model(tmp_path / "res.npz").get_weights()):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])
