"""Layers that do nothing at inference never change whether or how a model converts.

Every supported model form — Keras (MLP with a flat input, MLP with an image input + Flatten,
LeNet-style CNN with max pooling, CNN with average pooling, CNN with BatchNorm) and the
project's own ``ann`` specs — is converted with and without each such layer, appended at the
end and inserted in the middle (where possible between a weight layer and its BatchNorm or
activation), with a softmax and with a linear output; the two conversions must be identical:
same operations, same folded and scaled weights, same λ, same spike counts and ANN outputs.
"""

import numpy as np
import pytest
from conftest import random_network

from ann._tf import keras_module
from ann.keras_models import from_keras
from ann.network import Network
from ann.spec import LayerSpec, ModelSpec, cnn_spec, lenet5_spec, mlp_spec
from bridge.convert import convert
from bridge.network import Synaptic, ann_forward
from bridge.simulate import spike_counts

keras = keras_module()
L = keras.layers


def assert_same_conversion(a, b, x):
    """``a`` and ``b`` are the same spiking network (layer names aside: they count spec layers)."""
    assert a.input_shape == b.input_shape and a.params == b.params
    assert [type(op) for op in a.ops] == [type(op) for op in b.ops]
    for p, q in zip(a.ops, b.ops):
        if isinstance(p, Synaptic):
            assert (p.kind, p.stride, p.padding, p.spiking) == (q.kind, q.stride, q.padding,
                                                                q.spiking)
            np.testing.assert_array_equal(p.W, q.W)
            np.testing.assert_array_equal(p.b, q.b)
        else:
            assert p == q
    assert a.lambdas == b.lambdas
    np.testing.assert_array_equal(ann_forward(a.ops, x), ann_forward(b.ops, x))
    for ca, cb in zip(spike_counts(a, x, 6), spike_counts(b, x, 6), strict=True):
        np.testing.assert_array_equal(ca, cb)


# --- Keras ----------------------------------------------------------------------------------

def _keras_forms(out: str) -> dict:
    """name → (input shape, layer factories, middle index, middle index for flat-only layers)."""
    conv = dict(kernel_size=3)
    return {
        "mlp-flat": ((144,), [lambda: L.Dense(16, activation="relu"),
                              lambda: L.Dense(4, activation=out)], 1, 1),
        "mlp-image": ((12, 12, 1), [L.Flatten, lambda: L.Dense(16, activation="relu"),
                                    lambda: L.Dense(4, activation=out)], 2, 2),
        "lenet-maxpool": ((12, 12, 1), [
            lambda: L.Conv2D(4, padding="same", activation="relu", **conv), L.MaxPooling2D,
            lambda: L.Conv2D(6, activation="relu", **conv), L.MaxPooling2D, L.Flatten,
            lambda: L.Dense(8, activation="relu"), lambda: L.Dense(4, activation=out)], 1, 5),
        "cnn-avgpool": ((12, 12, 1), [
            lambda: L.Conv2D(4, activation="relu", **conv), lambda: L.AveragePooling2D(2),
            L.Flatten, lambda: L.Dense(4, activation=out)], 1, 3),
        "cnn-batchnorm": ((12, 12, 1), [
            lambda: L.Conv2D(4, use_bias=False, **conv), L.BatchNormalization, L.ReLU,
            L.MaxPooling2D, L.Flatten, lambda: L.Dense(8, use_bias=False), L.BatchNormalization,
            lambda: L.Activation("relu"), lambda: L.Dense(4, activation=out)], 1, 6),
    }


#: name → (factory of the layer for the tensor shape where it goes, which shapes it takes)
KERAS_NOOPS = {
    "linear-activation": (lambda shape: L.Activation("linear"), "any"),
    "dropout": (lambda shape: L.Dropout(0.5), "any"),
    "dropout-noise-shape": (lambda shape: L.Dropout(0.5, noise_shape=(None,) + (1,) * len(shape)),
                            "any"),
    "flatten-of-flat": (lambda shape: L.Flatten(), "flat"),
    "reshape-same": (lambda shape: L.Reshape(shape), "any"),
    "identity": (lambda shape: L.Identity(), "any"),
    "gaussian-noise": (lambda shape: L.GaussianNoise(0.3), "any"),
    "gaussian-dropout": (lambda shape: L.GaussianDropout(0.3), "any"),
    "alpha-dropout": (lambda shape: L.AlphaDropout(0.2), "any"),
    "activity-regularization": (lambda shape: L.ActivityRegularization(l1=0.01), "any"),
    "spatial-dropout-2d": (lambda shape: L.SpatialDropout2D(0.3), "image"),
}


