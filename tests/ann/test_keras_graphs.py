"""Keras reading and writing of functional graphs (issue #13): NumPy → Keras → NumPy round trips
of residual, concatenating, depthwise-separable graphs and the ResNet (weights and predictions
bit for bit), Keras's predictions against NumPy's, a functional model built the user's way
(nested blocks, own names, identities), and the one-line refusals naming the layer.

Tiny shapes, no training beyond a few Keras steps; TensorFlow is imported once (the ``keras``
fixture)."""

from __future__ import annotations

import numpy as np
import pytest

from ann.keras_reader import keras_layer_names
from ann.network import Network
from ann.spec import LayerSpec, ModelSpec
from ann.spec_models import resnet_spec
from errors import one_line_error

#: |Keras − NumPy| allowed on float32 outputs (measured on these graphs and the full ResNet:
#: ≤ 1.5e-6 absolute on linear outputs up to 2.6, ≤ 2.4e-7 on softmax outputs)
RTOL, ATOL = 1e-5, 2e-6


@pytest.fixture(scope="module")
def keras():
    from ann._tf import keras_module
    return keras_module()


@pytest.fixture(scope="module")
def km(keras):
    import ann.keras_models as km
    return km


def conv(filters, k, name=None, inputs=None, **p):
    return LayerSpec("Conv2D", {"filters": filters, "kernel_size": k, **p}, name=name,
                     inputs=inputs)


def residual_spec():
    """Conv+BN stem, a residual block (Conv+BN, Add with the stem, ReLU(6)), GAP, Dense."""
    return ModelSpec((8, 8, 2), (
        conv(4, 3, "c0", padding="same", use_bias=False), LayerSpec("BatchNorm", name="bn0"),
        LayerSpec("Activation", {"activation": "relu"}, name="x"),
        conv(4, 3, "c1", padding="same", use_bias=False), LayerSpec("BatchNorm", name="bn1"),
        LayerSpec("Add", inputs=("bn1", "x"), name="sum"),
        LayerSpec("ReLU", {"max_value": 6.0}, name="clip"),
        LayerSpec("GlobalAveragePooling2D", name="gap"),
        LayerSpec("Dense", {"units": 3, "activation": "softmax"}, name="out")), name="residual")


def concat_spec():
    """Two branches from the input (3 and 5 channels; zero padding 1, a non-square kernel),
    Concatenate, non-square max pooling, Dense; unnamed layers get Keras names ``L{i}_…``."""
    return ModelSpec((9, 8, 1), (
        conv(3, 3, "a", inputs="input", padding=1, activation="relu"),
        conv(5, (3, 1), "b", inputs="input", padding="same"),
        LayerSpec("BatchNorm", name="b_bn"),
        LayerSpec("Concatenate", inputs=("a", "b_bn")),
        LayerSpec("MaxPool2D", {"pool_size": (3, 2), "strides": (2, 1)}),
        LayerSpec("Flatten"), LayerSpec("Dense", {"units": 4})), name="concat")


def separable_spec():
    """Depthwise (non-square kernel, multiplier 2, stride 2, relu6) and separable blocks with
    a residual Add, a Reshape, ReLU(6), GAP."""
    return ModelSpec((10, 9, 3), (
        LayerSpec("DepthwiseConv2D", {"kernel_size": (3, 2), "strides": 2, "padding": "same",
                                      "depth_multiplier": 2, "activation": "relu6"}, name="dw"),
        LayerSpec("SeparableConv2D", {"filters": 6, "kernel_size": (1, 3), "padding": "same",
                                      "use_bias": False}, name="sep"),
        LayerSpec("BatchNorm", name="sep_bn"),
        LayerSpec("Add", inputs=("dw", "sep_bn"), name="res"),
        LayerSpec("Reshape", {"target_shape": (-1, 1, 6)}, name="rs"),
        LayerSpec("ReLU", {"max_value": 6}, name="r6"),
        LayerSpec("SeparableConv2D", {"filters": 4, "kernel_size": (2, 1), "depth_multiplier": 2,
                                      "activation": "relu"}, name="sep2"),
        LayerSpec("GlobalAveragePooling2D", name="gap"),
        LayerSpec("Dense", {"units": 3, "activation": "softmax"}, name="out")), name="separable")


