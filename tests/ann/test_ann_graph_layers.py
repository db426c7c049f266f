"""The graph layers (Add, Concatenate, DepthwiseConv2D, SeparableConv2D, GlobalAveragePooling2D,
Reshape, clipped ReLU) and non-square kernels/strides of Conv2D and pooling: central-difference
gradient checks (float64, rel. error < 1e-6), loop-by-loop forward references, and bad input.
The TensorFlow references are in ``test_ann_graph_layers_tf.py``."""

import numpy as np
import pytest
from gradcheck import check_layer

from ann.convolution import conv2d, depthwise_conv2d
from ann.functional import activation_backward, activation_forward
from ann.layers import (Activation, Add, AvgPool2D, Concatenate, Conv2D, ConvPool,
                        DepthwiseConv2D, GlobalAveragePooling2D, MaxPool2D, ReLU, Reshape,
                        SeparableConv2D)
from ann.network import fuse_conv_pool
from ann.pooling import max_pool2d


def rng_(seed):
    return np.random.default_rng(seed)


# --- gradient checks -------------------------------------------------------------------------

@pytest.mark.parametrize("k", [2, 3])
def test_add_gradients(k):
    r = rng_(1)
    check_layer(Add(), [r.standard_normal((2, 3, 4, 2)) for _ in range(k)], r)


@pytest.mark.parametrize("shapes", [[(2, 3, 4, 2), (2, 3, 4, 3), (2, 3, 4, 1)],
                                    [(3, 5), (3, 2)]])
def test_concatenate_gradients(shapes):
    r = rng_(2)
    layer = Concatenate()
    xs = [r.standard_normal(s) for s in shapes]
    y = layer.forward(xs)
    assert y.shape == shapes[0][:-1] + (sum(s[-1] for s in shapes),)
    np.testing.assert_array_equal(y[..., :shapes[0][-1]], xs[0])
    check_layer(layer, xs, r)


DEPTHWISE = [  # kernel (kh, kw), C, M, stride, padding, bias, activation
    ((3, 2), 2, 1, 1, "valid", True, "linear"),
    ((3, 2), 2, 2, (2, 1), "same", True, "linear"),
    ((2, 3), 3, 2, (1, 2), "same", False, "tanh"),
    ((3, 3), 1, 3, 2, "valid", True, "relu"),
]


@pytest.mark.parametrize("kernel, c, m, stride, padding, bias, act", DEPTHWISE)
def test_depthwise_gradients(kernel, c, m, stride, padding, bias, act):
    r = rng_(3)
    W = r.standard_normal(kernel + (c, m))
    b = r.standard_normal(c * m) if bias else None
    check_layer(DepthwiseConv2D(W, b, stride, padding, act), r.standard_normal((2, 5, 6, c)), r)


@pytest.mark.parametrize("stride, padding, bias, act", [((2, 1), "same", True, "linear"),
                                                        (1, "valid", False, "tanh")])
def test_separable_gradients(stride, padding, bias, act):
    r = rng_(4)
    layer = SeparableConv2D(r.standard_normal((2, 3, 2, 2)), r.standard_normal((1, 1, 4, 3)),
                            r.standard_normal(3) if bias else None, stride, padding, act)
    check_layer(layer, r.standard_normal((2, 5, 6, 2)), r)


def test_global_average_pooling_gradients():
    r = rng_(5)
    layer = GlobalAveragePooling2D()
    x = r.standard_normal((3, 4, 5, 2))
    np.testing.assert_allclose(layer.forward(x), x.mean(axis=(1, 2)))
    assert layer.output_shape((4, 5, 2)) == (2,)
    check_layer(layer, x, r)


@pytest.mark.parametrize("target, out", [((4, -1), (4, 6)), ((-1,), (24,)), ((2, 3, 4), None)])
def test_reshape_gradients(target, out):
    r = rng_(6)
    layer = Reshape(target)
    x = r.standard_normal((2, 3, 4, 2))
    y = layer.forward(x)
    assert y.shape == (2,) + (out or target)
    np.testing.assert_array_equal(y.reshape(-1), x.reshape(-1))  # C order, as Keras
    check_layer(layer, x, r)


