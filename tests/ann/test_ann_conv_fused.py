"""The fast convolution path against the plain functions.

``Conv2D`` computes with a ones column for the bias and a K-major or row-major im2col matrix;
``Conv2D.forward(x, pool=k)`` (a ``ConvPool`` stage in a network) computes the max pooling after
it as one pooled convolution (``ann.conv_plan``). None of that may change a value: every case
here is compared with ``ann.convolution.conv2d`` → activation → ``ann.pooling.max_pool2d`` and
their backward functions, in float64 on integer-valued data (so that pooling windows hold tied
maxima and the routing of ties is checked too).
"""

import dataclasses
import itertools
import os
import subprocess
import sys

import numpy as np
import pytest
from gradcheck import check_layer

import ann.layers.conv as conv_module
from ann.conv_plan import ConvPlan
from ann.convolution import conv2d, conv2d_backward
from ann.functional import activation_backward, activation_forward
from ann.layers import Conv2D, ConvPool, MaxPool2D
from ann.network import Network, fuse_conv_pool
from ann.optimizers import Adam
from ann.pooling import max_pool2d, max_pool2d_backward
from ann.spec import LayerSpec, ModelSpec, lenet5_spec

CASES = [  # (N, H, W, C_in, kernel, stride, padding, pool)
    (3, 28, 28, 1, 5, 1, "same", 2),      # LeNet's first convolution (K-major)
    (3, 14, 14, 6, 5, 1, "valid", 2),     # LeNet's second (row-major)
    (2, 11, 9, 1, 3, 1, "valid", 2),      # odd output: the last row and column are dropped
    (2, 12, 13, 2, 3, 2, "same", 2),      # stride 2
    (2, 13, 13, 3, 2, 1, 1, 3),           # 3×3 pooling, int padding
    (2, 9, 10, 1, 3, 1, "same", 1),       # no pooling
    (5, 8, 8, 4, 3, 1, (0, 1, 1, 0), 2),  # explicit asymmetric padding, 5 images
]


def reference(x, W, b, stride, padding, pool, activation, dy_seed=0):
    """Output, ``dx``, ``dW``, ``db`` through the plain functions."""
    u = conv2d(x, W, b, stride, padding)
    h = activation_forward(activation, u)
    y = max_pool2d(h, pool) if pool > 1 else h
    dy = np.random.default_rng(dy_seed).integers(-3, 4, y.shape).astype(float)
    dh = max_pool2d_backward(dy, h, y, pool) if pool > 1 else dy
    du = activation_backward(activation, dh, h)
    dx, dW, db = conv2d_backward(du, x, W, stride, padding)
    return y, dy, dx, dW, db


def integer_case(case, seed=0):
    n, h, w, c, k, stride, padding, pool = case
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, (n, h, w, c)).astype(float)
    W = rng.integers(-1, 2, (k, k, c, 4)).astype(float)
    b = rng.integers(-1, 2, 4).astype(float)
    return x, W, b, stride, padding, pool


def fused_layer(W, b, stride, padding, pool, activation, kmajor=None):
    """A ``ConvPool`` stage (or a plain ``Conv2D`` for ``pool = 1``), optionally with the
    orientation of its im2col matrix forced."""
    conv = Conv2D(W.copy(), b.copy(), stride, padding, activation)
    if kmajor is not None:
        plan = conv.plan
        conv.plan = lambda shape, pool=1: dataclasses.replace(plan(shape, pool), kmajor=kmajor)
    return ConvPool(conv, pool) if pool > 1 else conv


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("activation", ["relu", "linear"])
@pytest.mark.parametrize("kmajor", [False, True])
def test_fused_convolution_equals_the_plain_functions(case, activation, kmajor):
    x, W, b, stride, padding, pool = integer_case(case)
    y_ref, dy, dx_ref, dW_ref, db_ref = reference(x, W, b, stride, padding, pool, activation)
    layer = fused_layer(W, b, stride, padding, pool, activation, kmajor)
    y = layer.forward(x, training=True)
    dx = layer.backward(dy)
    np.testing.assert_array_equal(y, y_ref)  # integer data: exact in float64
    np.testing.assert_array_equal(dx, dx_ref)
    np.testing.assert_array_equal(layer.grads["W"], dW_ref)
    np.testing.assert_array_equal(layer.grads["b"], db_ref)
    np.testing.assert_array_equal(layer.forward(x, training=False), y_ref)


