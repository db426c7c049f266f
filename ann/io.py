"""Saving and loading networks and training checkpoints: a safe, versioned, verified format.

A file is an ``.npz`` (a zip of ``.npy`` arrays) holding

* ``__meta__``: UTF-8 JSON as a ``uint8`` array — ``format`` (``"neurosim-ann"``), ``version``,
  ``kind`` (``"model"`` or ``"checkpoint"``), the :class:`~ann.spec.ModelSpec`, the weights'
  dtype, user ``metadata`` and, for checkpoints, the training position;
* ``__sha256__``: SHA-256 over the JSON and every array (name, dtype, shape, bytes), so a
  truncated or edited file is detected, not silently used;
* ``layer{i}/{name}`` for the weights (the :mod:`ann.spec` layout, ``i`` the layer's position in
  ``spec.layers``), and ``opt/{key}`` for a checkpoint's optimizer state.

Versions: **2** (written now) stores any :class:`~ann.spec.ModelSpec`, a graph included (layer
``name`` and ``inputs`` in the spec's JSON); **1** (before graphs) holds a chain and is still
read, as that chain. A version outside :data:`READABLE_VERSIONS` is refused with one line naming
it (too old or too new).

Everything is read with ``allow_pickle=False``; files are written atomically
(:func:`common.fileio.atomic_write_bytes`), so an interrupted save leaves the previous file
intact.
Every problem with a file is a ``ValueError`` whose message names the file (a missing file is
``FileNotFoundError``).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np

from common.fileio import atomic_write_bytes

from .network import Network
from .spec import ModelSpec

__all__ = ["FORMAT", "VERSION", "READABLE_VERSIONS", "save_model", "load_model",
           "read_model_file", "write_arrays", "read_arrays"]

FORMAT = "neurosim-ann"
VERSION = 2
#: versions this code reads: 1 (chains only) and 2 (graphs)
READABLE_VERSIONS = (1, 2)


def _digest(meta_bytes: bytes, arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256(meta_bytes)
    for k in sorted(arrays):
        a = np.ascontiguousarray(arrays[k])
        h.update(f"{k}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def write_arrays(path, arrays: dict[str, np.ndarray], meta: dict) -> Path:
    """Write ``arrays`` and the JSON ``meta`` (plus format, version and checksum) atomically."""
    meta = {"format": FORMAT, "version": VERSION, **meta}
    meta_bytes = json.dumps(meta, sort_keys=True).encode()
    for k, a in arrays.items():
        if k.startswith("__") or a.dtype == object:
            raise ValueError(f"cannot store array {k!r} of dtype {a.dtype}")
    payload = {"__meta__": np.frombuffer(meta_bytes, np.uint8),
               "__sha256__": np.frombuffer(_digest(meta_bytes, arrays).encode(), np.uint8),
               **arrays}
    buf = io.BytesIO()
    np.savez(buf, **payload)
    return atomic_write_bytes(path, buf.getvalue())


def read_arrays(path, kind: str | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """Read and verify a file written by :func:`write_arrays`; returns ``(arrays, meta)``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError) as e:
        raise ValueError(f"{path}: not a readable neurosim model file (truncated or corrupt: "
                         f"{e})") from None
    if "__meta__" not in data or "__sha256__" not in data:
        raise ValueError(f"{path}: not a neurosim model file (no metadata)")
    meta_bytes = data.pop("__meta__").tobytes()
    stored = data.pop("__sha256__").tobytes().decode("ascii", "replace")
    if _digest(meta_bytes, data) != stored:
        raise ValueError(f"{path}: checksum mismatch; the file was modified or corrupted")
    try:
        meta = json.loads(meta_bytes)
    except (ValueError, UnicodeDecodeError):
        meta = None
    if not isinstance(meta, dict):
        raise ValueError(f"{path}: not a neurosim model file (metadata is not a JSON object)")
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path}: unknown format {meta.get('format')!r}")
    version = meta.get("version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        age = "unknown" if type(version) is not int else \
            "too old" if version < READABLE_VERSIONS[0] else "too new"
        raise ValueError(f"{path}: format version {version!r} is not supported ({age}; this "
                         f"neurosim reads versions {READABLE_VERSIONS[0]} to {VERSION})")
    if kind is not None and meta.get("kind") != kind:
        raise ValueError(f"{path}: holds a {meta.get('kind')!r}, expected a {kind!r}")
    return data, meta


def weights_to_arrays(weights: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {f"layer{i}/{k}": np.asarray(v) for i, w in enumerate(weights) for k, v in w.items()}


def arrays_to_weights(arrays: dict[str, np.ndarray], n_layers: int) -> list[dict[str, np.ndarray]]:
    weights: list[dict[str, np.ndarray]] = [{} for _ in range(n_layers)]
    for key, a in arrays.items():
        if not key.startswith("layer"):
            continue
        i, name = key[5:].split("/", 1)
        if not i.isdigit() or int(i) >= n_layers:
            raise ValueError(f"weight {key!r} does not belong to any of the {n_layers} layers")
        weights[int(i)][name] = a
    return weights


def network_from_arrays(path, arrays, meta) -> Network:
    try:
        spec = ModelSpec.from_dict(meta["spec"])
        dtype = np.dtype(meta.get("dtype", "float32"))
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"{path}: bad model specification: {e}") from None
    if meta.get("version") == 1 and not spec.is_chain:
        raise ValueError(f"{path}: a version 1 file must hold a chain of layers, but its "
                         f"specification is a graph")
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"{path}: weights' dtype {dtype} is not float32 or float64")
    net = Network.from_spec(spec, np.random.default_rng(0), dtype=dtype)
    try:
        net.set_weights(arrays_to_weights(arrays, len(spec.layers)))
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None
    return net


def save_model(path, network: Network, metadata: dict | None = None) -> Path:
    """Save ``network`` (architecture + weights + JSON-serialisable ``metadata``) to ``path``."""
    if not isinstance(network, Network):
        raise TypeError(f"network must be an ann.network.Network, got {type(network).__name__}")
    try:
        json.dumps(metadata)
    except TypeError as e:
        raise TypeError(f"metadata must be JSON-serialisable: {e}") from None
    meta = {"kind": "model", "spec": network.spec.to_dict(), "dtype": network.dtype.name,
            "metadata": metadata or {}}
    return write_arrays(path, weights_to_arrays(network.get_weights()), meta)


def read_model_file(path) -> tuple[Network, dict]:
    """``(network, metadata)`` from a model file (or the network of a checkpoint)."""
    arrays, meta = read_arrays(path)
    if meta.get("kind") not in ("model", "checkpoint"):
        raise ValueError(f"{path}: unknown kind {meta.get('kind')!r}")
    return network_from_arrays(path, arrays, meta), meta.get("metadata", {})


def load_model(path) -> Network:
    """The :class:`~ann.network.Network` saved at ``path`` (verified; see the module docs)."""
    return read_model_file(path)[0]
