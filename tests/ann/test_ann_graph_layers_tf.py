"""TensorFlow/Keras (float64) as the independent reference for the graph layers and non-square
convolution and pooling: the same weights give the same outputs and the same gradients of
``E = Σ y ⋆ R`` (``tf.GradientTape``) with respect to every input and weight.

TensorFlow's depthwise kernel refuses unequal strides, so those cases are checked against one
``tf.nn.conv2d`` per input channel (output channel ``c·M + m`` as Keras orders it)."""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402  (declared dependencies: a missing one must fail, not skip)
import tensorflow as tf  # noqa: E402

from ann.layers import (Activation, Add, AvgPool2D, Concatenate, Conv2D, ConvPool,  # noqa: E402
                        DepthwiseConv2D, GlobalAveragePooling2D, MaxPool2D, ReLU, Reshape,
                        SeparableConv2D)

F64 = "float64"
L = keras.layers


def ours(layer, xs, R):
    """``(y, [∂E/∂x_i], {name: ∂E/∂θ})`` of our layer."""
    multi = layer.n_inputs is None
    y = layer.forward([x.copy() for x in xs] if multi else xs[0].copy(), training=True)
    dx = layer.backward(R)
    return y, (dx if multi else [dx]), dict(layer.grads)


def reference(fn, xs, weights, R):
    """``(y, [∂E/∂x_i], [∂E/∂w_j])`` of ``y = fn(xs)`` by ``tf.GradientTape``."""
    xs = [tf.constant(x) for x in xs]
    with tf.GradientTape() as tape:
        tape.watch(xs)
        y = fn(xs)
        E = tf.reduce_sum(y * R)
    g = tape.gradient(E, xs + list(weights))
    return y.numpy(), [a.numpy() for a in g[:len(xs)]], [a.numpy() for a in g[len(xs):]]


def compare(layer, xs, fn, weights, names, seed=0):
    """Our layer against ``fn`` on inputs ``xs``; ``weights[j]`` is the TF variable of our
    parameter ``names[j]``."""
    y0 = fn([tf.constant(x) for x in xs])
    R = np.random.default_rng(seed).standard_normal(y0.shape)
    y, dxs, grads = ours(layer, xs, R)
    ty, tdxs, tgrads = reference(fn, xs, weights, R)
    np.testing.assert_allclose(y, ty, rtol=1e-10, atol=1e-12)
    assert len(dxs) == len(tdxs)
    for i, (a, b) in enumerate(zip(dxs, tdxs)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"input {i}")
    assert set(grads) == set(names)
    for k, b in zip(names, tgrads):
        np.testing.assert_allclose(grads[k], b, rtol=1e-10, atol=1e-12, err_msg=k)


def keras_layer(klayer, xs, our_layer, names):
    """Build ``klayer`` on ``xs``, load our weights (in ``names`` order) and return
    ``(fn, variables)``."""
    klayer(xs if len(xs) > 1 else xs[0])
    klayer.set_weights([our_layer.params[k] for k in names])
    return (lambda t: klayer(t if len(t) > 1 else t[0])), klayer.trainable_weights


rng = np.random.default_rng(42)


def x4(*shape):
    return rng.standard_normal(shape)


def test_add_and_concatenate_match_keras():
    xs = [x4(2, 3, 4, 2) for _ in range(3)]
    compare(Add(), xs, lambda t: L.Add(dtype=F64)(t), [], [])
    xs = [x4(2, 3, 4, 2), x4(2, 3, 4, 3), x4(2, 3, 4, 1)]
    compare(Concatenate(), xs, lambda t: L.Concatenate(dtype=F64)(t), [], [])


@pytest.mark.parametrize("kernel, m, stride, padding, act", [((3, 2), 2, 2, "same", "relu"),
                                                             ((2, 3), 1, 1, "valid", None)])
def test_depthwise_matches_keras(kernel, m, stride, padding, act):
    layer = DepthwiseConv2D(x4(*kernel, 3, m), x4(3 * m), stride, padding, act or "linear")
    xs = [x4(2, 7, 6, 3)]
    fn, w = keras_layer(L.DepthwiseConv2D(kernel, strides=stride, padding=padding,
                                          depth_multiplier=m, activation=act, dtype=F64),
                        xs, layer, ["W", "b"])
    compare(layer, xs, fn, w, ["W", "b"])


def test_separable_matches_keras():
    layer = SeparableConv2D(x4(2, 3, 3, 2), x4(1, 1, 6, 4), x4(4), 2, "same", "tanh")
    xs = [x4(2, 7, 6, 3)]
    names = ["W_depthwise", "W_pointwise", "b"]
    fn, w = keras_layer(L.SeparableConv2D(4, (2, 3), strides=2, padding="same",
                                          depth_multiplier=2, activation="tanh", dtype=F64),
                        xs, layer, names)
    compare(layer, xs, fn, w, names)


