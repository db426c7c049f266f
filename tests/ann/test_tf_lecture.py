"""The lecture's TensorFlow examples (``ann.tf_lecture``), checked against independent
arithmetic: NumPy's gradient descent on the same quadratic, the least-squares solution, the
NumPy MLP spec."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ann import tf_lecture as T
from ann._tf import tf_module
from ann.keras_models import spec_from_keras
from ann.spec import mlp_spec

tf = tf_module()


def test_constants():
    assert T.constants() == 7.0


def test_placeholders_become_function_arguments():
    assert T.adder(3, 4.5) == np.float32(7.5)
    np.testing.assert_array_equal(T.adder([1, 3], [2, 4]), [3.0, 7.0])
    np.testing.assert_array_equal(T.adder(np.ones((2, 2)), [1, 2]), [[2, 3], [2, 3]])
    assert T.add_and_triple(3, 4.5) == np.float32(22.5)
    # one graph with an unknown-shape input serves every shape, as a placeholder did
    assert T.adder_tracing_count() == 1
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        T.adder([1, 2], [1, 2, 3])


def _numpy_gradient_descent(w, b, steps, lr):
    """Gradient descent on E = mean((w x + b − y)²), by hand: ∂E/∂w = 2·mean(r x),
    ∂E/∂b = 2·mean(r) with r = w x + b − y."""
    x, y = T.LINEAR_X.ravel().astype(np.float64), T.LINEAR_Y.ravel().astype(np.float64)
    losses = []
    for _ in range(steps):
        r = w * x + b - y
        losses.append(np.mean(r ** 2))
        w, b = w - lr * 2 * np.mean(r * x), b - lr * 2 * np.mean(r)
    return np.array(losses), w, b


def _slowest_contraction(steps, lr):
    """Gradient descent on the quadratic E multiplies the error along the Hessian's slowest
    eigenvector by 1 − lr·λ_min per step, so the loss (0 at the exact fit y = 1 − x) falls at
    least by (1 − lr·λ_min)^(2·steps), whatever the initial w."""
    x = T.LINEAR_X.ravel().astype(np.float64)
    hessian = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    return (1 - lr * np.linalg.eigvalsh(hessian)[0]) ** (2 * steps)


def test_linear_fit_follows_gradient_descent():
    """Deterministic for a seed (float32 TensorFlow against float64 NumPy: rtol 1e-4). The loss
    after 100 steps relative to the first depends on the initial w: over seeds 0–19 it was
    0.0066–0.27 (seed 0: 0.073), so the former "falls 10×" held for 17 of the 20 seeds only
    (6, 15, 18 gave 0.13, 0.11, 0.27). Asserted instead: the bound that holds for every
    initial w, (1 − 0.01·λ_min)^200 = 0.549 for the lecture's four points (the worst seed
    sits at half of it)."""
    fit = T.linear_fit(steps=100, lr=0.01, seed=0)
    assert fit["losses"].shape == (100,) and fit["b0"] == 0.0
    losses, w, b = _numpy_gradient_descent(fit["w0"], fit["b0"], 100, 0.01)
    np.testing.assert_allclose(fit["losses"], losses, rtol=1e-4)
    assert fit["w"] == pytest.approx(w, abs=1e-4) and fit["b"] == pytest.approx(b, abs=1e-4)
    assert np.all(np.diff(fit["losses"]) < 0)  # lr 0.01 < 2/λ_max: every step lowers the loss
    assert fit["final_loss"] <= fit["losses"][0] * _slowest_contraction(100, 0.01) * (1 + 1e-4)


def test_linear_fit_converges_to_least_squares():
    """Over seeds 0–19 (3000 steps): |w + 1| ≤ 7.2e-5, |b − 1| ≤ 2.1e-4, final loss ≤ 7.5e-9;
    the asserted 1e-3, 3e-3 and 1e-5 are over ten times wider (deterministic for a seed)."""
    fit = T.linear_fit(steps=3000, lr=0.01, seed=1)
    assert fit["w"] == pytest.approx(-1.0, abs=1e-3)
    assert fit["b"] == pytest.approx(1.0, abs=3e-3)
    assert fit["final_loss"] < 1e-5
    with pytest.raises(ValueError, match="steps"):
        T.linear_fit(steps=0)


def _graph_ops(event_file):
    ops = []
    for rec in tf.data.TFRecordDataset(str(event_file)):
        e = tf.compat.v1.Event.FromString(rec.numpy())
        if e.HasField("graph_def"):
            g = tf.compat.v1.GraphDef()
            g.ParseFromString(e.graph_def)
            ops.append([n.op for n in g.node])
    return ops


def test_graphs_written_for_tensorboard(tmp_path):
    files = T.write_graphs(tmp_path)
    assert [f.parent.name for f in files] == ["adder", "linear_fit"]
    (adder_ops,) = _graph_ops(files[0])
    assert adder_ops.count("Placeholder") == 2 and "AddV2" in adder_ops
    (fit_ops,) = _graph_ops(files[1])
    assert {"MatMul", "Square", "AssignVariableOp"} <= set(fit_ops)  # forward, loss, update


def test_lecture_mlp_is_the_mlp_spec_and_learns(mnist):
    model = T.lecture_mlp(seed=0)
    spec, _ = spec_from_keras(model)
    assert spec.input_shape == (28, 28)
    assert spec.layers == mlp_spec().layers  # Flatten, Dense 512 relu, Dropout 0.2, Dense 10
    r = T.train_lecture_mlp(mnist.x_train[:3000], mnist.y_train[:3000], mnist.x_test[:1000],
                            mnist.y_test[:1000], epochs=1, seed=0)
    # one epoch on 3000 images, measured over seeds 0–4 (and seeds 0, 1 again: TensorFlow's
    # thread scheduling alone moved seed 0 from 0.883 to 0.876): 0.861–0.883, mean 0.870.
    # Asserted > 0.8: 6 points below the minimum, against a spread of 2.2 points (chance is
    # 0.1); full-data accuracy is checked in test_keras_twin.py (slow)
    assert r["test_accuracy"] > 0.8
    assert len(r["history"]["loss"]) == 1


def test_cli_tf_lecture(tmp_path, capsys):
    from pipeline.console import main

    assert main(["tf-lecture", "--mlp-epochs", "0", "--logdir", str(tmp_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["constants"] == 7.0 and out["adder_scalars"] == 7.5
    assert out["adder_vectors"] == [3.0, 7.0] and out["add_and_triple"] == 22.5
    # the bound that holds for every initial w (seed 0 itself gives 0.073; see above)
    assert out["linear_fit"]["final_loss"] <= (out["linear_fit"]["first_loss"]
                                               * _slowest_contraction(100, 0.01) * (1 + 1e-4))
    assert len(out["graph_files"]) == 2
    assert main(["tf-lecture", "--mlp-epochs", "-1"]) == 2
    assert "--mlp-epochs" in capsys.readouterr().err
