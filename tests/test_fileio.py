"""common.fileio: atomic writes get the mode open() would give (not mkstemp's 0600), keep an
existing file's mode, and leave no temporary file and the old content behind on failure."""

import os
import stat
from types import SimpleNamespace

import numpy as np
import pytest

from common import fileio
from common.fileio import (atomic_path, atomic_write_bytes, current_umask, new_file_mode,
                           sha256_bytes, sha256_file)


@pytest.fixture
def umask():
    """``umask(mask)`` sets the process umask for the test; the old one is restored after."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda mask: os.umask(mask)
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def leftovers(folder, name):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{name}."))


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_file_mode_follows_umask(tmp_path, umask, mask, expected):
    umask(mask)
    assert current_umask() == mask
    atomic_write_bytes(tmp_path / "a.bin", b"x")
    with atomic_path(tmp_path / "b.bin") as tmp:
        tmp.write_bytes(b"y")
    with open(tmp_path / "plain.bin", "w"):
        pass
    assert mode(tmp_path / "a.bin") == mode(tmp_path / "b.bin") == expected
    assert mode(tmp_path / "plain.bin") == expected  # what open() gives, for comparison


def test_umask_fallback_without_proc(tmp_path, umask, monkeypatch):
    umask(0o027)

    def no_proc(*args, **kwargs):
        raise OSError("no /proc here")

    monkeypatch.setattr(fileio, "open", no_proc, raising=False)  # shadows the builtin
    assert current_umask() == 0o027
    assert current_umask() == 0o027  # and it was put back
    monkeypatch.undo()
    assert current_umask() == 0o027


@pytest.mark.parametrize("existing", [0o640, 0o604, 0o755])
def test_existing_file_keeps_its_mode(tmp_path, umask, existing):
    umask(0o022)
    path = tmp_path / "f.json"
    path.write_bytes(b"old")
    path.chmod(existing)
    assert new_file_mode(path) == existing
    atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"new" and mode(path) == existing
    with atomic_path(path) as tmp:
        tmp.write_bytes(b"newer")
    assert path.read_bytes() == b"newer" and mode(path) == existing


def test_failure_in_the_writer_keeps_old_content_and_removes_temp(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"old content")
    with pytest.raises(RuntimeError, match="disk on fire"):
        with atomic_path(path) as tmp:
            tmp.write_bytes(b"half a fi")
            raise RuntimeError("disk on fire")
    assert path.read_bytes() == b"old content"
    assert leftovers(tmp_path, path.name) == []
    with pytest.raises(TypeError):
        atomic_write_bytes(path, "not bytes")
    assert path.read_bytes() == b"old content"
    assert leftovers(tmp_path, path.name) == []


def test_failure_in_the_rename_removes_temp(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()  # os.replace cannot put a file over a folder
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"data")
    assert target.is_dir() and leftovers(tmp_path, "taken") == []


def test_missing_folders_are_created(tmp_path):
    """One rule for every output path: missing parent folders are created."""
    with atomic_path(tmp_path / "no" / "such" / "f.png") as tmp:
        tmp.write_bytes(b"png")
    assert (tmp_path / "no" / "such" / "f.png").read_bytes() == b"png"
    path = atomic_write_bytes(tmp_path / "new" / "dir" / "f.bin", b"abc")
    assert path.read_bytes() == b"abc"


def test_writer_that_replaces_the_temp_file(tmp_path, umask):
    """Writers such as h5py or Keras may delete and re-create the file they are given."""
    umask(0o022)
    path = tmp_path / "x.keras"
    with atomic_path(path, suffix=".keras") as tmp:
        assert tmp.parent == tmp_path and tmp.name.endswith(".keras") and tmp.exists()
        tmp.unlink()
        tmp.write_bytes(b"zip")
    assert path.read_bytes() == b"zip" and mode(path) == 0o644
    assert leftovers(tmp_path, path.name) == []


def test_sha256(tmp_path):
    data = b"neurosim" * 300_000  # more than one 1 MiB chunk
    (tmp_path / "d").write_bytes(data)
    assert sha256_file(tmp_path / "d") == sha256_bytes(data)
    assert sha256_bytes(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


# --- end to end: every writer in the project goes through the helper ------------------------

def test_project_writers_give_0644_under_umask_022(tmp_path, umask):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ann.io import save_model
    from ann.network import Network
    from ann.spec import LayerSpec, ModelSpec
    from bridge.convert import convert
    from bridge.nir_export import write_nir
    from bridge.plot import save_figure
    from neurosim.neuron.cli_plots import plot_fi

    umask(0o022)
    spec = ModelSpec((6, 6, 1), (LayerSpec("Flatten"),
                                 LayerSpec("Dense", {"units": 5, "activation": "relu"}),
                                 LayerSpec("Dense", {"units": 3, "activation": "softmax"})))
    net = Network.from_spec(spec, np.random.default_rng(0))
    images = np.random.default_rng(1).random((16, 6, 6, 1)).astype(np.float32)
    written = [save_model(tmp_path / "m.npz", net)]
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    written.append(save_figure(fig, tmp_path / "f.png"))
    plt.close(fig)
    written.append(write_nir(convert(net, images, reset="zero"), tmp_path / "net.nir"))
    fi = SimpleNamespace(currents=np.linspace(0, 1, 5), rates_hz=np.arange(5.0),
                         current_unit="nA")
    plot_fi(fi, "test", tmp_path / "fi.svg")
    written.append(tmp_path / "fi.svg")
    for p in written:
        assert p.stat().st_size > 0 and mode(p) == 0o644, (p, oct(mode(p)))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)
