"""Optimizers against their update rules written out by hand, clipping and weight decay."""

import math

import numpy as np
import pytest

from ann.optimizers import SGD, Adam, Momentum, RMSProp, clip_by_global_norm, make_optimizer


def run(opt, theta0, grad_fn, steps=6):
    theta = [theta0.copy()]
    for _ in range(steps):
        opt.apply(theta, [grad_fn(theta[0])])
    return theta[0]


def grad(theta):  # gradient of E = Σ (θ − 1)² ⋆ [1, 2, 3]
    return 2 * (theta - 1) * np.array([1.0, 2.0, 3.0])


theta0 = np.array([0.5, -2.0, 3.0])


def test_sgd_rule():
    th = theta0.copy()
    for _ in range(6):
        th = th - 0.1 * grad(th)
    np.testing.assert_allclose(run(SGD(0.1), theta0, grad), th, rtol=1e-14)


def test_momentum_rule_lecture_form():
    th, v = theta0.copy(), np.zeros(3)
    for _ in range(6):
        v = 0.8 * v - 0.05 * grad(th)
        th = th + v
    np.testing.assert_allclose(run(Momentum(0.05, 0.8), theta0, grad), th, rtol=1e-14)


def test_nesterov_rule():
    th, v = theta0.copy(), np.zeros(3)
    for _ in range(6):
        g = grad(th)
        v = 0.8 * v - 0.05 * g
        th = th + 0.8 * v - 0.05 * g
    np.testing.assert_allclose(run(Momentum(0.05, 0.8, nesterov=True), theta0, grad), th,
                               rtol=1e-14)


def test_rmsprop_rule_eps_inside_the_root():
    th, r = theta0.copy(), np.zeros(3)
    for _ in range(6):
        g = grad(th)
        r = 0.9 * r + 0.1 * g * g
        th = th - 0.01 * g / np.sqrt(r + 1e-7)
    np.testing.assert_allclose(run(RMSProp(0.01, 0.9, 1e-7), theta0, grad), th, rtol=1e-14)


def test_rmsprop_step_for_tiny_gradients_is_bounded_by_sqrt_eps():
    """For g ≪ √δ the step is ε g/√δ, not ε·sign(g) (the δ-outside form would give ~ε·3)."""
    th = [np.zeros(1)]
    RMSProp(0.001, 0.9, 1e-7).apply(th, [np.array([1e-5])])
    step = -th[0][0]
    assert step == pytest.approx(0.001 * 1e-5 / np.sqrt(0.1 * 1e-10 + 1e-7), rel=1e-12)
    assert step < 0.001 * 0.05


def test_adam_rule_and_paper_equivalence():
    th, m, v = theta0.copy(), np.zeros(3), np.zeros(3)
    for t in range(1, 7):
        g = grad(th)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        mhat, vhat = m / (1 - 0.9 ** t), v / (1 - 0.999 ** t)
        eps_paper = 1e-7 / math.sqrt(1 - 0.999 ** t)  # the paper's ε that equals Keras's
        th = th - 0.01 * mhat / (np.sqrt(vhat) + eps_paper)
    np.testing.assert_allclose(run(Adam(0.01), theta0, grad), th, rtol=1e-12)


def test_global_norm_clipping_scales_all_gradients_together():
    g = [np.array([3.0, 0.0]), np.array([[4.0]])]
    clipped, norm = clip_by_global_norm(g, 1.0)
    assert norm == pytest.approx(5.0)
    np.testing.assert_allclose(clipped[0], [0.6, 0.0])
    np.testing.assert_allclose(clipped[1], [[0.8]])
    same, _ = clip_by_global_norm(g, 10.0)
    assert same[0] is g[0]


@pytest.mark.parametrize("name", ["sgd", "momentum", "rmsprop", "adam"])
def test_clipping_lives_in_the_base_class(name):
    """A huge gradient, clipped to norm 1, moves every optimizer exactly as the unit gradient."""
    big, unit = np.array([300.0, 400.0]), np.array([0.6, 0.8])
    a = make_optimizer(name, 0.1, clip_norm=1.0)
    b = make_optimizer(name, 0.1)
    ta, tb = [np.zeros(2)], [np.zeros(2)]
    for _ in range(3):
        a.apply(ta, [big])
        b.apply(tb, [unit])
    np.testing.assert_allclose(ta[0], tb[0], rtol=1e-12)


def test_clip_value():
    opt = SGD(1.0, clip_value=0.5)
    th = [np.zeros(3)]
    opt.apply(th, [np.array([2.0, -0.2, -9.0])])
    np.testing.assert_allclose(th[0], [-0.5, 0.2, 0.5])


def test_weight_decay_is_decoupled():
    opt = SGD(0.1, weight_decay=0.5)
    th = [np.array([2.0])]
    opt.apply(th, [np.array([1.0])])
    assert th[0][0] == pytest.approx(2.0 - 0.1 * 0.5 * 2.0 - 0.1 * 1.0)


@pytest.mark.parametrize("kwargs, needle", [
    (dict(name="nope", lr=0.1), "unknown optimizer 'nope'"),
    (dict(name="sgd", lr=-0.1), "learning rate"),
    (dict(name="sgd", lr=float("nan")), "learning rate"),
    (dict(name="momentum", lr=0.1, alpha=1.5), r"alpha must be in \[0.0, 1.0\), got 1.5"),
    (dict(name="adam", lr=0.1, alpha=0.5), "alpha does not apply to the adam optimizer"),
    (dict(name="momentum", lr=0.1, rho=0.5), "rho does not apply to the momentum optimizer"),
    (dict(name="rmsprop", lr=0.1, delta=0.0), "delta must be in"),
    (dict(name="adam", lr=0.1, clip_norm=0.0), "clip_norm"),
    (dict(name="adam", lr=0.1, nesterov=True), "nesterov applies to the momentum"),
])
def test_bad_hyper_parameters(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        make_optimizer(**kwargs)


def test_state_round_trip():
    a = Adam(0.01)
    th = [theta0.copy()]
    for _ in range(3):
        a.apply(th, [grad(th[0])])
    b = Adam(0.01)
    th_b = [th[0].copy()]
    b.set_state(a.get_state(), th_b)
    for _ in range(3):
        a.apply(th, [grad(th[0])])
        b.apply(th_b, [grad(th_b[0])])
    np.testing.assert_array_equal(th[0], th_b[0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_in_place_is_bit_identical_to_adam_as_written(dtype):
    """The speed trick (:func:`adam_step_in_place`) and the readable form (:func:`adam_step`)
    give the same bits over 30 steps, on gradients from 1e-6 to 1e2."""
    from ann.optimizers import adam_step, adam_step_in_place

    rng = np.random.default_rng(3)
    shape = (17, 9)
    theta_a = rng.standard_normal(shape).astype(dtype)
    theta_b = theta_a.copy()
    m_a, v_a = np.zeros(shape, dtype), np.zeros(shape, dtype)
    m_b, v_b, scratch = m_a.copy(), v_a.copy(), np.empty(shape, dtype)
    for step in range(1, 31):
        g = (rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 3, shape)).astype(dtype)
        eps_t = 1e-3 * np.sqrt(1 - 0.999 ** step) / (1 - 0.9 ** step)
        adam_step(theta_a, g, m_a, v_a, 0.9, 0.999, eps_t, 1e-7)
        adam_step_in_place(theta_b, g, m_b, v_b, scratch, 0.9, 0.999, eps_t, 1e-7)
    for a, b in ((theta_a, theta_b), (m_a, m_b), (v_a, v_b)):
        np.testing.assert_array_equal(a, b)