def separable_chain_spec():
    """The new layers in a plain chain: built as a Sequential, read back as the same chain."""
    return ModelSpec((9, 9, 2), (
        LayerSpec("DepthwiseConv2D", {"kernel_size": (2, 3), "depth_multiplier": 3}),
        LayerSpec("ReLU", {"max_value": 6.0}),
        LayerSpec("SeparableConv2D", {"filters": 4, "kernel_size": 3, "strides": 2,
                                      "padding": "same", "activation": "relu6"}),
        LayerSpec("Reshape", {"target_shape": (8, 4, 2)}),
        LayerSpec("AvgPool2D", {"pool_size": (1, 2)}), LayerSpec("GlobalAveragePooling2D"),
        LayerSpec("Dense", {"units": 3})), name="sep_chain")


def small_resnet():
    return resnet_spec(blocks=1, channels=(4, 6), input_shape=(12, 12, 1))


def randomized(spec, seed=1) -> Network:
    """A network of ``spec`` with random weights, BatchNorm statistics and biases."""
    rng = np.random.default_rng(seed)
    net = Network.from_spec(spec, rng)
    w = net.get_weights()
    for d in w:
        for k, v in d.items():
            if k in ("gamma", "running_var"):
                d[k] = rng.uniform(0.5, 2, v.shape)
            elif k in ("beta", "running_mean", "b"):
                d[k] = rng.normal(scale=0.5, size=v.shape)
    net.set_weights([{k: np.asarray(v, np.float32) for k, v in d.items()} for d in w])
    return net


def assert_same_graph(back: ModelSpec, spec: ModelSpec) -> None:
    """Same layer types, parameters, wiring and (where the spec has them) names."""
    assert back.input_shape == spec.input_shape
    assert [(s.type, s.params) for s in back.layers] == [(s.type, s.params) for s in spec.layers]
    assert back.sources == spec.sources
    for i, (a, b) in enumerate(zip(back.layers, spec.layers)):
        assert a.name == (b.name or f"L{i:02d}_{b.type.lower()}")


GRAPHS = [residual_spec, concat_spec, separable_spec, small_resnet]


@pytest.mark.parametrize("make", GRAPHS + [separable_chain_spec], ids=lambda f: f.__name__)
def test_numpy_keras_numpy_is_bit_identical(make, keras, km):
    spec = make()
    net = randomized(spec)
    x = np.random.default_rng(2).random((5,) + spec.input_shape, dtype=np.float32)
    y = net.forward(x)
    model = km.to_keras(net)
    assert isinstance(model, keras.Sequential) == spec.is_chain
    np.testing.assert_allclose(np.asarray(model(x, training=False)), y, rtol=RTOL, atol=ATOL)
    back = km.from_keras(model)
    if spec.is_chain:
        assert back.spec == spec  # a chain comes back as the very same spec
    else:
        assert_same_graph(back.spec, spec)
    for a, b in zip(net.get_weights(), back.get_weights(), strict=True):
        assert a.keys() == b.keys()
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])
    np.testing.assert_array_equal(back.forward(x), y)
    np.testing.assert_array_equal(net.forward(x), y)  # the original is untouched


def test_weights_map_exactly_to_keras_variables(keras, km):
    """Depthwise ``[kernel, bias]`` ↔ ``W, b``; separable ``[depthwise_kernel,
    pointwise_kernel, bias]`` ↔ ``W_depthwise, W_pointwise, b``."""
    spec = separable_spec()
    net = randomized(spec)
    model = km.to_keras(net)
    w = net.get_weights()
    dw, sep, sep2 = (model.get_layer(n) for n in ("dw", "sep", "sep2"))
    assert [v.shape for v in dw.get_weights()] == [(3, 2, 3, 2), (6,)]
    for got, want in zip(dw.get_weights(), (w[0]["W"], w[0]["b"])):
        np.testing.assert_array_equal(got, want)
    assert len(sep.get_weights()) == 2  # use_bias=False
    for got, want in zip(sep.get_weights(), (w[1]["W_depthwise"], w[1]["W_pointwise"])):
        np.testing.assert_array_equal(got, want)
    for got, key in zip(sep2.get_weights(), ("W_depthwise", "W_pointwise", "b")):
        np.testing.assert_array_equal(got, w[6][key])
    assert [v.shape for v in sep2.get_weights()] == [(2, 1, 6, 2), (1, 1, 12, 4), (4,)]