@pytest.mark.parametrize("layer", [ReLU(2.5), ReLU(), ReLU(6), Activation("relu6")],
                         ids=["relu-2.5", "relu", "relu-6", "relu6"])
def test_clipped_relu_gradients(layer):
    r = rng_(7)
    check_layer(layer, 4 * r.standard_normal((5, 8)), r)


def test_clipped_relu_values_and_kinks():
    u = np.array([-1.0, 0.0, 1e-9, 3.0, 6.0 - 1e-9, 6.0, 7.5])
    for layer in (ReLU(6.0), Activation("relu6")):
        y = layer.forward(u.copy(), training=True)
        np.testing.assert_array_equal(y, [0, 0, 1e-9, 3, 6 - 1e-9, 6, 6])
        # h' = [0 < u < m]: 0 at both kinks (tf.nn.relu6's convention)
        np.testing.assert_array_equal(layer.backward(np.ones(7)), [0, 0, 1, 1, 1, 0, 0])
    y = ReLU(2.0).forward(np.array([1.0, 2.0, 3.0]), training=True)
    np.testing.assert_array_equal(y, [1, 2, 2])
    # the inplace forward of a fused activation keeps the output dtype
    u32 = np.array([-1, 2, 9], np.float32)
    assert activation_forward("relu6", u32, inplace=True) is u32 and u32.dtype == np.float32
    np.testing.assert_array_equal(activation_backward("relu6", np.ones(3), u32), [0, 1, 0])


CONV_NONSQUARE = [  # kernel (kh, kw), stride, padding
    ((3, 2), (2, 1), "same"),
    ((2, 3), (1, 2), "valid"),
    ((3, 3), (1, 3), 1),
    ((3, 2), 1, "same"),       # non-square kernel on the fast path
    ((2, 3), 2, "valid"),
]


@pytest.mark.parametrize("kernel, stride, padding", CONV_NONSQUARE)
def test_conv2d_nonsquare_gradients(kernel, stride, padding):
    r = rng_(8)
    layer = Conv2D(r.standard_normal(kernel + (2, 3)), r.standard_normal(3), stride, padding)
    check_layer(layer, r.standard_normal((2, 7, 6, 2)), r)


@pytest.mark.parametrize("stride, pool", [((2, 1), 2), (1, (2, 3)), (1, 2), ((1, 2), (3, 1))])
def test_conv_pool_nonsquare_equals_conv_then_pool(stride, pool):
    """A ConvPool stage with a non-square stride or pool (the plain path) equals the two layers
    and passes the gradient check; the square one keeps the fused path."""
    r = rng_(9)
    W, b = r.standard_normal((3, 2, 2, 3)), r.standard_normal(3)
    x = r.standard_normal((2, 9, 8, 2))
    conv, mp = Conv2D(W, b, stride, "same", "relu"), MaxPool2D(pool)
    stages = fuse_conv_pool([conv, mp])
    assert len(stages) == 1 and isinstance(stages[0], ConvPool)
    y = stages[0].forward(x)
    np.testing.assert_allclose(y, mp.forward(conv.forward(x)), rtol=1e-13, atol=1e-13)
    check_layer(stages[0], x, r)
    square = isinstance(conv.stride, int) and isinstance(mp.k, int)
    assert isinstance(conv._kept[0], str) != square  # "plain" iff non-square


@pytest.mark.parametrize("cls, k, s", [(MaxPool2D, (2, 3), None), (MaxPool2D, 2, (2, 1)),
                                       (MaxPool2D, (3, 2), (1, 2)), (AvgPool2D, (2, 3), None),
                                       (AvgPool2D, (3, 1), (1, 2))])
def test_pooling_nonsquare_gradients(cls, k, s):
    r = rng_(10)
    check_layer(cls(k, s), r.standard_normal((2, 7, 6, 2)), r)


def test_square_pairs_are_the_int_cases():
    r = rng_(11)
    W, x = r.standard_normal((3, 3, 2, 2)), r.standard_normal((2, 8, 8, 2))
    a, b = Conv2D(W, None, (2, 2), "same"), Conv2D(W, None, 2, "same")
    assert a.stride == 2
    np.testing.assert_array_equal(a.forward(x), b.forward(x))
    mp = MaxPool2D((2, 2), (2, 2))
    assert (mp.k, mp.s) == (2, 2)
    assert fuse_conv_pool([a, mp])[0].k == 2


