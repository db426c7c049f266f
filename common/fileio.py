"""Atomic file writes with ordinary permissions, and SHA-256 digests.

A file is written atomically: the data go to a temporary file in the target's folder (so the
final rename stays on one file system), are flushed and ``fsync``-ed, and the temporary file is
then ``os.replace``-d over the target. A reader sees the old file or the new one, never half of
one; on any failure the temporary file is removed and the old file is left as it was.

``tempfile.mkstemp`` creates its file with mode 0600 whatever the umask, so before the rename
the temporary file gets the mode a plain ``open(path, "w")`` would give: the target's current
mode when it exists, else ``0o666 & ~umask`` (0644 under umask 022). The umask is read from the
``Umask:`` line of ``/proc/self/status`` (Linux); elsewhere it is read with ``os.umask``, which
briefly sets it to 077 (so a file another thread creates meanwhile is, if anything, stricter).

>>> with atomic_path("fig.png") as tmp:       # doctest: +SKIP
...     fig.savefig(tmp, format="png")       # any writer that needs a file name
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "atomic_write_bytes", "new_file_mode", "current_umask",
           "sha256_bytes", "sha256_file"]


def current_umask() -> int:
    """The process's umask, read without changing it where the OS allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)  # no read-only call exists: set a strict value, then restore
    os.umask(mask)
    return mask


def new_file_mode(path: str | os.PathLike) -> int:
    """The permission bits ``open(path, "w")`` would leave ``path`` with: its current mode
    if it exists, else ``0o666 & ~umask``."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o666 & ~current_umask()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: str | os.PathLike, *, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder; on a clean exit, move it over ``path``.

    For writers that need a file name (matplotlib's ``savefig``, Keras' ``model.save``,
    ``nir.write``). The file at the yielded path exists (empty) and may be overwritten. On
    a clean exit it is ``fsync``-ed, given :func:`new_file_mode` and renamed onto ``path``;
    if the block raises, it is removed and ``path`` is untouched.

    Parameters
    ----------
    path : the final file name. Missing parent folders are created (the one rule for every
        output path; see :mod:`common.paths`).
    suffix : ending of the temporary name, for writers that check it (Keras wants
        ``".keras"``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _fsync(tmp)
        os.chmod(tmp, new_file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (creating missing parent folders); return the
    path."""
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data)
    return path


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 digest of the file at ``path``, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