def test_orientation_follows_run_length():
    """K-major where an output row is longer than a kernel row of one field (``Wb > kw·C``)."""
    assert ConvPlan.build((64, 28, 28, 1), (5, 5, 1, 6), 1, "same", 2).kmajor
    assert not ConvPlan.build((64, 14, 14, 6), (5, 5, 6, 16), 1, "valid", 2).kmajor
    assert ConvPlan.build((64, 28, 28, 1), (3, 3, 1, 16), 1, "same", 1).kmajor
    assert not ConvPlan.build((64, 28, 28, 16), (3, 3, 16, 16), 1, "same", 1).kmajor


def test_inference_in_slices_equals_one_pass(monkeypatch):
    x, W, b, stride, padding, pool = integer_case((7, 28, 28, 1, 5, 1, "same", 2))
    whole = fused_layer(W, b, stride, padding, pool, "relu").forward(x)
    per_image = ConvPlan.build((1, 28, 28, 1), W.shape, 1, "same", 2).M * 26 * 8
    monkeypatch.setattr(conv_module, "INFERENCE_BYTES", 3 * per_image)  # slices of 3, 3, 1
    np.testing.assert_array_equal(fused_layer(W, b, stride, padding, pool, "relu").forward(x),
                                  whole)


def test_fused_layer_gradients_against_central_differences():
    rng = np.random.default_rng(11)
    conv = Conv2D(rng.standard_normal((3, 3, 2, 3)), rng.standard_normal(3), 1, "same", "relu")
    check_layer(ConvPool(conv, 2), rng.standard_normal((2, 7, 6, 2)), rng)


def test_no_bias_and_pool_larger_than_output():
    x, W, _, stride, padding, pool = integer_case((2, 9, 9, 2, 3, 1, "valid", 2))
    layer = Conv2D(W, None, stride, padding, "relu")
    y = layer.forward(x, training=True, pool=2)
    np.testing.assert_array_equal(y, max_pool2d(np.maximum(conv2d(x, W), 0), 2))
    layer.backward(np.ones_like(y))
    assert set(layer.grads) == {"W"}
    with pytest.raises(ValueError, match=r"convolution output \(7, 7\) is smaller than the pool"):
        layer.forward(x, pool=8)
    with pytest.raises(ValueError, match="pool must be a positive int, got 0"):
        layer.forward(x, pool=0)
    with pytest.raises(ValueError, match="cannot be fused with 'tanh'"):
        Conv2D(W, None, activation="tanh").forward(x, pool=2)


def test_network_fuses_only_what_is_exact():
    lenet = Network.from_spec(lenet5_spec(), np.random.default_rng(0))
    kinds = [type(s).__name__ for s in lenet.stages]
    assert kinds[:2] == ["ConvPool", "ConvPool"] and "MaxPool2D" not in kinds
    assert [s.conv for s in lenet.stages[:2]] == [lenet.layers[0], lenet.layers[2]]
    assert lenet.stages[0].need_dx is False and lenet.stages[1].need_dx is True
    tanh = Network.from_spec(lenet5_spec(activation="tanh"), np.random.default_rng(0))
    assert [type(s).__name__ for s in tanh.stages].count("MaxPool2D") == 2  # not exact for tanh
    overlapping = [Conv2D(np.ones((3, 3, 1, 2))), MaxPool2D(3, 2)]
    assert fuse_conv_pool(overlapping) == overlapping


def test_layers_of_a_fused_network_still_chain_by_hand():
    """The fusion lives in the stages; ``net.layers`` keep their plain meaning."""
    net = Network.from_spec(lenet5_spec(), np.random.default_rng(0), dtype=np.float64)
    x = np.random.default_rng(1).random((3, 28, 28, 1))
    h = x
    for layer in net.layers:
        h = layer.forward(h)
    np.testing.assert_allclose(h, net.forward(x), rtol=1e-12)


def test_fused_network_equals_unfused_network_with_ties():
    """The whole LeNet with and without fusion: outputs, loss and every gradient agree."""
    spec = ModelSpec((12, 12, 1), (
        LayerSpec("Conv2D", {"filters": 3, "kernel_size": 3, "padding": "same",
                             "activation": "relu"}),
        LayerSpec("MaxPool2D"),
        LayerSpec("Conv2D", {"filters": 4, "kernel_size": 3, "activation": "relu"}),
        LayerSpec("MaxPool2D"), LayerSpec("Flatten"),
        LayerSpec("Dense", {"units": 10, "activation": "softmax"})))
    rng = np.random.default_rng(3)
    fused = Network.from_spec(spec, np.random.default_rng(1), dtype=np.float64)
    plain = Network.from_spec(spec, np.random.default_rng(1), dtype=np.float64)
    plain.stages = plain.layers
    for net in (fused, plain):  # small integer weights: many exact ties in the pools
        net.set_weights([{k: np.round(v * 4) for k, v in w.items()} for w in net.get_weights()])
    x = rng.integers(0, 3, (6, 12, 12, 1)).astype(float)
    y = rng.integers(0, 10, 6)
    assert fused.loss_and_gradients(x, y) == pytest.approx(plain.loss_and_gradients(x, y),
                                                           rel=1e-14)
    for g, h in zip(fused.gradients(), plain.gradients()):
        np.testing.assert_allclose(g, h, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fused.forward(x), plain.forward(x), rtol=1e-12)