# --- forward references by explicit loops ------------------------------------------------------

def test_depthwise_and_conv_forward_equal_loops():
    r = rng_(12)
    x, Wd = r.standard_normal((2, 5, 7, 3)), r.standard_normal((3, 2, 3, 2))
    b = r.standard_normal(6)
    sh, sw = 2, 3
    y = depthwise_conv2d(x, Wd, b, (sh, sw), "valid")
    ho, wo = (5 - 3) // sh + 1, (7 - 2) // sw + 1
    ref = np.zeros((2, ho, wo, 6))
    for i, j, c, m in np.ndindex(ho, wo, 3, 2):
        patch = x[:, sh * i:sh * i + 3, sw * j:sw * j + 2, c]
        ref[:, i, j, c * 2 + m] = (patch * Wd[:, :, c, m]).sum(axis=(1, 2)) + b[c * 2 + m]
    np.testing.assert_allclose(y, ref, rtol=1e-12)
    Wc = r.standard_normal((3, 2, 3, 4))
    yc = conv2d(x, Wc, None, (sh, sw), "valid")
    refc = np.stack([np.stack([np.einsum("nabc,abco->no", x[:, sh * i:sh * i + 3,
                                                               sw * j:sw * j + 2], Wc)
                               for j in range(wo)], 1) for i in range(ho)], 1)
    np.testing.assert_allclose(yc, refc, rtol=1e-12)
    yp = max_pool2d(x, (3, 2), (2, 3))
    np.testing.assert_array_equal(yp[:, 1, 1], x[:, 2:5, 3:5].max(axis=(1, 2)))


def test_separable_is_depthwise_then_pointwise():
    r = rng_(13)
    Wd, P = r.standard_normal((3, 3, 2, 2)), r.standard_normal((1, 1, 4, 5))
    b = r.standard_normal(5)
    x = r.standard_normal((2, 6, 6, 2))
    y = SeparableConv2D(Wd, P, b, 2, "same").forward(x)
    ref = conv2d(DepthwiseConv2D(Wd, None, 2, "same").forward(x), P, b)
    np.testing.assert_allclose(y, ref, rtol=1e-12)
    assert y.shape == (2, 3, 3, 5)


def test_add_returns_separate_gradient_arrays_and_honours_need_dx():
    layer = Add()
    xs = [np.ones((2, 3)), 2 * np.ones((2, 3))]
    np.testing.assert_array_equal(layer.forward(xs), 3 * np.ones((2, 3)))
    np.testing.assert_array_equal(xs[0], 1)  # inputs untouched
    g = layer.backward(np.arange(6.0).reshape(2, 3))
    assert len(g) == 2 and g[0] is not g[1]
    layer.need_dx = False
    assert layer.backward(np.ones((2, 3))) is None
    assert Add.n_inputs is None and Concatenate.n_inputs is None and Reshape.n_inputs == 1


# --- bad input -------------------------------------------------------------------------------

def test_merge_bad_inputs():
    a, b = np.zeros((2, 3, 4, 2)), np.zeros((2, 3, 4, 3))
    with pytest.raises(ValueError, match=r"different shapes \[\(2, 3, 4, 2\), \(2, 3, 4, 3\)\]"):
        Add().forward([a, b])
    with pytest.raises(ValueError, match="at least 2 inputs, got 1"):
        Add().forward([a])
    with pytest.raises(TypeError, match="list of input arrays, got ndarray"):
        Add().forward(a)
    with pytest.raises(TypeError, match="input 1 is a list"):
        Concatenate().forward([a, [1, 2]])
    with pytest.raises(ValueError, match=r"\(2, 3, 5, 2\)\] differ on an axis other than the last"):
        Concatenate().forward([a, np.zeros((2, 3, 5, 2))])
    with pytest.raises(ValueError, match="at least 2 inputs, got 0"):
        Concatenate.output_shape([])


