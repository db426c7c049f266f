"""The NumPy network on graphs: whole-network gradient checks (float64, central differences) of
residual, Concatenate and depthwise-separable graphs, and the chain path kept bit-identical."""

import numpy as np
import pytest
from ann.gradcheck import numerical_gradient, rel_error

from ann.graph import plan_graph
from ann.layers import Activation, ConvPool
from ann.network import Network, fuse_conv_pool
from ann.spec import INPUT, LayerSpec, ModelSpec, cnn_spec, lenet5_spec


def L(t, name=None, inputs=None, **params):
    return LayerSpec(t, params, name=name, inputs=inputs)


def conv(f, k=3, name=None, inputs=None, **kw):
    return L("Conv2D", name, inputs, filters=f, kernel_size=k, padding="same", **kw)


RESIDUAL = ModelSpec((5, 5, 2), (
    conv(3, name="c0", use_bias=False), L("BatchNorm"), L("Activation", "a", activation="relu"),
    conv(3, use_bias=False), L("BatchNorm", "b"),
    L("Add", "sum", inputs=("a", "b")), L("ReLU", max_value=6.0),
    L("GlobalAveragePooling2D"), L("Dense", units=3, activation="softmax")))

CONCAT = ModelSpec((6, 6, 1), (
    conv(2, name="p"),
    conv(3, 1, inputs="p"), L("AvgPool2D", "avg"),
    conv(2, inputs="p", activation="relu"), L("MaxPool2D", "max"),  # runs as a ConvPool
    L("Concatenate", inputs=("avg", "max")),
    L("Flatten"), L("Dense", units=3), L("Activation", activation="softmax")))

SEPARABLE = ModelSpec((6, 5, 2), (
    L("DepthwiseConv2D", kernel_size=(3, 2), padding="same", depth_multiplier=2, use_bias=False),
    L("BatchNorm"), L("Activation", activation="relu6"),
    conv(3, 1, name="pw", use_bias=False),
    L("SeparableConv2D", "sep", inputs=(INPUT,), filters=3, kernel_size=3, strides=(2, 1),
      padding="same", activation="tanh"),
    L("MaxPool2D", "pw_pool", inputs="pw", pool_size=(2, 1)),
    L("Add", inputs=("pw_pool", "sep")),
    L("Reshape", target_shape=(5, 9)), L("Flatten"), L("Dense", units=2)))


def randomized(spec, seed):
    """A float64 network with random biases and BatchNorm parameters (not the init's 0/1)."""
    rng = np.random.default_rng(seed)
    net = Network.from_spec(spec, rng, dtype=np.float64)
    w = net.get_weights()
    for d in w:
        for k in ("b", "gamma", "beta"):
            if k in d:
                d[k] = rng.uniform(0.5, 1.5, d[k].shape) * rng.choice([-1, 1], d[k].shape)
    net.set_weights(w)
    return net


@pytest.mark.parametrize("spec", [RESIDUAL, CONCAT, SEPARABLE], ids=["residual", "concat",
                                                                     "separable"])
def test_whole_graph_gradients(spec):
    """``E = Σ forward(x) ⋆ R`` in training mode: every parameter's gradient against central
    differences (relative error < 1e-6)."""
    net = randomized(spec, 0)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3,) + spec.input_shape)
    R = rng.standard_normal((3,) + spec.shapes[-1])
    net.forward(x, training=True)
    net.backward(R)
    analytic = [g.copy() for g in net.gradients()]
    assert len(analytic) == len(net.parameters()) > 0

    def E():
        return float((net.forward(x, training=True) * R).sum())

    for p, g in zip(net.parameters(), analytic):
        assert g.shape == p.shape
        assert rel_error(g, numerical_gradient(E, p)) < 1e-6


