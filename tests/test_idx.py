"""IDX parsing: round trips and strict rejection of malformed headers and lengths."""

import struct

import numpy as np
import pytest

from ann.idx import IdxError, encode_idx, parse_idx


@pytest.mark.parametrize("dtype", ["u1", "i1", ">i2", ">i4", ">f4", ">f8", "<i4", "<f8"])
def test_round_trip_any_type(dtype):
    a = (np.arange(24).reshape(2, 3, 4) - 7).astype(dtype) if dtype != "u1" else \
        np.arange(24, dtype="u1").reshape(2, 3, 4)
    b = parse_idx(encode_idx(a))
    assert b.shape == a.shape and b.dtype.isnative
    np.testing.assert_array_equal(b, a)


def test_mnist_like_header_bytes():
    labels = np.array([7, 2, 1], dtype=np.uint8)
    data = encode_idx(labels)
    # magic 0x00000801 (unsigned byte, 1 dim), then the size 3, then the items
    assert data == bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1])


def _images(n=2):
    return encode_idx(np.zeros((n, 28, 28), np.uint8))


@pytest.mark.parametrize("data, match", [
    (b"", "too short"),
    (b"\x00\x00\x08", "too short"),
    (b"\x01\x00\x08\x01" + struct.pack(">I", 1) + b"\x00", "bad magic"),
    (b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00", "type code 0x07"),
    (b"\x00\x00\x08\x00", "0 dimensions"),
    (b"\x00\x00\x08\x03\x00\x00", "truncated header"),
    (b"\x00\x00\x08\x01" + struct.pack(">I", 0), "zero dimension"),
    (b"\x00\x00\x08\x01" + struct.pack(">I", 3) + b"\x01\x02", "implies 11"),
    (b"\x00\x00\x08\x01" + struct.pack(">I", 3) + b"\x01\x02\x03\x04", "implies 11"),
])
def test_malformed_is_rejected(data, match):
    with pytest.raises(IdxError, match=match):
        parse_idx(data, name="f")


def test_truncated_images_rejected():
    with pytest.raises(IdxError, match="implies"):
        parse_idx(_images()[:-1], name="imgs")


def test_required_dims_and_tail():
    with pytest.raises(IdxError, match="expected 1 dimensions"):
        parse_idx(_images(), ndim=1)
    with pytest.raises(IdxError, match=r"trailing shape \(32, 32\)"):
        parse_idx(_images(), ndim=3, shape_tail=(32, 32))
    assert parse_idx(_images(), ndim=3, shape_tail=(28, 28)).shape == (2, 28, 28)


def test_idx_error_is_value_error_naming_file():
    with pytest.raises(ValueError, match="^myfile: "):
        parse_idx(b"\xff\xff\xff\xff", name="myfile")


def test_encode_rejects_unsupported():
    with pytest.raises(TypeError, match="complex"):
        encode_idx(np.zeros(3, np.complex64))
    with pytest.raises(ValueError, match="dimensions"):
        encode_idx(np.uint8(3))
