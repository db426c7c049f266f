"""One update rule per optimizer, identical on both backends of ``neurosim train``.

``neurosim train --optimizer NAME --backend numpy`` builds :func:`ann.optimizers.make_optimizer`
and ``--backend keras`` builds :func:`ann.keras_train.make_keras_optimizer` from the same
:class:`~ann.config.TrainConfig` fields. These tests drive both with the same gradients, for
gradient sizes from 1e-6 to 1e2 and with every hyper-parameter the CLI exposes (learning rate,
α/ρ/β₁/β₂, Nesterov, clipping, weight decay, the learning-rate schedule), and compare the
*displacement* θ_t − θ_0 (comparing θ itself would hide a wrong step of 1e-9 next to θ ≈ 1).

The fault these guard against: RMSProp added δ outside the root on the NumPy backend and inside
it on Keras, so gradients near 1e-5 took steps ~100× larger with ``--backend numpy``.
"""

from __future__ import annotations

import numpy as np
import pytest

from ann._tf import tf_module
from ann.config import TrainConfig
from ann.keras_train import make_keras_optimizer
from ann.optimizers import make_optimizer

tf = tf_module()

#: Keras casts Python-float hyper-parameters through float32: β₂ = 0.999 becomes 0.99900001,
#: so 1 − β₂ is off by 1.3e-5 relative and Adam's √(1 − β₂ᵗ) by 6.6e-6; ρ = 0.9, ε = 1e-3 and
#: δ = 1e-7 by ≤ 3e-8. Displacements are compared to 2e-5 of their largest entry.
RTOL = 2e-5
SCALES = [1e-6, 1e-5, 1e-4, 1e-2, 1.0, 1e2]
SETTINGS = {
    "sgd": dict(name="sgd"),
    "momentum": dict(name="momentum", alpha=0.9),
    "nesterov": dict(name="momentum", alpha=0.8, nesterov=True),
    "rmsprop": dict(name="rmsprop", rho=0.9),
    "rmsprop-rho": dict(name="rmsprop", rho=0.5),
    "adam": dict(name="adam", beta_1=0.9),
    "adam-beta1": dict(name="adam", beta_1=0.5),
    "adam-beta2": dict(name="adam", beta_1=0.9, beta_2=0.99),
    "adam-clip": dict(name="adam", beta_1=0.9, clip_norm=1e-3),
    "momentum-clip": dict(name="momentum", alpha=0.9, clip_norm=0.5),
    "adam-decay": dict(name="adam", beta_1=0.9, weight_decay=0.1),
    "sgd-decay": dict(name="sgd", weight_decay=0.5),
    "rmsprop-clip-decay": dict(name="rmsprop", rho=0.9, clip_norm=1e-2, weight_decay=0.1),
}


def _gradients(scale, steps, rng):
    """``steps`` lists of two gradients (a matrix and a vector) of size ~``scale``, with
    entries of both signs and a spread of magnitudes within each array."""
    out = []
    for _ in range(steps):
        out.append([scale * rng.standard_normal((3, 4)) * np.logspace(-1, 0, 4),
                    scale * rng.standard_normal(5)])
    return out


