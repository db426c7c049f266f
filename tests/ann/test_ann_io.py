"""Save/load: round trip, verification of truncated/tampered files, clear errors."""

import json
import zipfile

import numpy as np
import pytest

from ann.io import load_model, read_model_file, save_model
from ann.network import Network
from ann.spec import cnn_spec, lenet5_spec, mlp_spec


@pytest.mark.parametrize("spec", [mlp_spec(), lenet5_spec(), cnn_spec(filters=(4, 8), dense=16)])
def test_round_trip_same_outputs(tmp_path, spec):
    rng = np.random.default_rng(0)
    net = Network.from_spec(spec, rng)
    for lay in net.layers:  # make BN statistics non-trivial
        if "running_var" in lay.state:
            lay.state["running_var"][...] = rng.random(lay.state["running_var"].shape) + 0.5
    path = save_model(tmp_path / "m.npz", net, metadata={"test_accuracy": 0.5})
    back, meta = read_model_file(path)
    assert meta == {"test_accuracy": 0.5}
    assert back.spec == net.spec
    x = rng.random((3, 28, 28, 1)).astype(np.float32)
    np.testing.assert_array_equal(back.forward(x), net.forward(x))
    for a, b in zip(net.get_weights(), back.get_weights()):
        assert a.keys() == b.keys()
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])


@pytest.fixture
def saved(tmp_path):
    net = Network.from_spec(mlp_spec(hidden=(8,)), np.random.default_rng(0))
    return save_model(tmp_path / "m.npz", net)


def test_truncated_file(saved):
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        load_model(saved)


def test_flipped_byte_in_weights(saved):
    data = bytearray(saved.read_bytes())
    data[len(data) // 3] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=str(saved.name)):
        load_model(saved)


def test_consistently_edited_weights_fail_checksum(saved, tmp_path):
    """Rewrite a weight with a valid zip: only the SHA-256 can tell."""
    with np.load(saved) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["layer1/W"] = arrays["layer1/W"] + 1
    np.savez(tmp_path / "edited.npz", **arrays)
    with pytest.raises(ValueError, match="checksum mismatch"):
        load_model(tmp_path / "edited.npz")


def test_no_pickle_and_unknown_version(saved, tmp_path):
    with np.load(saved) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(arrays["__meta__"].tobytes())
    meta["version"] = 99
    from ann.io import _digest
    mb = json.dumps(meta).encode()
    arrays["__meta__"] = np.frombuffer(mb, np.uint8)
    body = {k: v for k, v in arrays.items() if not k.startswith("__")}
    arrays["__sha256__"] = np.frombuffer(_digest(mb, body).encode(), np.uint8)
    np.savez(tmp_path / "v99.npz", **arrays)
    with pytest.raises(ValueError, match="version 99 is not supported"):
        load_model(tmp_path / "v99.npz")
    np.savez(tmp_path / "pickled.npz", x=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="pickled.npz"):
        load_model(tmp_path / "pickled.npz")


def test_not_a_zip_and_missing(tmp_path):
    (tmp_path / "junk.npz").write_text("hello")
    with pytest.raises(ValueError, match="junk.npz"):
        load_model(tmp_path / "junk.npz")
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        load_model(tmp_path / "nope.npz")


def test_failed_save_keeps_old_file(saved):
    before = saved.read_bytes()
    net = Network.from_spec(mlp_spec(hidden=(8,)), np.random.default_rng(1))
    with pytest.raises(TypeError, match="JSON"):
        save_model(saved, net, metadata={"bad": object()})
    assert saved.read_bytes() == before
    assert zipfile.is_zipfile(saved)


def test_set_weights_names_the_layer():
    net = Network.from_spec(mlp_spec(hidden=(8,)), np.random.default_rng(0))
    w = net.get_weights()
    w[1]["W"] = np.zeros((3, 3))
    with pytest.raises(ValueError, match=r"layer 1 \(Dense\): W has shape \(3, 3\)"):
        net.set_weights(w)
    w = net.get_weights()
    w[3]["b"] = np.full(10, np.nan)
    with pytest.raises(ValueError, match=r"layer 3 \(Dense\): b holds non-finite"):
        net.set_weights(w)
    with pytest.raises(ValueError, match="expected weights for 4 layers, got 2"):
        net.set_weights(w[:2])
