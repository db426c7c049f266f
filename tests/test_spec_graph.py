"""The model description as a graph: wiring, the new layer types, and every validation error."""

import pytest

from ann.spec import INPUT, LayerSpec, ModelSpec, input_shapes, lenet5_spec, output_shapes
from ann.spec_models import resnet_spec


def conv(f, name=None, inputs=None, **kw):
    return LayerSpec("Conv2D", {"filters": f, "kernel_size": 3, "padding": "same", **kw},
                     name=name, inputs=inputs)


def residual(c_add=2):
    """input → c1 → c2, Add(c1, c2) → GAP → Dense."""
    return (conv(2, "c1"), conv(c_add, "c2"), LayerSpec("Add", inputs=("c1", "c2")),
            LayerSpec("GlobalAveragePooling2D"), LayerSpec("Dense", {"units": 3}))


def test_residual_wiring_and_shapes():
    spec = ModelSpec((6, 6, 1), residual())
    assert spec.sources == ((-1,), (0,), (0, 1), (2,), (3,))
    assert not spec.is_chain
    assert output_shapes(spec) == [(6, 6, 2)] * 3 + [(2,), (3,)]
    assert input_shapes(spec)[2] == [(6, 6, 2), (6, 6, 2)]
    assert input_shapes(spec)[0] == (6, 6, 1)


def test_chains_unchanged():
    spec = lenet5_spec()
    assert spec.is_chain and spec.sources[0] == (-1,) and spec.sources[3] == (2,)
    assert "name" not in spec.to_dict()["layers"][0]  # old JSON and .npz metadata unchanged
    assert "inputs" not in spec.to_dict()["layers"][0]
    explicit = ModelSpec((4,), (LayerSpec("Dense", {"units": 2}, name="a", inputs=(INPUT,)),
                                LayerSpec("Dense", {"units": 2}, inputs="a")))
    assert explicit.is_chain and explicit.layers[1].inputs == ("a",)


def test_graph_json_round_trip():
    spec = ModelSpec((6, 5, 2), (
        LayerSpec("DepthwiseConv2D", {"kernel_size": (3, 2), "strides": (2, 1),
                                      "padding": "same", "depth_multiplier": 2}, name="dw"),
        LayerSpec("SeparableConv2D", {"filters": 3, "kernel_size": 1}, name="sep",
                  inputs=(INPUT,)),
        LayerSpec("MaxPool2D", {"pool_size": (2, 1)}, name="mp"),
        LayerSpec("Concatenate", inputs=("dw", "mp")),
        LayerSpec("ReLU", {"max_value": 6.0}),
        LayerSpec("Reshape", {"target_shape": [-1, 7]}),
        LayerSpec("Flatten"), LayerSpec("Dense", {"units": 2, "activation": "relu6"})))
    assert output_shapes(spec)[:4] == [(3, 5, 4), (6, 5, 3), (3, 5, 3), (3, 5, 7)]
    assert output_shapes(spec)[5] == (15, 7)
    again = ModelSpec.from_json(spec.to_json())
    assert again == spec and again.sources == spec.sources
    assert again.layers[0]["kernel_size"] == (3, 2) and again.layers[5]["target_shape"] == (-1, 7)


def test_resnet_builds():
    spec = resnet_spec()
    names = [lay.name for lay in spec.layers]
    assert output_shapes(spec)[names.index("s0b1_out")] == (28, 28, 16)
    assert output_shapes(spec)[names.index("s1b0_out")] == (14, 14, 32)
    assert output_shapes(spec)[names.index("s2b1_out")] == (7, 7, 64)
    assert output_shapes(spec)[-1] == (10,)
    assert sum(lay.type == "Add" for lay in spec.layers) == 6
    assert sum(n is not None and n.endswith("_proj_conv") for n in names) == 2
    small = resnet_spec(blocks=1, channels=(4, 8))
    assert [lay.type for lay in small.layers].count("Add") == 2
    with pytest.raises(ValueError, match="blocks must be a positive int"):
        resnet_spec(blocks=0)
    with pytest.raises(ValueError, match="channels"):
        resnet_spec(channels=())


def build(*layers, shape=(6, 6, 1)):
    return ModelSpec(shape, tuple(layers))


