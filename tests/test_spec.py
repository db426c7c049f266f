"""The shared model specification: defaults, validation, shapes, JSON round trip."""

import pytest

from ann.spec import (LayerSpec, ModelSpec, cnn_spec, lenet5_spec, mlp_spec, output_shapes,
                      perceptron_spec)


@pytest.mark.parametrize("make", [perceptron_spec, mlp_spec, lenet5_spec, cnn_spec,
                                  lambda: mlp_spec((256, 128), "tanh", 0.0, batch_norm=True),
                                  lambda: lenet5_spec("AvgPool2D", "tanh", 0.5, True)])
def test_json_round_trip(make):
    spec = make()
    again = ModelSpec.from_json(spec.to_json())
    assert again == spec
    assert output_shapes(spec)[-1] == (10,)


def test_lenet_shapes():
    shapes = output_shapes(lenet5_spec())
    assert shapes[:5] == [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16), (400,)]
    assert shapes[5:] == [(120,), (84,), (10,)]


def test_defaults_filled_in():
    lay = LayerSpec("Conv2D", {"filters": 4, "kernel_size": 3})
    assert lay["strides"] == 1 and lay["padding"] == "valid" and lay["activation"] == "linear"


@pytest.mark.parametrize("layer, match", [
    (("LSTM", {}), "unknown layer type 'LSTM'"),
    (("Dense", {}), "missing parameter 'units'"),
    (("Dense", {"units": 0}), "units must be a positive int, got 0"),
    (("Dense", {"units": 3, "activation": "gelu"}), "unknown activation 'gelu'"),
    (("Dense", {"units": 3, "bias": 1}), "unknown parameter.*bias"),
    (("Dropout", {"rate": 1.0}), r"rate must be in \[0, 1\), got 1.0"),
    (("Conv2D", {"filters": 2, "kernel_size": 3, "padding": "full"}), "padding"),
])
def test_bad_layers_named(layer, match):
    with pytest.raises(ValueError, match=match):
        LayerSpec(*layer)


def test_shapes_that_do_not_fit():
    with pytest.raises(ValueError, match="layer 0 \\(Dense\\) needs a flat input"):
        ModelSpec((28, 28, 1), (LayerSpec("Dense", {"units": 3}),))
    with pytest.raises(ValueError, match="too small"):
        ModelSpec((4, 4, 1), (LayerSpec("Conv2D", {"filters": 1, "kernel_size": 5}),))
    with pytest.raises(ValueError, match="not valid JSON"):
        ModelSpec.from_json("{")