def _fill(model, seed=0):
    """Deterministic weights in layer order, whatever weightless layers stand in between."""
    rng = np.random.default_rng(seed)
    for lay in model.layers:
        for v in lay.weights:
            name = v.name.split("/")[-1]
            shape = tuple(v.shape)
            if name == "kernel":
                value = rng.normal(0, 1 / np.sqrt(np.prod(shape[:-1])), shape)
            elif name in ("bias", "beta"):
                value = rng.normal(0, 0.2, shape)
            elif name == "gamma":
                value = rng.uniform(0.5, 1.5, shape)
            elif name == "moving_mean":
                value = rng.normal(0, 0.3, shape)
            elif name == "moving_variance":
                value = rng.uniform(0.5, 2.0, shape)
            else:
                raise AssertionError(f"unexpected weight {v.name}")
            v.assign(value.astype(np.float32))
    return model


def keras_model(form: str, out: str = "softmax", noop: str | None = None, where: str = "end"):
    """A functional Keras model (so its first layer is an InputLayer) of ``form``, with the
    ``noop`` layer at the ``where`` position; deterministic weights."""
    shape, factories, middle, flat_middle = _keras_forms(out)[form]
    pos = len(factories)
    if noop is not None and where == "middle":
        pos = flat_middle if KERAS_NOOPS[noop][1] == "flat" else middle
    inp = keras.Input(shape)
    x = inp
    for k in range(len(factories) + 1):
        if noop is not None and k == pos:
            x = KERAS_NOOPS[noop][0](tuple(x.shape[1:]))(x)
        if k < len(factories):
            x = factories[k]()(x)
    return _fill(keras.Model(inp, x, name=f"{form}_{noop}_{where}"))


def _keras_cases():
    for form, (shape, *_rest) in _keras_forms("softmax").items():
        for noop, (_, takes) in KERAS_NOOPS.items():
            for where, outs in (("end", ("softmax", "linear")), ("middle", ("softmax",))):
                if takes == "image" and (where == "end" or len(shape) == 1 or form == "mlp-image"):
                    continue  # the tensor is flat there
                for out in outs:
                    yield pytest.param(form, noop, where, out, id=f"{form}-{noop}-{where}-{out}")


_reference: dict = {}


def _converted(model, x):
    return convert(from_keras(model), x, norm="p99.9")


@pytest.mark.parametrize("form, noop, where, out", list(_keras_cases()))
def test_keras_noop_layer_changes_nothing(form, noop, where, out):
    shape = _keras_forms(out)[form][0]
    x = np.random.default_rng(1).random((16,) + shape).astype(np.float32)
    if (form, out) not in _reference:
        _reference[form, out] = _converted(keras_model(form, out), x)
    model = keras_model(form, out, noop, where)
    assert any(type(lay).__name__ == "InputLayer" for lay in model.layers)
    assert_same_conversion(_converted(model, x), _reference[form, out], x)


def test_issue_model_dense_then_linear_activation_saved_and_loaded(tmp_path):
    """The model of the report: ``Dense(10)`` + ``Activation('linear')``, through a .keras file."""
    from bridge.evaluate import load_trained

    x = np.random.default_rng(1).random((16, 144)).astype(np.float32)
    plain, with_noops = keras_model("mlp-flat", "linear"), keras_model("mlp-flat", "linear")
    inp = keras.Input((144,))
    h = with_noops.layers[2](L.Identity()(with_noops.layers[1](inp)))
    stacked = keras.Model(inp, L.Activation("linear")(L.Reshape((4,))(h)))
    stacked.save(tmp_path / "m.keras")
    assert_same_conversion(convert(load_trained(tmp_path / "m.keras"), x),
                           convert(from_keras(plain), x), x)