def test_resnet_spec_builds_in_keras_and_round_trips(keras, km):
    spec = resnet_spec()
    model = km.build_keras_model(spec, seed=0)
    assert sum(int(np.prod(v.shape)) for v in model.trainable_weights) == 174_970
    assert sorted(lay.name for lay in model.layers[1:]) == sorted(lay.name for lay in spec.layers)
    back, weights = km.spec_from_keras(model)
    assert_same_graph(back, spec)
    net = Network.from_spec(back, np.random.default_rng(0))
    net.set_weights(weights)
    x = np.random.default_rng(3).random((2, 28, 28, 1), dtype=np.float32)
    np.testing.assert_allclose(net.forward(x), np.asarray(model(x, training=False)),
                               rtol=RTOL, atol=ATOL)
    again = km.build_keras_model(back, weights)
    for a, b in zip(km.keras_weights(again), weights, strict=True):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])


def test_seeded_graph_builds_are_reproducible(km):
    a, b = (km.keras_weights(km.build_keras_model(separable_spec(), seed=5)) for _ in range(2))
    for da, db in zip(a, b, strict=True):
        for k in da:
            np.testing.assert_array_equal(da[k], db[k])
    c = km.keras_weights(km.build_keras_model(separable_spec(), seed=6))
    assert not np.array_equal(a[1]["W_pointwise"], c[1]["W_pointwise"])


def test_graph_saved_as_keras_file_loads_with_its_names(tmp_path, km):
    net = randomized(residual_spec())
    path = tmp_path / "residual.keras"
    km.to_keras(net).save(path)
    back = km.load_keras_file(path)
    assert back.layer_names == tuple(lay.name for lay in residual_spec().layers)
    x = np.random.default_rng(4).random((3, 8, 8, 2), dtype=np.float32)
    np.testing.assert_array_equal(back.forward(x), net.forward(x))


# --- a functional model built the user's way --------------------------------------------------

def users_model(keras):
    """Own names, a nested Sequential block, a nested functional block, a Dropout and an
    Identity in a branch, ReLU(6), depthwise and separable branches concatenated, GAP."""
    L = keras.layers
    inp = keras.Input((10, 10, 3), name="pixels")
    stem = L.Conv2D(6, 3, padding="same", activation="relu", name="my_stem")(inp)
    block = keras.Sequential([L.Conv2D(6, 3, padding="same", use_bias=False, name="conv"),
                              L.BatchNormalization(name="bn"), L.ReLU(6.0, name="clip")],
                             name="block")
    side = L.Identity(name="noop")(L.Dropout(0.3, name="drop")(stem))
    s = L.Add(name="sum")([block(stem), side])
    i2 = keras.Input((10, 10, 6))
    inner = keras.Model(i2, L.DepthwiseConv2D((3, 1), depth_multiplier=2, name="dw")(
        L.GaussianNoise(0.1, name="noise")(i2)), name="inner")
    c = L.Concatenate(name="cat")([inner(s), L.SeparableConv2D(5, (3, 1), name="sep")(s)])
    g = L.GlobalAveragePooling2D(name="gap")(L.Activation("relu6", name="act")(c))
    return keras.Model(inp, L.Dense(4, activation="softmax", name="head")(g), name="users")


def test_users_functional_model_reads_correctly(keras, km):
    model = users_model(keras)
    rng = np.random.default_rng(5)
    x, y = rng.random((16, 10, 10, 3), dtype=np.float32), rng.integers(0, 4, 16)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)  # two steps: BatchNorm statistics move
    spec, weights = km.spec_from_keras(model)
    assert [(s.name, s.type, s.inputs) for s in spec.layers] == [
        ("my_stem", "Conv2D", None), ("block.conv", "Conv2D", None),
        ("block.bn", "BatchNorm", None), ("block.clip", "ReLU", None),
        ("drop", "Dropout", ("my_stem",)), ("sum", "Add", ("block.clip", "drop")),
        ("inner.dw", "DepthwiseConv2D", None), ("sep", "SeparableConv2D", ("sum",)),
        ("cat", "Concatenate", ("inner.dw", "sep")), ("act", "Activation", None),
        ("gap", "GlobalAveragePooling2D", None), ("head", "Dense", None)]
    assert spec.layers[6].params["kernel_size"] == (3, 1)
    assert spec.layers[6].params["depth_multiplier"] == 2
    assert np.abs(weights[2]["running_mean"]).max() > 1e-4
    assert keras_layer_names(model) == tuple(s.name for s in spec.layers)
    net = km.from_keras(model)
    np.testing.assert_allclose(net.forward(x), np.asarray(model(x, training=False)),
                               rtol=RTOL, atol=ATOL)


