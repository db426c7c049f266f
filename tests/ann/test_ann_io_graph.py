"""Model files of format version 2: graphs round-trip bit-identically; version-1 files (chains,
written before graphs) still load; other versions and malformed metadata are refused in one
line."""

import json
from pathlib import Path

import numpy as np
import pytest

from ann.io import READABLE_VERSIONS, VERSION, _digest, load_model, read_model_file, save_model
from ann.network import Network
from ann.spec import INPUT, LayerSpec, ModelSpec, mlp_spec
from ann.spec_models import resnet_spec

#: written by ann.io version 1 (commit 13e8016), float64: Conv2D 2@3x3 (no bias), BatchNorm,
#: ReLU, MaxPool2D, Flatten, Dense 3 softmax; its metadata holds the outputs it gave then
V1_FILE = Path(__file__).parent / "model_files" / "chain_v1.npz"

GRAPH = ModelSpec((6, 6, 2), (
    LayerSpec("DepthwiseConv2D", {"kernel_size": (3, 2), "padding": "same",
                                  "depth_multiplier": 2}, name="dw"),
    LayerSpec("BatchNorm"), LayerSpec("ReLU", {"max_value": 6.0}, name="dw_relu"),
    LayerSpec("SeparableConv2D", {"filters": 3, "kernel_size": 3, "padding": "same"},
              name="sep", inputs=(INPUT,)),
    LayerSpec("Concatenate", inputs=("dw_relu", "sep"), name="cat"),
    LayerSpec("Conv2D", {"filters": 7, "kernel_size": 1, "activation": "relu6"}, name="mix"),
    LayerSpec("Add", inputs=("cat", "mix")), LayerSpec("GlobalAveragePooling2D"),
    LayerSpec("Reshape", {"target_shape": (7, 1)}), LayerSpec("Flatten"),
    LayerSpec("Dense", {"units": 4, "activation": "softmax"})), name="graph")


def perturbed(net, rng):
    """Non-trivial BatchNorm statistics and biases, so the round trip has something to lose."""
    w = net.get_weights()
    for d in w:
        for k, v in d.items():
            if k in ("b", "beta", "running_mean"):
                d[k] = rng.standard_normal(v.shape).astype(v.dtype)
            elif k in ("gamma", "running_var"):
                d[k] = rng.uniform(0.5, 1.5, v.shape).astype(v.dtype)
    net.set_weights(w)
    return net


@pytest.mark.parametrize("spec, shape", [(GRAPH, (6, 6, 2)),
                                         (resnet_spec(blocks=1, channels=(4, 8)), (28, 28, 1))])
def test_graph_round_trip_bit_identical(tmp_path, spec, shape):
    rng = np.random.default_rng(0)
    net = perturbed(Network.from_spec(spec, rng), rng)
    path = save_model(tmp_path / "g.npz", net, metadata={"note": "graph"})
    back, meta = read_model_file(path)
    assert meta == {"note": "graph"}
    assert back.spec == spec and back.spec.sources == spec.sources and back.graph is not None
    x = rng.random((3,) + shape, dtype=np.float32)
    np.testing.assert_array_equal(back.forward(x), net.forward(x))
    for a, b in zip(net.get_weights(), back.get_weights()):
        assert a.keys() == b.keys()
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])
    with np.load(path) as z:
        assert json.loads(z["__meta__"].tobytes())["version"] == VERSION == 2


def test_version_1_file_still_loads_as_a_chain():
    net, meta = read_model_file(V1_FILE)
    assert meta["made_by"].startswith("ann.io version 1")
    assert net.spec.is_chain and net.graph is None and net.dtype == np.float64
    x = np.linspace(0, 1, 72).reshape(2, 6, 6, 1)
    np.testing.assert_allclose(net.forward(x), meta["output"], rtol=1e-12)
    with np.load(V1_FILE) as z:
        assert json.loads(z["__meta__"].tobytes())["version"] == 1


def rewrite_meta(src, dst, edit):
    """Copy ``src`` to ``dst`` with ``edit(meta)`` applied and a valid checksum."""
    with np.load(src) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(arrays["__meta__"].tobytes())
    meta = edit(meta) or meta
    mb = json.dumps(meta).encode()
    body = {k: v for k, v in arrays.items() if not k.startswith("__")}
    arrays["__meta__"] = np.frombuffer(mb, np.uint8)
    arrays["__sha256__"] = np.frombuffer(_digest(mb, body).encode(), np.uint8)
    np.savez(dst, **arrays)
    return dst


@pytest.mark.parametrize("version, match", [
    (0, "format version 0 is not supported \\(too old; this neurosim reads versions 1 to 2\\)"),
    (3, "format version 3 is not supported \\(too new;"),
    ("2", "format version '2' is not supported \\(unknown;"),
    (True, "format version True is not supported"),
    (None, "format version None is not supported")])
def test_other_versions_refused_in_one_line(tmp_path, version, match):
    assert READABLE_VERSIONS == (1, 2)
    net = Network.from_spec(mlp_spec(hidden=(4,)), np.random.default_rng(0))
    path = save_model(tmp_path / "m.npz", net)
    bad = rewrite_meta(path, tmp_path / "bad.npz", lambda m: m.update(version=version))
    with pytest.raises(ValueError, match=match) as e:
        load_model(bad)
    assert "bad.npz" in str(e.value) and "\n" not in str(e.value)


def test_graph_in_a_version_1_file_refused(tmp_path):
    net = Network.from_spec(GRAPH, np.random.default_rng(0))
    path = save_model(tmp_path / "g.npz", net)
    bad = rewrite_meta(path, tmp_path / "g1.npz", lambda m: m.update(version=1))
    with pytest.raises(ValueError, match="g1.npz: a version 1 file must hold a chain"):
        load_model(bad)


@pytest.mark.parametrize("edit, match", [
    (lambda m: [1, 2], "metadata is not a JSON object"),
    (lambda m: m.update(dtype="float16"), "weights' dtype float16 is not float32 or float64"),
    (lambda m: m["spec"]["layers"][4].update(inputs=["dw_relu", "nowhere"]),
     r"bad model specification: layer 4 \(Concatenate 'cat'\): unknown input 'nowhere'"),
])
def test_bad_metadata_refused(tmp_path, edit, match):
    net = Network.from_spec(GRAPH, np.random.default_rng(0))
    path = save_model(tmp_path / "g.npz", net)
    with pytest.raises(ValueError, match=match):
        load_model(rewrite_meta(path, tmp_path / "bad.npz", edit))


def test_loads_without_pickle(tmp_path, monkeypatch):
    """Every read goes through ``np.load(..., allow_pickle=False)``."""
    calls = []
    real = np.load

    def spy(*a, **kw):
        calls.append(kw.get("allow_pickle"))
        return real(*a, **kw)

    monkeypatch.setattr(np, "load", spy)
    load_model(save_model(tmp_path / "g.npz", Network.from_spec(GRAPH, np.random.default_rng(0))))
    assert calls == [False]