def test_fused_float32_training_matches_unfused_steps():
    spec = lenet5_spec()
    nets = [Network.from_spec(spec, np.random.default_rng(0)) for _ in range(2)]
    nets[1].stages = nets[1].layers
    rng = np.random.default_rng(5)
    x = rng.random((32, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, 32)
    opts = [Adam(1e-3), Adam(1e-3)]
    for _ in range(3):
        for net, opt in zip(nets, opts):
            net.loss_and_gradients(x, y)
            opt.apply(net.parameters(), net.gradients())
    for a, b in zip(nets[0].parameters(), nets[1].parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.skipif(not __import__("platform").libc_ver()[0] == "glibc",
                    reason="mallopt settings are glibc's")
def test_training_steps_do_not_page_fault_once_freed_memory_is_kept():
    """With glibc's defaults every LeNet step page-faults (~130 faults, ~3 ms, before the
    pooled convolution; still ~18 after); with ``keep_freed_memory`` the steps after the first
    reuse their memory. Measured in a fresh
    interpreter: the fault count is per process, and other tests' threads (TensorFlow's) would
    fault in it too."""
    code = """
import resource, numpy as np
from ann.memory import keep_freed_memory
from ann.network import Network
from ann.optimizers import Adam
from ann.spec import lenet5_spec
assert keep_freed_memory()
net, opt = Network.from_spec(lenet5_spec(), np.random.default_rng(0)), Adam(1e-3)
rng = np.random.default_rng(1)
x, y = rng.random((64, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, 64)
def steps(n):
    for _ in range(n):
        net.loss_and_gradients(x, y)
        opt.apply(net.parameters(), net.gradients())
steps(15)  # the heap grows to its working size (~1000 faults per step at first)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
steps(10)
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert float(out.stdout.split()[-1]) < 10, out.stdout


@pytest.mark.parametrize("channels", [2, 32])  # the sparse product and the strided additions
@pytest.mark.parametrize("k, stride, padding", [(3, 1, "valid"), (6, 2, "valid"), (4, 3, 1)])
def test_col2im_is_the_adjoint_of_im2col(channels, k, stride, padding):
    """``col2im`` against a literal loop over every field entry, and ``⟨im2col x, d⟩ =
    ⟨x, col2im d⟩``."""
    from ann.convolution import col2im, conv_pads, im2col

    rng = np.random.default_rng(7)
    n, h, w = 2, 11, 9
    x = rng.standard_normal((n, h, w, channels))
    cols, (ho, wo) = im2col(x, k, k, stride, padding)
    d = rng.standard_normal(cols.shape)
    t, _, l, _ = conv_pads(h, w, k, k, stride, padding)
    want = np.zeros((n, h + 2 * k, w + 2 * k, channels))  # room for the padding
    fields = d.reshape(n, ho, wo, k, k, channels)
    for i, p, q, al, be in itertools.product(range(n), range(ho), range(wo), range(k), range(k)):
        want[i, k + stride * p + al - t, k + stride * q + be - l] += fields[i, p, q, al, be]
    got = col2im(d, x.shape, k, k, stride, padding)
    np.testing.assert_allclose(got, want[:, k:k + h, k:k + w], rtol=1e-12, atol=1e-12)
    assert float((cols * d).sum()) == pytest.approx(float((x * got).sum()), rel=1e-12)


def test_pooled_kernel_and_its_adjoint():
    """The pooled convolution's kernel holds ``W`` shifted per pooling member; its adjoint
    sums the members' gradients back: ``⟨P(W), D⟩ = ⟨W, Pᵀ(D)⟩``."""
    from ann.conv_plan import pooled_kernel, unpool_kernel

    rng = np.random.default_rng(8)
    W = rng.standard_normal((5, 4, 2, 3))
    P = pooled_kernel(W, 2, 2)  # footprint (2·1 + 5, 2·1 + 4), 4 groups of 3 channels
    assert P.shape == (7, 6, 2, 12)
    np.testing.assert_array_equal(P[2:7, 0:4, :, 6:9], W)   # member (a, b) = (1, 0)
    assert np.count_nonzero(P[0:2, :, :, 6:9]) == 0
    D = rng.standard_normal(P.shape)
    assert float((P * D).sum()) == pytest.approx(float((W * unpool_kernel(D, W.shape, 2, 2)).sum()),
                                                 rel=1e-12)