def tf_depthwise(x, W, stride, padding):
    """Depthwise convolution as one ``tf.nn.conv2d`` per input channel (any strides)."""
    return tf.concat([tf.nn.conv2d(x[..., c:c + 1], W[:, :, c:c + 1, :], stride,
                                   padding.upper()) for c in range(W.shape[2])], axis=-1)


@pytest.mark.parametrize("stride", [(2, 1), (1, 2), (3, 2)])
def test_depthwise_and_separable_unequal_strides_match_tf(stride):
    Wd, b = tf.Variable(x4(3, 2, 2, 2)), tf.Variable(x4(4))
    layer = DepthwiseConv2D(Wd.numpy(), b.numpy(), stride, "same")
    compare(layer, [x4(2, 7, 6, 2)], lambda t: tf_depthwise(t[0], Wd, stride, "same") + b,
            [Wd, b], ["W", "b"])
    P, bp = tf.Variable(x4(1, 1, 4, 3)), tf.Variable(x4(3))
    layer = SeparableConv2D(Wd.numpy(), P.numpy(), bp.numpy(), stride, "valid")
    compare(layer, [x4(2, 7, 6, 2)],
            lambda t: tf.nn.conv2d(tf_depthwise(t[0], Wd, stride, "valid"), P, 1, "VALID") + bp,
            [Wd, P, bp], ["W_depthwise", "W_pointwise", "b"])


def test_global_average_pooling_and_reshape_match_keras():
    compare(GlobalAveragePooling2D(), [x4(2, 3, 5, 4)],
            lambda t: L.GlobalAveragePooling2D(dtype=F64)(t[0]), [], [])
    compare(Reshape((-1, 3)), [x4(2, 4, 3, 2)], lambda t: L.Reshape((-1, 3), dtype=F64)(t[0]),
            [], [])


def test_clipped_relu_matches_tensorflow_including_kinks():
    u = np.array([[-1.0, 0.0, 1e-3, 3.0, 6.0, 5.999, 7.0, 2.5]])
    for layer in (ReLU(6), Activation("relu6")):
        compare(layer, [u], lambda t: tf.nn.relu6(t[0]), [], [])      # 0 at u = 0 and u = 6
        compare(layer, [u], lambda t: L.ReLU(max_value=6.0, dtype=F64)(t[0]), [], [])
    v = 3 * x4(4, 6)
    v = v[np.abs(v - 2.5) > 1e-3]  # Keras's clip_by_value has h'(m) = 1; off the kink we agree
    compare(ReLU(2.5), [v], lambda t: L.ReLU(max_value=2.5, dtype=F64)(t[0]), [], [])
    compare(Activation("relu6"), [2 * v + 3], lambda t: L.Activation("relu6", dtype=F64)(t[0]),
            [], [])


@pytest.mark.parametrize("kernel, stride, padding", [((3, 2), (2, 1), "same"),
                                                     ((2, 3), (1, 2), "valid"),
                                                     ((3, 2), 1, "same")])
def test_conv2d_nonsquare_matches_keras(kernel, stride, padding):
    layer = Conv2D(x4(*kernel, 2, 3), x4(3), stride, padding, "relu")
    xs = [x4(2, 7, 6, 2)]
    fn, w = keras_layer(L.Conv2D(3, kernel, strides=stride, padding=padding, activation="relu",
                                 dtype=F64), xs, layer, ["W", "b"])
    compare(layer, xs, fn, w, ["W", "b"])


def test_fused_conv_pool_nonsquare_and_pooling_match_keras():
    conv = Conv2D(x4(3, 2, 2, 3), x4(3), (1, 2), "same", "relu")
    xs = [x4(2, 8, 9, 2)]
    kc = L.Conv2D(3, (3, 2), strides=(1, 2), padding="same", activation="relu", dtype=F64)
    kc(xs[0])
    kc.set_weights([conv.params["W"], conv.params["b"]])
    kp = L.MaxPooling2D((2, 3), dtype=F64)
    compare(ConvPool(conv, (2, 3)), xs, lambda t: kp(kc(t[0])), kc.trainable_weights, ["W", "b"])
    for ours_, keras_ in [(MaxPool2D((2, 3), (2, 1)), L.MaxPooling2D((2, 3), (2, 1), dtype=F64)),
                          (AvgPool2D((3, 2), (1, 2)), L.AveragePooling2D((3, 2), (1, 2),
                                                                         dtype=F64))]:
        compare(ours_, [x4(2, 7, 8, 2)], lambda t: keras_(t[0]), [], [])
