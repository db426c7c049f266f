"""TensorFlow/Keras as the independent reference (float64): the same networks with the same
weights give the same outputs, loss and gradients (``tf.GradientTape``), and each optimizer
follows the Keras optimizer's trajectory. TensorFlow is imported only in this module."""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402  (declared dependencies: a missing one must fail, not skip)
import tensorflow as tf  # noqa: E402

from ann.losses import softmax_cross_entropy  # noqa: E402
from ann.network import Network  # noqa: E402
from ann.optimizers import SGD, Adam, Momentum, RMSProp  # noqa: E402
from ann.spec import LayerSpec, ModelSpec, cnn_spec, lenet5_spec, mlp_spec  # noqa: E402

F64 = "float64"


def keras_model(spec: ModelSpec, logits: bool = False):
    """The Keras twin of ``spec`` (float64), built here so this test depends on nothing else."""
    L = keras.layers
    inp = keras.Input(spec.input_shape, dtype=F64)
    h = inp
    for i, lay in enumerate(spec.layers):
        p = dict(lay.params)
        last = i == len(spec.layers) - 1
        act = p.get("activation")
        if logits and last and act == "softmax":
            act = "linear"
        if lay.type == "Dense":
            layer = L.Dense(p["units"], activation=act, use_bias=p["use_bias"], dtype=F64)
        elif lay.type == "Conv2D":
            layer = L.Conv2D(p["filters"], p["kernel_size"], strides=p["strides"],
                             padding=p["padding"], activation=act, use_bias=p["use_bias"],
                             dtype=F64)
        elif lay.type == "MaxPool2D":
            layer = L.MaxPooling2D(p["pool_size"], p["strides"], dtype=F64)
        elif lay.type == "AvgPool2D":
            layer = L.AveragePooling2D(p["pool_size"], p["strides"], dtype=F64)
        elif lay.type == "Flatten":
            layer = L.Flatten(dtype=F64)
        elif lay.type == "Dropout":
            layer = L.Dropout(p["rate"], dtype=F64)
        elif lay.type == "BatchNorm":
            layer = L.BatchNormalization(momentum=p["momentum"], epsilon=p["eps"], dtype=F64)
        elif lay.type == "Activation":
            layer = L.Activation(act, dtype=F64)
        h = layer(h)
    return keras.Model(inp, h)


def keras_weights(lay_type, w):
    if lay_type in ("Dense", "Conv2D"):
        return [w["W"]] + ([w["b"]] if "b" in w else [])
    if lay_type == "BatchNorm":
        return [w["gamma"], w["beta"], w["running_mean"], w["running_var"]]
    return []


def twin(spec, seed=0):
    rng = np.random.default_rng(seed)
    net = Network.from_spec(spec, rng, dtype=np.float64)
    w = net.get_weights()
    for lay, d in zip(spec.layers, w):  # non-trivial biases and BN statistics
        for k in d:
            if k in ("b", "beta", "running_mean"):
                d[k] = rng.standard_normal(d[k].shape) * 0.1
            elif k in ("gamma", "running_var"):
                d[k] = rng.uniform(0.5, 1.5, d[k].shape)
    net.set_weights(w)
    models = []
    for logits in (False, True):
        m = keras_model(spec, logits)
        for klayer, lay, d in zip(m.layers[1:], spec.layers, w):
            klayer.set_weights(keras_weights(lay.type, d))
        models.append(m)
    return net, models[0], models[1]


SPECS = {
    "mlp-relu-bn": mlp_spec(hidden=(32, 16), batch_norm=True, dropout=0.0),
    "mlp-tanh-sigmoid": ModelSpec((28, 28, 1), (
        LayerSpec("Flatten"), LayerSpec("Dense", {"units": 20, "activation": "tanh"}),
        LayerSpec("Dense", {"units": 12, "activation": "sigmoid"}),
        LayerSpec("Dense", {"units": 10, "activation": "softmax"}))),
    "lenet": lenet5_spec(),
    "lenet-avg-tanh-bn": lenet5_spec(pool="AvgPool2D", activation="tanh", batch_norm=True),
    "cnn-bn": cnn_spec(filters=(4, 6), dense=16, dropout=0.0),
    "cnn-strided": ModelSpec((28, 28, 1), (
        LayerSpec("Conv2D", {"filters": 5, "kernel_size": 4, "strides": 2, "padding": "same",
                             "activation": "relu"}),
        LayerSpec("MaxPool2D", {"pool_size": 3, "strides": 2}),
        LayerSpec("Conv2D", {"filters": 4, "kernel_size": 3, "strides": 2}),
        LayerSpec("Flatten"), LayerSpec("Dense", {"units": 10, "activation": "softmax"}))),
}