@pytest.mark.parametrize("spec", [RESIDUAL, CONCAT], ids=["fused-softmax", "softmax-layer"])
def test_cross_entropy_gradients_through_the_graph(spec):
    """The fused softmax + cross-entropy path (final Dense softmax, or a final Activation that
    is skipped)."""
    net = randomized(spec, 2)
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((4,) + spec.input_shape), rng.integers(0, 3, 4)
    net.loss_and_gradients(x, y)
    analytic = [g.copy() for g in net.gradients()]
    np.testing.assert_allclose(net.last_output.argmax(-1), net.forward(x, True).argmax(-1))
    for p, g in zip(net.parameters(), analytic):
        assert rel_error(g, numerical_gradient(lambda: net.loss_and_gradients(x, y), p)) < 1e-6


def test_graph_plan_fuses_and_skips_untrained_inputs():
    net = Network.from_spec(CONCAT, np.random.default_rng(0))
    kinds = [type(s).__name__ for s in net.stages]
    assert kinds.count("ConvPool") == 1 and "MaxPool2D" not in kinds
    assert net.graph.sources[kinds.index("Concatenate")] == (2, 3)
    assert net.layers[0].need_dx is False and net.layers[1].need_dx is True
    pool = next(s for s in net.stages if isinstance(s, ConvPool))
    assert pool.conv is net.layers[3]


def test_tensor_feeding_two_layers_sums_gradients():
    """Add(x, x) through one Dense: ∂E/∂W = 2 xᵀ δ."""
    spec = ModelSpec((3,), (L("Dense", "d", units=2), L("Add", inputs=("d", "d")),
                            L("Dense", units=1)))
    net = Network.from_spec(spec, np.random.default_rng(0), dtype=np.float64)
    x = np.random.default_rng(1).standard_normal((4, 3))
    net.forward(x, training=True)
    net.backward(np.ones((4, 1)))
    W2 = net.layers[2].params["W"]
    np.testing.assert_allclose(net.layers[0].grads["W"], 2 * x.T @ np.ones((4, 1)) @ W2.T)


def chain_reference(net, x, y):
    """The chain algorithm as it was before graphs: the fused stages in order, the final
    softmax skipped or not activated, and backward through the stages in reverse."""
    stages = fuse_conv_pool(net.layers)
    h = net.check_input(x)
    for i, layer in enumerate(stages):
        if i == len(stages) - 1:
            skip = isinstance(layer, Activation)
            h = h if skip else layer.forward(h, True, activate=False)
        else:
            h = layer.forward(h, True)
    from ann.losses import softmax_cross_entropy
    loss, d = softmax_cross_entropy(h, y)
    for layer in reversed(stages[:-1] if skip else stages):
        d = layer.backward(d)
        if d is None:
            break
    return h, loss, [g.copy() for g in net.gradients()]


@pytest.mark.parametrize("make", [lenet5_spec, lambda: lenet5_spec(batch_norm=True),
                                  lambda: cnn_spec((4, 8), dense=16, dropout=0.0)])
def test_chain_is_bit_identical(make):
    """A chain runs the pre-graph loop; running it through the graph planner gives the same bits
    (outputs, loss, every gradient), so the chain path cannot drift unnoticed."""
    spec = make()
    assert spec.is_chain
    rng = np.random.default_rng(4)
    x, y = rng.random((8, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, 8)
    runs = []
    for mode in ("chain", "reference", "graph"):
        net = Network.from_spec(spec, np.random.default_rng(0))
        assert net.graph is None
        if mode == "reference":
            runs.append(chain_reference(net, x, y))
            continue
        if mode == "graph":
            net.graph = plan_graph(net.layers, spec.sources)
            net.stages = net.graph.stages
            assert [type(s) for s in net.stages] == [type(s) for s in fuse_conv_pool(net.layers)]
        loss = net.loss_and_gradients(x, y)
        runs.append((net.last_output, loss, [g.copy() for g in net.gradients()]))
        runs[-1] += (net.forward(x),)
    for other in runs[1:]:
        np.testing.assert_array_equal(other[0], runs[0][0])
        assert other[1] == runs[0][1]
        for a, b in zip(other[2], runs[0][2]):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(runs[2][3], runs[0][3])