@pytest.mark.parametrize("m, exc", [(0, ValueError), (-1.5, ValueError), (float("nan"), ValueError),
                                    (float("inf"), ValueError), ("6", TypeError),
                                    (True, TypeError)])
def test_bad_max_value(m, exc):
    with pytest.raises(exc, match="max_value must be") as e:
        ReLU(m)
    assert str(e.value).endswith(f"got {m!r}")


@pytest.mark.parametrize("target, exc, msg", [
    ((0, 4), ValueError, r"got \(0, 4\)"), ((-1, -1), ValueError, r"got \(-1, -1\)"),
    ((-2, 3), ValueError, r"got \(-2, 3\)"), ((), ValueError, r"got \(\)"),
    ((2.5, 2), TypeError, r"got \(2.5, 2\)"), ("ab", TypeError, "got 'ab'")])
def test_bad_reshape_target(target, exc, msg):
    with pytest.raises(exc, match=msg):
        Reshape(target)


def test_reshape_size_mismatch_names_both_shapes():
    x = np.zeros((2, 3, 4))
    with pytest.raises(ValueError, match=r"cannot reshape \(3, 4\) \(12 values\) to \(5, 2\)"):
        Reshape((5, 2)).forward(x)
    with pytest.raises(ValueError, match=r"cannot reshape \(3, 4\) \(12 values\) to \(5, -1\)"):
        Reshape((5, -1)).forward(x)


def test_conv_and_pool_bad_arguments():
    W = np.zeros((3, 2, 2, 4))
    with pytest.raises(ValueError, match=r"4-D array \(kh, kw, C, M\), got \(3, 2, 2\)"):
        DepthwiseConv2D(np.zeros((3, 2, 2)))
    with pytest.raises(ValueError, match=r"bias of shape \(4,\) does not fit a kernel "
                                         r"\(3, 2, 2, 4\) \(expected \(8,\)\)"):
        DepthwiseConv2D(W, np.zeros(4))
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same', got 'full'"):
        DepthwiseConv2D(W, padding="full")
    with pytest.raises(ValueError, match=r"strides must be positive, got \(0, 1\)"):
        DepthwiseConv2D(W, stride=(0, 1))
    with pytest.raises(TypeError, match=r"must be an int or a pair of ints, got \(1, 2, 3\)"):
        SeparableConv2D(W, np.zeros((1, 1, 8, 2)), stride=(1, 2, 3))
    with pytest.raises(TypeError, match="got 1.5"):
        Conv2D(W, stride=1.5)
    with pytest.raises(ValueError, match=r"pointwise kernel of shape \(1, 1, 4, 2\) does not fit"):
        SeparableConv2D(W, np.zeros((1, 1, 4, 2)))
    with pytest.raises(ValueError, match=r"bias of shape \(3,\) does not fit 2 filters"):
        SeparableConv2D(W, np.zeros((1, 1, 8, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"expects inputs \(N, H, W, 2\), got \(1, 5, 5, 3\)"):
        DepthwiseConv2D(W).forward(np.zeros((1, 5, 5, 3)))
    with pytest.raises(ValueError, match=r"expects inputs \(N, H, W, 2\), got \(5, 2\)"):
        SeparableConv2D(W, np.zeros((1, 1, 8, 2))).forward(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"input \(1, 2, 5, 2\) is smaller than the kernel"):
        DepthwiseConv2D(W).forward(np.zeros((1, 2, 5, 2)))
    with pytest.raises(ValueError, match=r"expects inputs \(N, H, W, C\), got \(2, 3\)"):
        GlobalAveragePooling2D().forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"pool_size must be positive, got \(2, 0\)"):
        MaxPool2D((2, 0))
    with pytest.raises(TypeError, match="pool_size must be an int or a pair of ints, got '2'"):
        AvgPool2D("2")
    with pytest.raises(ValueError, match=r"\(1, 4, 2, 1\) is smaller than the pool size \(2, 3\)"):
        MaxPool2D((2, 3)).forward(np.zeros((1, 4, 2, 1)))
    with pytest.raises(ValueError, match="unknown activation 'relu7'"):
        DepthwiseConv2D(W, activation="relu7")