@pytest.mark.parametrize("layers, match", [
    ((conv(2, "c1"), conv(2, inputs=("c0",))), r"layer 1 \(Conv2D\): unknown input 'c0'"),
    ((conv(2, "a", inputs=("b",)), conv(2, "b")),
     r"layer 0 \(Conv2D 'a'\): input 'b' is layer 1, declared later \(a cycle"),
    ((conv(2, "a", inputs=("a",)), conv(2)), r"'a'\): input 'a' is its own output \(a cycle"),
    ((conv(2, "a"), conv(2, "a")), r"layer 1 \(Conv2D 'a'\): duplicate name \(also layer 0\)"),
    ((conv(2, "a"), LayerSpec("Add")), r"layer 1 \(Add\): needs at least 2 inputs, got 1"),
    ((conv(2, "a"), LayerSpec("Concatenate", inputs="a")), "needs at least 2 inputs, got 1"),
    ((conv(2, "a"), conv(2, "b", inputs=("a", INPUT))),
     r"layer 1 \(Conv2D 'b'\): takes exactly 1 input, got 2"),
    (residual(c_add=3), r"layer 2 \(Add\): input 'c1' has shape \(6, 6, 2\) but 'c2' has "
                        r"\(6, 6, 3\); Add needs equal shapes"),
    ((conv(2, "a"), LayerSpec("MaxPool2D", name="p"), LayerSpec("Concatenate", inputs=("a", "p"))),
     r"input 'a' has shape \(6, 6, 2\) but 'p' has \(3, 3, 2\); Concatenate needs equal"),
    ((conv(2, "a"), conv(2, "b", inputs=(INPUT,)), conv(2)),
     r"layer 0 \(Conv2D 'a'\): output is not used by any layer"),
    ((LayerSpec("Reshape", {"target_shape": (5, -1)}),), r"cannot reshape \(6, 6, 1\)"),
    ((LayerSpec("GlobalAveragePooling2D"), LayerSpec("GlobalAveragePooling2D")),
     r"layer 1 \(GlobalAveragePooling2D\) needs \(H, W, C\) input, got shape \(1,\)"),
    ((LayerSpec("DepthwiseConv2D", {"kernel_size": (7, 1)}),), "output would be 0×6"),
    ((conv(2, "a"), LayerSpec("GlobalAveragePooling2D", name="g"), conv(2, inputs="g")),
     r"layer 2 \(Conv2D\) \(input 'g'\) needs \(H, W, C\) input, got shape \(2,\)"),
])
def test_graph_errors_name_the_layer(layers, match):
    with pytest.raises(ValueError, match=match) as e:
        build(*layers)
    assert "\n" not in str(e.value)


def test_add_of_input_and_model_input_named():
    with pytest.raises(ValueError, match="input 'input' has shape"):
        build(conv(3, "a"), LayerSpec("Add", inputs=(INPUT, "a")))
    ok = build(conv(1, "a"), LayerSpec("Add", inputs=(INPUT, "a", "a")))
    assert ok.sources[1] == (-1, 0, 0)


@pytest.mark.parametrize("layer, match", [
    (("ReLU", {"max_value": 0}), "max_value must be a finite number > 0"),
    (("ReLU", {"max_value": float("inf")}), "max_value"),
    (("DepthwiseConv2D", {"kernel_size": 3, "padding": 1}), "padding must be 'valid' or 'same'"),
    (("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 0}), "depth_multiplier"),
    (("SeparableConv2D", {"kernel_size": 3}), "missing parameter 'filters'"),
    (("Conv2D", {"filters": 2, "kernel_size": (3, 0)}), "kernel_size must be a positive int or"),
    (("Conv2D", {"filters": 2, "kernel_size": (3, 3, 3)}), "kernel_size"),
    (("MaxPool2D", {"strides": (2, True)}), "strides"),
    (("Reshape", {"target_shape": (-1, -1)}), "at most one -1"),
    (("Reshape", {"target_shape": (0, 3)}), "target_shape"),
    (("Dense", {"units": 2, "use_bias": 1}), "use_bias must be True or False"),
    (("Add", {"axis": 1}), r"Add: unknown parameter\(s\) axis"),
])
def test_new_layer_parameters_checked(layer, match):
    with pytest.raises(ValueError, match=match):
        LayerSpec(*layer)


@pytest.mark.parametrize("kw, match", [({"name": INPUT}, "name must be a non-empty string"),
                                       ({"name": ""}, "name"),
                                       ({"inputs": ()}, "inputs must be a tuple of layer names"),
                                       ({"inputs": ("a", 3)}, "inputs must be")])
def test_bad_names_and_inputs(kw, match):
    with pytest.raises(ValueError, match=match):
        LayerSpec("Flatten", **kw)


def test_relu6_and_defaults():
    lay = LayerSpec("SeparableConv2D", {"filters": 4, "kernel_size": 3, "activation": "relu6"})
    assert lay.params == {"filters": 4, "kernel_size": 3, "strides": 1, "padding": "valid",
                          "depth_multiplier": 1, "use_bias": True, "activation": "relu6"}
    assert LayerSpec("ReLU")["max_value"] is None