def test_users_model_through_numpy_builds_again_in_keras(keras, km):
    """Keras → NumPy → Keras → NumPy: the names read from nested blocks are valid Keras names,
    and spec, weights and predictions come back bit for bit."""
    spec, weights = km.spec_from_keras(users_model(keras))
    again = km.build_keras_model(spec, weights)
    back, back_weights = km.spec_from_keras(again)
    assert back == spec
    for a, b in zip(weights, back_weights, strict=True):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])


def test_spec_in_another_topological_order_comes_back_reordered(km):
    """A spec listing the second branch first comes back depth-first (the first input's branch
    first): the same layers, weights and predictions, matched by name."""
    spec = ModelSpec((6, 6, 1), (
        conv(2, 3, "b", inputs="input", padding="same"), conv(3, 1, "a", inputs="input"),
        LayerSpec("Concatenate", inputs=("a", "b"), name="cat"), LayerSpec("Flatten", name="f"),
        LayerSpec("Dense", {"units": 2}, name="d")), name="reordered")
    net = randomized(spec)
    back = km.from_keras(km.to_keras(net))
    assert [lay.name for lay in back.spec.layers] == ["a", "b", "cat", "f", "d"]
    assert back.spec.layers[2].inputs == ("a", "b")
    mine = dict(zip((lay.name for lay in spec.layers), net.get_weights()))
    for lay, w in zip(back.spec.layers, back.get_weights()):
        for k in w:
            np.testing.assert_array_equal(w[k], mine[lay.name][k])
    x = np.random.default_rng(9).random((4, 6, 6, 1), dtype=np.float32)
    np.testing.assert_array_equal(back.forward(x), net.forward(x))


def test_clashing_names_are_made_unique(keras, km):
    L = keras.layers
    inp = keras.Input((4,), name="pixels")
    a = L.Dense(3, name="input")(inp)
    model = keras.Model(inp, L.Add(name="s")([a, L.Dense(3, name="input_2")(inp)]))
    spec, _ = km.spec_from_keras(model)
    assert [(s.name, s.inputs) for s in spec.layers] == [
        ("input_3", None), ("input_2", ("input",)), ("s", ("input_3", "input_2"))]


def test_identity_layers_are_rewired_wherever_they_stand(keras, km):
    L = keras.layers
    inp = keras.Input((6,), name="v")
    a = L.Dense(4, name="a")(L.Identity(name="first")(inp))
    b = L.Dense(4, name="b")(L.Reshape((6,), name="same_shape")(inp))
    out = L.Identity(name="last")(L.Add(name="join")([a, L.GaussianDropout(0.2)(b)]))
    spec, _ = km.spec_from_keras(keras.Model(inp, out))
    assert [(s.name, s.inputs) for s in spec.layers] == [
        ("a", None), ("b", ("input",)), ("join", ("a", "b"))]
    x = np.random.default_rng(6).random((3, 6), dtype=np.float32)
    model = keras.Model(inp, out)
    np.testing.assert_allclose(km.from_keras(model).forward(x), np.asarray(model(x)),
                               rtol=RTOL, atol=ATOL)


def test_nested_sequential_in_a_chain_is_flattened(keras, km):
    L = keras.layers
    inner = keras.Sequential([L.Dense(5, activation="relu", name="h")], name="blk")
    model = keras.Sequential([keras.Input((4,)), inner, L.Dense(2, name="o")])
    spec, _ = km.spec_from_keras(model)
    assert spec.is_chain and [s.name for s in spec.layers] == [None, None]
    assert keras_layer_names(model) == ("blk.h", "o")


def test_keras_and_numpy_agree_to_float32_tolerance(keras, km):
    """The tolerance of this module, measured on every graph above."""
    worst = 0.0
    for make in GRAPHS:
        spec = make()
        net = randomized(spec, seed=7)
        x = np.random.default_rng(8).random((8,) + spec.input_shape, dtype=np.float32)
        y = net.forward(x)
        err = np.abs(np.asarray(km.to_keras(net)(x, training=False)) - y)
        worst = max(worst, float(np.max(err - RTOL * np.abs(y))))
    assert worst <= ATOL, worst


# --- refusals ---------------------------------------------------------------------------------



def _graph(keras, make, shape=(8, 8, 2)):
    inp = keras.Input(shape)
    return keras.Model(inp, make(keras.layers, inp))