@pytest.mark.parametrize("name", list(SPECS))
def test_outputs_loss_and_gradients_match_tensorflow(name):
    spec = SPECS[name]
    net, model, model_logits = twin(spec)
    rng = np.random.default_rng(1)
    x = rng.random((5,) + spec.input_shape)
    y = rng.integers(0, 10, 5)

    # inference: outputs and logits
    np.testing.assert_allclose(net.forward(x), model(x, training=False).numpy(),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(net.logits(x), model_logits(x, training=False).numpy(),
                               rtol=1e-10, atol=1e-12)

    # training mode: loss and every gradient
    loss = net.loss_and_gradients(x, y)
    with tf.GradientTape() as tape:
        z = model_logits(x, training=True)
        tf_loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=z))
    tf_grads = tape.gradient(tf_loss, model_logits.trainable_weights)
    assert loss == pytest.approx(float(tf_loss), rel=1e-10)
    grads = {id(v): g.numpy() for v, g in zip(model_logits.trainable_weights, tf_grads)}
    for klayer, layer in zip(model_logits.layers[1:], net.layers):
        names = {"Dense": ("W", "b"), "Conv2D": ("W", "b"),
                 "BatchNorm": ("gamma", "beta")}.get(layer.type, ())
        for v, k in zip(klayer.trainable_weights, names):
            np.testing.assert_allclose(layer.grads[k], grads[id(v)], rtol=1e-8, atol=1e-12,
                                       err_msg=f"{layer.type}.{k}")
    # BatchNorm running statistics after one training step
    for klayer, layer in zip(model_logits.layers[1:], net.layers):
        if layer.type == "BatchNorm":
            np.testing.assert_allclose(layer.state["running_mean"],
                                       klayer.moving_mean.numpy(), rtol=1e-10)
            np.testing.assert_allclose(layer.state["running_var"],
                                       klayer.moving_variance.numpy(), rtol=1e-10)


def test_cross_entropy_matches_tensorflow_for_soft_targets_and_big_logits():
    rng = np.random.default_rng(2)
    z = rng.standard_normal((6, 4)) * 50
    t = rng.dirichlet(np.ones(4), 6)
    t[0] = [0, 1, 0, 0]
    ours = softmax_cross_entropy(z, t)[0]
    ref = float(tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=t, logits=z)))
    assert ours == pytest.approx(ref, rel=1e-12)


def test_label_smoothing_matches_keras():
    """``softmax_cross_entropy(z, labels, ε_ls)`` is Keras's
    ``CategoricalCrossentropy(label_smoothing=ε_ls)`` on one-hot labels (float64), loss and
    gradient (``tf.GradientTape``)."""
    rng = np.random.default_rng(4)
    z, labels = rng.standard_normal((7, 10)) * 4, rng.integers(0, 10, 7)
    ours, grad = softmax_cross_entropy(z, labels, 0.1)
    zt = tf.Variable(z)
    with tf.GradientTape() as tape:
        ref = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1,
                                                   dtype=F64)(
            tf.one_hot(labels, 10, dtype=F64), zt)
    assert ours == pytest.approx(float(ref), rel=1e-12)
    np.testing.assert_allclose(grad, tape.gradient(ref, zt).numpy(), rtol=1e-10, atol=1e-15)


def quad_grads(thetas):
    """Gradient of E = Σ_j Σ_i c_ji (θ_ji − 1)² + sin θ (so steps differ per entry)."""
    return [2 * (th - 1) * np.linspace(0.5, 3, th.size).reshape(th.shape) + np.cos(th)
            for th in thetas]


# Keras keeps the learning rate in a float32 variable and casts Python-float hyper-parameters
# through float32 (``ops.cast(0.9, float64)`` is 0.899999976...). To compare float64 trajectories
# to ~1e-12 every hyper-parameter here is a dyadic number that float32 represents exactly.
B1, B2, EPS = 0.875, 1 - 2**-9, 2**-20
OPTIMIZERS = {
    "sgd": (lambda: SGD(0.125), lambda: keras.optimizers.SGD(0.125)),
    "momentum": (lambda: Momentum(0.0625, 0.75),
                 lambda: keras.optimizers.SGD(0.0625, momentum=0.75)),
    "nesterov": (lambda: Momentum(0.0625, 0.75, nesterov=True),
                 lambda: keras.optimizers.SGD(0.0625, momentum=0.75, nesterov=True)),
    "rmsprop": (lambda: RMSProp(2**-7, 0.875, EPS),
                lambda: keras.optimizers.RMSprop(2**-7, rho=0.875, epsilon=EPS)),
    "rmsprop-big-eps": (lambda: RMSProp(2**-7, 0.875, 2**-3),
                        lambda: keras.optimizers.RMSprop(2**-7, rho=0.875, epsilon=2**-3)),
    "adam": (lambda: Adam(2**-7, B1, B2, EPS),
             lambda: keras.optimizers.Adam(2**-7, beta_1=B1, beta_2=B2, epsilon=EPS)),
    "adam-clip-decay": (lambda: Adam(2**-7, B1, B2, EPS, clip_norm=0.5, weight_decay=0.125),
                        lambda: keras.optimizers.Adam(2**-7, beta_1=B1, beta_2=B2, epsilon=EPS,
                                                      global_clipnorm=0.5, weight_decay=0.125)),
    "momentum-clip": (lambda: Momentum(0.0625, 0.875, clip_norm=1.0),
                      lambda: keras.optimizers.SGD(0.0625, momentum=0.875, global_clipnorm=1.0)),
    "sgd-clipvalue": (lambda: SGD(0.125, clip_value=0.25),
                      lambda: keras.optimizers.SGD(0.125, clipvalue=0.25)),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_trajectory_matches_keras(name):
    ours_f, keras_f = OPTIMIZERS[name]
    init = [np.array([[0.5, -2.0], [3.0, 0.1]]), np.array([1.5, -0.7, 0.2])]
    ours, opt = [a.copy() for a in init], ours_f()
    kvars, kopt = [tf.Variable(a.copy(), dtype=tf.float64) for a in init], keras_f()
    for step in range(8):
        opt.apply(ours, quad_grads(ours))
        g = quad_grads([v.numpy() for v in kvars])
        kopt.apply_gradients([(tf.constant(gi), v) for gi, v in zip(g, kvars)])
        for a, v in zip(ours, kvars):
            np.testing.assert_allclose(a, v.numpy(), rtol=1e-12, atol=1e-14,
                                       err_msg=f"step {step + 1}")
