"""Every layer, activation and loss against central differences (float64, rel. error < 1e-6)."""

import numpy as np
import pytest
from ann.gradcheck import numerical_gradient, rel_error
from gradcheck import check_layer

from ann.layers import (Activation, AvgPool2D, BatchNorm, Conv2D, Dense, Dropout, Flatten,
                        MaxPool2D)
from ann.losses import mean_squared_error, softmax_cross_entropy
from ann.network import Network
from ann.spec import cnn_spec, lenet5_spec, mlp_spec

TOL = 1e-6


@pytest.mark.parametrize("name", ["linear", "sigmoid", "tanh", "relu", "softmax"])
def test_activation_gradients(name):
    rng = np.random.default_rng(1)
    check_layer(Activation(name), rng.standard_normal((4, 7)), rng)


@pytest.mark.parametrize("activation", ["linear", "tanh", "relu"])
def test_dense_gradients(activation):
    rng = np.random.default_rng(2)
    layer = Dense(rng.standard_normal((5, 3)), rng.standard_normal(3), activation)
    check_layer(layer, rng.standard_normal((4, 5)), rng)


@pytest.mark.parametrize("stride, padding", [(1, "valid"), (1, "same"), (2, "same"), (2, 1),
                                             (3, "valid")])
def test_conv2d_gradients(stride, padding):
    rng = np.random.default_rng(3)
    layer = Conv2D(rng.standard_normal((3, 3, 2, 4)), rng.standard_normal(4), stride, padding)
    check_layer(layer, rng.standard_normal((2, 7, 6, 2)), rng)


def test_conv2d_relu_without_bias():
    rng = np.random.default_rng(4)
    check_layer(Conv2D(rng.standard_normal((2, 2, 3, 2)), None, 1, "same", "relu"),
                rng.standard_normal((2, 5, 5, 3)), rng)


@pytest.mark.parametrize("cls, k, s", [(MaxPool2D, 2, None), (MaxPool2D, 3, 2),
                                       (MaxPool2D, 2, 2), (AvgPool2D, 2, None),
                                       (AvgPool2D, 3, 1)])
def test_pooling_gradients(cls, k, s):
    rng = np.random.default_rng(5)
    check_layer(cls(k, s), rng.standard_normal((2, 7, 6, 3)), rng)


def test_flatten_gradients():
    rng = np.random.default_rng(6)
    check_layer(Flatten(), rng.standard_normal((2, 3, 4, 2)), rng)


@pytest.mark.parametrize("shape", [(6, 5), (3, 4, 4, 2)])
def test_batchnorm_training_mode_gradients(shape):
    rng = np.random.default_rng(7)
    layer = BatchNorm(shape[-1], dtype=np.float64)
    layer.params["gamma"][...] = rng.standard_normal(shape[-1])
    layer.params["beta"][...] = rng.standard_normal(shape[-1])
    check_layer(layer, rng.standard_normal(shape) * 2 + 1, rng)


def test_dropout_fixed_mask_gradients():
    rng = np.random.default_rng(8)
    layer = Dropout(0.3, rng)
    layer.fixed_mask = rng.random((4, 6)) >= 0.3
    check_layer(layer, rng.standard_normal((4, 6)), rng)


def test_softmax_cross_entropy_gradient_labels_and_probabilities():
    rng = np.random.default_rng(9)
    z = rng.standard_normal((5, 4)) * 3
    for t in (rng.integers(0, 4, 5), rng.dirichlet(np.ones(4), 5)):
        loss, g = softmax_cross_entropy(z, t)
        assert rel_error(g, numerical_gradient(lambda: softmax_cross_entropy(z, t)[0], z)) < TOL


def test_label_smoothed_cross_entropy_gradient():
    """With label smoothing the gradient is still ``softmax(u) − t`` (t the smoothed targets),
    checked against central differences; ``ε_ls = 0`` is the plain loss."""
    rng = np.random.default_rng(11)
    z, labels = rng.standard_normal((5, 4)) * 3, rng.integers(0, 4, 5)
    loss, g = softmax_cross_entropy(z, labels, 0.2)
    assert rel_error(g, numerical_gradient(
        lambda: softmax_cross_entropy(z, labels, 0.2)[0], z)) < TOL
    assert softmax_cross_entropy(z, labels, 0.0)[0] == softmax_cross_entropy(z, labels)[0]
    assert loss > softmax_cross_entropy(z, labels)[0] - 1.0  # a different, finite number
    for bad, message in ((-0.1, r"must be in \[0.0, 1.0\), got -0.1"),
                         (1.0, r"must be in \[0.0, 1.0\), got 1.0"),
                         (float("nan"), "must be a finite number, got nan"),
                         (True, "must be a finite number, got True")):
        with pytest.raises(ValueError, match=f"^label_smoothing {message}$"):
            softmax_cross_entropy(z, labels, bad)