REFUSED = {
    "shared": (lambda L, x: (lambda d: L.Add()([d(x), d(x)]))(L.Dense(3, name="twice")),
               (6,), ("'twice'", "Dense", "more than once")),
    "concat_axis": (lambda L, x: L.Concatenate(axis=1, name="rows")(
        [L.Conv2D(2, 1)(x), L.Conv2D(2, 1)(x)]), (8, 8, 2), ("'rows'", "Concatenate", "axis=1")),
    "relu_slope": (lambda L, x: L.Add()([L.ReLU(negative_slope=0.2, name="lr")(x), x]),
                   (6,), ("'lr'", "ReLU", "negative_slope")),
    "relu_threshold": (lambda L, x: L.Add()([L.ReLU(threshold=0.5, name="thr")(x), x]),
                       (6,), ("'thr'", "ReLU", "threshold")),
    "maxpool_same": (lambda L, x: L.Concatenate()([L.MaxPooling2D(2, padding="same", name="mp")(x),
                                                   L.AveragePooling2D(2)(x)]),
                     (8, 8, 2), ("'mp'", "MaxPooling2D", "padding")),
    "avgpool_same": (lambda L, x: L.Add()([L.AveragePooling2D(2, padding="same", name="ap")(x),
                                           L.MaxPooling2D(2)(x)]),
                     (8, 8, 2), ("'ap'", "AveragePooling2D", "padding")),
    "unsupported": (lambda L, x: L.Multiply(name="prod")([L.Dense(3)(x), L.Dense(3)(x)]),
                    (6,), ("'prod'", "Multiply", "unsupported")),
    "gap_keepdims": (lambda L, x: L.GlobalAveragePooling2D(keepdims=True, name="g")(x),
                     (8, 8, 2), ("'g'", "keepdims")),
    "shared_pad": (lambda L, x: (lambda p: L.Add()([L.Conv2D(2, 3, name="c1")(p),
                                                    L.Conv2D(2, 3, name="c2")(p)]))(
        L.ZeroPadding2D(1, name="pad")(x)), (8, 8, 2), ("'pad'", "ZeroPadding2D")),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_refusals_name_the_layer(case, keras, km):
    make, shape, names = REFUSED[case]
    model = _graph(keras, make, shape)
    one_line_error(lambda: km.spec_from_keras(model), *names)


def test_nested_model_called_twice_is_refused(keras, km):
    L = keras.layers
    block = keras.Sequential([L.Dense(3, name="d")], name="blockx")
    inp = keras.Input((3,))
    model = keras.Model(inp, L.Add()([block(inp), block(inp)]))
    one_line_error(lambda: km.spec_from_keras(model), "'blockx'", "more than once")


def test_multi_input_and_multi_output_are_refused(keras, km):
    L = keras.layers
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    two_in = keras.Model([a, b], L.Add(name="s")([a, b]), name="two_in")
    one_line_error(lambda: km.spec_from_keras(two_in), "'two_in'", "2 inputs")
    two_out = keras.Model(a, [L.Dense(2)(a), L.Dense(2)(a)], name="two_out")
    one_line_error(lambda: km.spec_from_keras(two_out), "'two_out'", "2 outputs")
    inner = keras.Model(a, [L.Dense(2)(a), L.Dense(2)(a)], name="forked")
    x = keras.Input((3,))
    outer = keras.Model(x, L.Add()(inner(x)))
    one_line_error(lambda: km.spec_from_keras(outer), "'forked'", "2 outputs")


def test_slash_in_a_name_is_refused_when_writing(km):
    spec = ModelSpec((4,), (LayerSpec("Dense", {"units": 2}, name="a/b", inputs="input"),
                            LayerSpec("Dense", {"units": 2}, name="c", inputs="input"),
                            LayerSpec("Add", inputs=("a/b", "c"))))
    one_line_error(lambda: km.build_keras_model(spec), "'a/b'", "'/'")


@pytest.mark.parametrize("kind", ["DepthwiseConv2D", "SeparableConv2D"])
def test_unequal_depthwise_strides_are_refused_when_writing(kind, km):
    params = {"kernel_size": 3, "strides": (1, 2), **({"filters": 2} if kind[0] == "S" else {})}
    spec = ModelSpec((8, 8, 2), (LayerSpec(kind, params, name="odd"), LayerSpec("Flatten")))
    one_line_error(lambda: km.build_keras_model(spec), "'odd'", kind, "unequal")
