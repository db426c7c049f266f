"""Strict reader and writer for the IDX format of the MNIST files.

An IDX file (LeCun et al., http://yann.lecun.com/exdb/mnist/) is a header followed by a
C-ordered, big-endian array::

    bytes 0-1   0x00 0x00                      (always zero)
    byte  2     type code (0x08 = unsigned byte, 0x09 = signed byte, 0x0B = int16,
                0x0C = int32, 0x0D = float32, 0x0E = float64)
    byte  3     number of dimensions n
    bytes 4..   n sizes, each a big-endian uint32
    then        prod(sizes) items of the type

MNIST uses type 0x08 only: images are ``(N, 28, 28)`` and labels ``(N,)`` of ``uint8``.
Parsing is strict: a wrong magic number, a zero dimension, or a file whose length differs
from ``header + prod(sizes) * itemsize`` raises :class:`IdxError` naming the problem (for a
gzip stream, magic bytes ``1f 8b``, it says the data are compressed).
"""

from __future__ import annotations

import struct

import numpy as np

__all__ = ["IdxError", "parse_idx", "encode_idx"]

# IDX type code -> big-endian NumPy dtype
_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dt.newbyteorder("="): code for code, dt in _DTYPES.items()}


class IdxError(ValueError):
    """The bytes are not a well-formed IDX file."""


def parse_idx(data: bytes, *, name: str = "IDX data", ndim: int | None = None,
              shape_tail: tuple[int, ...] | None = None) -> np.ndarray:
    """Parse IDX ``data`` into a native-endian array (a read-only view where possible).

    Parameters
    ----------
    data : bytes
        The whole (un-gzipped) file.
    name : str
        Used in error messages.
    ndim : int, optional
        Required number of dimensions.
    shape_tail : tuple of int, optional
        Required trailing dimensions, e.g. ``(28, 28)`` for MNIST images.

    Returns
    -------
    numpy.ndarray of shape ``sizes`` and the header's dtype.
    """
    if len(data) < 4:
        raise IdxError(f"{name}: {len(data)} bytes is too short for an IDX header")
    zero, code, n = struct.unpack(">HBB", data[:4])
    if data[:2] == b"\x1f\x8b":
        raise IdxError(f"{name}: gzip-compressed data (magic bytes 1f 8b), not a raw IDX file; "
                       "decompress it first")
    if zero != 0:
        raise IdxError(f"{name}: bad magic number 0x{data[:4].hex()} (first two bytes must be 0)")
    if code not in _DTYPES:
        raise IdxError(f"{name}: unknown IDX type code 0x{code:02x}")
    if n == 0:
        raise IdxError(f"{name}: IDX header declares 0 dimensions")
    if ndim is not None and n != ndim:
        raise IdxError(f"{name}: expected {ndim} dimensions, header says {n}")
    header_len = 4 + 4 * n
    if len(data) < header_len:
        raise IdxError(f"{name}: truncated header ({len(data)} bytes, need {header_len})")
    sizes = struct.unpack(f">{n}I", data[4:header_len])
    if 0 in sizes:
        raise IdxError(f"{name}: IDX header has a zero dimension {sizes}")
    if shape_tail is not None and tuple(sizes[n - len(shape_tail):]) != tuple(shape_tail):
        raise IdxError(f"{name}: expected trailing shape {tuple(shape_tail)}, header says {sizes}")
    dtype = _DTYPES[code]
    expected = header_len + int(np.prod(sizes, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        raise IdxError(f"{name}: file is {len(data)} bytes, header {sizes} implies {expected}")
    arr = np.frombuffer(data, dtype=dtype, offset=header_len).reshape(sizes)
    return arr if dtype.itemsize == 1 else arr.astype(dtype.newbyteorder("="))


def encode_idx(array: np.ndarray) -> bytes:
    """Encode ``array`` as IDX bytes; ``parse_idx(encode_idx(a))`` equals ``a``.

    Used to give arrays from other containers (a Keras ``mnist.npz``) the canonical byte form
    whose SHA-256 is published for the original files.
    """
    array = np.asarray(array)
    code = _CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"IDX cannot store dtype {array.dtype}")
    if array.ndim == 0 or array.ndim > 255:
        raise ValueError(f"IDX needs 1 to 255 dimensions, got {array.ndim}")
    header = struct.pack(f">HBB{array.ndim}I", 0, code, array.ndim, *array.shape)
    return header + np.ascontiguousarray(array, dtype=_DTYPES[code]).tobytes()