def test_mse_gradient():
    rng = np.random.default_rng(10)
    y, t = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    _, g = mean_squared_error(y, t)
    assert rel_error(g, numerical_gradient(lambda: mean_squared_error(y, t)[0], y)) < TOL


@pytest.mark.parametrize("spec", [mlp_spec(hidden=(6, 5), activation="tanh", dropout=0.0),
                                  mlp_spec(hidden=(6,), batch_norm=True, dropout=0.0),
                                  lenet5_spec(pool="AvgPool2D", activation="tanh"),
                                  cnn_spec(filters=(2,), dense=5, dropout=0.0)],
                         ids=["mlp-tanh", "mlp-bn", "lenet-avg-tanh", "cnn-bn"])
def test_whole_network_gradients(spec):
    """End to end: loss_and_gradients against central differences on every parameter."""
    rng = np.random.default_rng(11)
    net = Network.from_spec(spec, rng, dtype=np.float64)
    x = rng.random((3, 28, 28, 1))
    y = rng.integers(0, 10, 3)
    net.loss_and_gradients(x, y)
    grads = [g.copy() for g in net.gradients()]
    params = net.parameters()
    for p, g in zip(params, grads):
        if p.size > 400:  # sample: perturb a random subset of entries of big arrays
            idx = rng.choice(p.size, 40, replace=False)
            flat = p.reshape(-1)
            num = []
            for i in idx:
                old = flat[i]
                flat[i] = old + 1e-6
                fp = net.loss_and_gradients(x, y)
                flat[i] = old - 1e-6
                fm = net.loss_and_gradients(x, y)
                flat[i] = old
                num.append((fp - fm) / 2e-6)
            assert rel_error(g.reshape(-1)[idx], np.array(num)) < TOL
        else:
            assert rel_error(g, numerical_gradient(lambda: net.loss_and_gradients(x, y), p)) < TOL


def test_cross_entropy_is_stable_for_huge_logits():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]])
    loss, g = softmax_cross_entropy(z, np.array([0, 0]))
    assert np.isfinite(loss) and np.all(np.isfinite(g))
    assert loss == pytest.approx(1e4)  # first sample: 0, second: 2e4 → mean 1e4
    # 0·log 0 = 0: a zero target on a class with vanishing probability adds nothing
    loss2, _ = softmax_cross_entropy(z, np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    assert loss2 == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("cin, stride, padding", [(16, 1, "same"), (16, 1, "valid"), (16, 1, 1),
                                                  (17, 1, 3), (32, 2, "same"), (33, 1, 4)])
def test_conv2d_gradients_every_input_gradient_path(cin, stride, padding):
    """Wide inputs take the transposed-convolution path (stride 1) or the strided scatter-add
    (≥ 32 channels); padding wider than the kernel falls back to the scatter-add."""
    rng = np.random.default_rng(12)
    layer = Conv2D(rng.standard_normal((3, 3, cin, 2)), rng.standard_normal(2), stride, padding)
    check_layer(layer, rng.standard_normal((2, 5, 4, cin)), rng)


def test_max_pool_routes_ties_to_the_first_maximum():
    layer = MaxPool2D(2)
    x = np.zeros((1, 2, 4, 1))
    x[0, :, 2:, 0] = [[3.0, 5.0], [5.0, 1.0]]
    y = layer.forward(x, training=True)
    np.testing.assert_array_equal(y[0, :, :, 0], [[0.0, 5.0]])
    dx = layer.backward(np.ones_like(y))[0, :, :, 0]
    np.testing.assert_array_equal(dx, [[1, 0, 0, 1], [0, 0, 0, 0]])


def test_blocked_kernel_gradient_product_equals_plain_product():
    from ann.convolution import cols_t_dot

    rng = np.random.default_rng(13)
    cols, d = rng.standard_normal((10001, 9)), rng.standard_normal((10001, 4))
    np.testing.assert_allclose(cols_t_dot(cols, d, block=512), cols.T @ d, rtol=1e-12)
    np.testing.assert_allclose(cols_t_dot(cols, d), cols.T @ d, rtol=1e-12)
