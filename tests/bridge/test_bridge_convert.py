"""Conversion: folding keeps the ANN's function, normalisation keeps its predictions, and
anything a rate cannot carry is refused with the layer's name."""

import numpy as np
import pytest
from conftest import random_network, small_cnn_spec

from ann.spec import LayerSpec, ModelSpec, lenet5_spec, mlp_spec
from bridge.convert import convert, fold_model, layer_lambdas, parse_norm
from bridge.network import Synaptic, ann_forward


@pytest.mark.parametrize("spec", [small_cnn_spec(), small_cnn_spec("MaxPool2D", batch_norm=True)],
                         ids=["avgpool", "maxpool-bn"])
def test_folded_network_computes_the_same_logits(spec, images):
    net = random_network(spec)
    ops, input_shape = fold_model(net)
    assert input_shape == (12, 12, 1)
    assert not any(type(op).__name__ in ("BatchNorm", "Dropout") for op in ops)
    np.testing.assert_allclose(ann_forward(ops, images), net.logits(images), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("norm", ["max", "p99", "p99.9"])
@pytest.mark.parametrize("per_channel", [False, True])
def test_normalisation_keeps_the_function(norm, per_channel, images):
    """ReLU networks are positively homogeneous: with a potential readout the rescaled network
    has the same logits; with a spike readout they are scaled by 1/λ_L (same argmax)."""
    net = random_network(small_cnn_spec("MaxPool2D", batch_norm=True))
    logits = net.logits(images)
    snn = convert(net, images, norm=norm, per_channel=per_channel, readout="potential")
    np.testing.assert_allclose(ann_forward(snn.ops, images), logits, rtol=1e-4, atol=1e-5)
    snn = convert(net, images, norm=norm, per_channel=per_channel, readout="spikes")
    out = ann_forward(snn.ops, images)
    np.testing.assert_array_equal(out.argmax(1), logits.argmax(1))
    lam_out = np.asarray(snn.lambdas[-1])
    np.testing.assert_allclose(out * lam_out, logits, rtol=1e-4, atol=1e-5)


def test_normalised_activations_hit_the_percentile(images):
    net = random_network(small_cnn_spec())
    snn = convert(net, images, norm="p99", per_channel=False)
    _, acts = ann_forward(snn.ops, images, collect=True)
    for a in acts[:-1]:
        pos = a[a > 0]
        assert abs(np.percentile(pos, 99) - 1.0) < 1e-4
    snn = convert(net, images, norm="max", per_channel=True)
    _, acts = ann_forward(snn.ops, images, collect=True)
    conv = acts[0].reshape(-1, acts[0].shape[-1])
    np.testing.assert_allclose(conv.max(axis=0), 1.0, rtol=1e-5)


def test_lambdas_recorded_and_none_means_one(images):
    net = random_network(small_cnn_spec())
    ops, _ = fold_model(net)
    lam = layer_lambdas(ops, images, 100.0, per_channel=False)
    assert len(lam) == 3 and all(v > 0 for v in lam)
    snn = convert(net, images, norm="none")
    assert snn.lambdas == [1.0, 1.0, 1.0]
    folded = [o for o in ops if isinstance(o, Synaptic)]
    assert all(np.array_equal(a.W, b.W) for a, b in zip(snn.synaptic, folded))


@pytest.mark.parametrize("norm, q", [("max", 100.0), ("p99", 99.0), ("p99.99", 99.99),
                                     ("none", None)])
def test_parse_norm(norm, q):
    assert parse_norm(norm) == q


@pytest.mark.parametrize("bad", ["p", "p101", "median", "99"])
def test_parse_norm_refuses(bad):
    with pytest.raises(ValueError, match=f"unknown norm '{bad}'"):
        parse_norm(bad)


def _spec(*layers, shape=(12, 12, 1)):
    return ModelSpec(shape, tuple(LayerSpec(t, p) for t, p in layers))


@pytest.mark.parametrize("spec, match", [
    (_spec(("Flatten", {}), ("Dense", {"units": 5, "activation": "sigmoid"}),
           ("Dense", {"units": 3, "activation": "softmax"})),
     r"layer 1 \(Dense\): activation 'sigmoid' cannot be carried"),
    (_spec(("Flatten", {}), ("Dense", {"units": 5}), ("Activation", {"activation": "tanh"}),
           ("Dense", {"units": 3, "activation": "softmax"})),
     r"layer 2 \(Activation\): activation 'tanh'"),
    (_spec(("Conv2D", {"filters": 2, "kernel_size": 3, "activation": "relu"}), ("MaxPool2D", {}),
           ("BatchNorm", {}), ("Flatten", {}), ("Dense", {"units": 3, "activation": "softmax"})),
     r"layer 2 \(BatchNorm\): BatchNorm must directly follow"),
    (_spec(("Flatten", {}), ("Dense", {"units": 5}),
           ("Dense", {"units": 3, "activation": "softmax"})),
     r"layer 2 \(Dense\): follows dense_1 which has no ReLU"),
    (_spec(("Conv2D", {"filters": 2, "kernel_size": 3}), ("MaxPool2D", {}), ("Flatten", {}),
           ("Dense", {"units": 3, "activation": "softmax"})),
     r"layer 1 \(MaxPool2D\): follows conv2d_0 which has no ReLU"),
])
def test_unsupported_models_are_refused_by_name(spec, match):
    net = random_network(spec)
    with pytest.raises(ValueError, match=match):
        convert(net, np.zeros((2,) + spec.input_shape, np.float32))


def test_bad_settings_refused(images):
    net = random_network(small_cnn_spec())
    with pytest.raises(ValueError, match="unknown reset 'hard'"):
        convert(net, images, reset="hard")
    with pytest.raises(ValueError, match="unknown readout 'vote'"):
        convert(net, images, readout="vote")
    with pytest.raises(ValueError, match=r"normalisation data of shape \(3, 28, 28, 1\)"):
        convert(net, np.zeros((3, 28, 28, 1)))
    with pytest.raises(TypeError, match="expected an ann Network"):
        convert("model.npz", images)


@pytest.mark.parametrize("make", [mlp_spec, lenet5_spec,
                                  lambda: lenet5_spec(batch_norm=True, dropout=0.5)])
def test_lecture_architectures_convert(make):
    net = random_network(make())
    x = np.random.default_rng(0).random((8, 28, 28, 1)).astype(np.float32)
    snn = convert(net, x)
    np.testing.assert_allclose(ann_forward(snn.ops, x), net.logits(x), rtol=1e-4, atol=1e-4)