def _trajectories(setting, scale, lrs, dtype=np.float64):
    rng = np.random.default_rng(7)
    theta0 = [rng.uniform(-1, 1, (3, 4)).astype(dtype), rng.uniform(-1, 1, 5).astype(dtype)]
    grads = _gradients(scale, len(lrs), rng)
    kw = {k: v for k, v in setting.items() if k != "name"}
    ours = make_optimizer(setting["name"], lrs[0], **kw)
    theirs = make_keras_optimizer(setting["name"], lrs[0], **kw)
    params = [t.copy() for t in theta0]
    kvars = [tf.Variable(t.copy(), dtype=dtype) for t in theta0]
    moved_ours, moved_keras = [], []
    for lr, g in zip(lrs, grads):
        ours.lr = lr                          # the schedule, as ann.training.fit sets it
        theirs.learning_rate = lr             # ... and as Keras's LearningRateScheduler does
        ours.apply(params, [gi.astype(dtype) for gi in g])
        theirs.apply_gradients([(tf.constant(gi.astype(dtype)), v) for gi, v in zip(g, kvars)])
        moved_ours.append([p - t for p, t in zip(params, theta0)])
        moved_keras.append([v.numpy() - t for v, t in zip(kvars, theta0)])
    return moved_ours, moved_keras


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("name", list(SETTINGS))
def test_numpy_and_keras_take_the_same_steps(name, scale):
    """float64, 10 steps, the learning rate halved after step 5 (a schedule).

    The hyper-parameters are the CLI's defaults (ε = 1e-3, ρ/β₁ = 0.9, β₂ = 0.999, δ = 1e-7),
    which Keras rounds to float32 (see ``RTOL``). A wrong convention differs by far more:
    RMSProp's δ placement by a factor ~100 at g = 1e-5, a missing Nesterov term by ~10 %, a
    weight decay applied after instead of before the update by ~ελ."""
    lrs = [1e-3] * 5 + [5e-4] * 5
    ours, theirs = _trajectories(SETTINGS[name], scale, lrs)
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for pa, pb in zip(a, b):
            assert np.all(pa != 0) or SETTINGS[name].get("weight_decay"), "the test moved nothing"
            err = np.max(np.abs(pa - pb)) / np.max(np.abs(pb))
            assert err <= RTOL, f"{name}, gradients ~{scale:g}, step {step + 1}: {err:.2g}"


@pytest.mark.parametrize("name", ["rmsprop", "adam", "nesterov"])
def test_float32_training_dtype_agrees_too(name):
    """float32, as ``neurosim train`` runs, gradients ~1 (steps of ~1e-3, far above θ's float32
    ulp of 6e-8): after 10 steps the displacements agree to 1e-4 of their largest entry."""
    ours, theirs = _trajectories(SETTINGS[name], 1.0, [1e-3] * 10, dtype=np.float32)
    for a, b in zip(ours[-1], theirs[-1]):
        assert np.max(np.abs(a - b)) <= 1e-4 * np.max(np.abs(b))


def test_rmsprop_steps_for_small_gradients_are_the_keras_size():
    """The reported fault, as a number: one RMSProp step for g = 1e-5 is ε·g/√((1−ρ)g² + δ)
    ≈ 0.0316 ε on both backends (it was ≈ 3.1 ε on NumPy: 97× larger)."""
    ours, theirs = _trajectories(dict(name="rmsprop", rho=0.9), 1e-5, [1e-3])
    step_ours = np.abs(ours[0][1])
    step_keras = np.abs(theirs[0][1])
    np.testing.assert_allclose(step_ours, step_keras, rtol=1e-6)
    assert np.all(step_ours < 1e-3 * 0.1)


def test_learning_rate_schedule_is_one_function():
    """Both backends take ε_k from TrainConfig.learning_rate: ε·decay^k."""
    c = TrainConfig.for_model("mlp", lr=2e-3, lr_decay=0.5)
    assert [c.learning_rate(k) for k in range(3)] == [2e-3, 1e-3, 5e-4]


def test_nesterov_is_refused_for_other_optimizers():
    with pytest.raises(ValueError, match="nesterov applies to the momentum optimizer"):
        TrainConfig.for_model("mlp", optimizer="adam", nesterov=True)
    with pytest.raises(ValueError, match="nesterov applies"):
        make_keras_optimizer("rmsprop", 1e-3, nesterov=True)


def test_both_backends_train_with_the_same_learning_rates():
    """The rate each backend's optimizer actually held in every epoch (Keras's read back from
    its optimizer after the scheduler ran) equals TrainConfig.learning_rate(k)."""
    from ann.keras_train import train_keras
    from ann.training import train_numpy

    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 300).astype(np.uint8)
    x = (rng.random((300, 28, 28)) * 255).astype(np.uint8)
    mnist = (x, y, x[:50], y[:50])
    config = TrainConfig.for_model("perceptron", epochs=3, lr=0.05, lr_decay=0.5,
                                   optimizer="momentum", nesterov=True)
    want = [config.learning_rate(k) for k in range(3)]
    for train in (train_numpy, train_keras):
        got = [h["lr"] for h in train(config, mnist)["history"]]
        np.testing.assert_allclose(got, want, rtol=1e-7, err_msg=train.__name__)