def test_sequential_and_functional_read_the_same():
    x = np.random.default_rng(1).random((16, 144)).astype(np.float32)
    seq = _fill(keras.Sequential([L.InputLayer(shape=(144,)), L.Dense(16, activation="relu"),
                                  L.Dense(4)]))
    assert_same_conversion(_converted(seq, x), _converted(keras_model("mlp-flat", "linear"), x), x)


def test_reshape_to_another_shape_is_a_reshape_and_to_flat_is_a_flatten():
    inp = keras.Input((12, 12, 1))
    other = keras.Model(inp, L.Dense(4)(L.Flatten()(L.Reshape((6, 24, 1))(inp))))
    net = from_keras(other)  # (which checks the outputs against Keras's)
    assert [lay.type for lay in net.spec.layers] == ["Reshape", "Flatten", "Dense"]
    flat = _fill(keras.Model(inp, L.Dense(4)(L.Reshape((144,))(inp))))
    ref = _fill(keras.Model(inp, L.Dense(4)(L.Flatten()(inp))))
    x = np.random.default_rng(1).random((16, 12, 12, 1)).astype(np.float32)
    assert_same_conversion(_converted(flat, x), _converted(ref, x), x)


# --- the project's own specs ------------------------------------------------------------------

ANN_FORMS = {
    "mlp": lambda: mlp_spec(hidden=(16,), dropout=0.0),
    "lenet-maxpool": lambda: lenet5_spec(),
    "lenet-avgpool": lambda: lenet5_spec(pool="AvgPool2D"),
    "lenet-batchnorm": lambda: lenet5_spec(batch_norm=True),
    "cnn-batchnorm": lambda: cnn_spec(filters=(4,), dense=8, dropout=0.0),
}

SPEC_NOOPS = {
    "linear-activation": (LayerSpec("Activation", {"activation": "linear"}), "any"),
    "dropout": (LayerSpec("Dropout", {"rate": 0.7}), "any"),
    "flatten-of-flat": (LayerSpec("Flatten"), "flat"),
}


def _with_output(spec: ModelSpec, out: str) -> ModelSpec:
    last = spec.layers[-1]
    return ModelSpec(spec.input_shape, spec.layers[:-1] + (
        LayerSpec(last.type, {**last.params, "activation": out}),), name=spec.name)


def _insert(net: Network, layer: LayerSpec, pos: int) -> Network:
    spec = net.spec
    layers = spec.layers[:pos] + (layer,) + spec.layers[pos:]
    other = Network.from_spec(ModelSpec(spec.input_shape, layers, spec.name),
                              np.random.default_rng(0))
    weights = net.get_weights()
    other.set_weights(weights[:pos] + [{}] + weights[pos:])
    return other


def _spec_cases():
    for form in ANN_FORMS:
        for noop in SPEC_NOOPS:
            for where, outs in (("end", ("softmax", "linear")), ("middle", ("softmax",))):
                for out in outs:
                    yield pytest.param(form, noop, where, out, id=f"{form}-{noop}-{where}-{out}")


@pytest.mark.parametrize("form, noop, where, out", list(_spec_cases()))
def test_spec_noop_layer_changes_nothing(form, noop, where, out):
    net = random_network(_with_output(ANN_FORMS[form](), out), seed=2)
    layers = net.spec.layers
    layer, takes = SPEC_NOOPS[noop]
    if where == "end":
        pos = len(layers)
    elif takes == "flat":   # right after the first Dense: before its BatchNorm where it has one
        pos = next(i for i, lay in enumerate(layers) if lay.type == "Dense") + 1
    else:                   # right after the first weight layer
        pos = 1 + next(i for i, lay in enumerate(layers) if lay.type in ("Dense", "Conv2D"))
    x = np.random.default_rng(1).random((8, 28, 28, 1)).astype(np.float32)
    assert_same_conversion(convert(_insert(net, layer, pos), x), convert(net, x), x)
