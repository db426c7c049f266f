"""Checks for the paths a user names on the command line, made before any work starts.

One rule for every option that names an output (``--out``, ``--logdir``, ``--plot``,
``--report``, ``--nir``, ``--checkpoint``, ``--csv``, …):

- missing parent folders are created when the file is written (``mkdir -p``), never refused;
- a path component that is a file where a folder is needed, an output file name that is an
  existing folder (or a folder name that is an existing file), and a folder without write
  permission are refused *before* the work starts, with one line that names the option and the
  path: a ``ValueError``, which the ``neurosim`` command turns into exit status 2.

>>> check_output_file("out/run1/trace.csv", "--csv", suffixes=(".csv",))   # doctest: +SKIP
PosixPath('out/run1/trace.csv')
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["check_output_file", "check_output_dir", "check_input_file"]


def _first_existing(path: Path) -> Path:
    """``path`` itself or its nearest existing ancestor (``.`` at worst)."""
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(".")


def _check_creatable(path: Path, option: str) -> None:
    """``path`` does not exist: its nearest existing ancestor must be a writable folder."""
    anchor = _first_existing(path.parent if path.parent != path else path)
    if not anchor.is_dir():
        raise ValueError(f"{option} {path}: {anchor} is a file, not a folder")
    if not os.access(anchor, os.W_OK | os.X_OK):
        raise ValueError(f"{option} {path}: no write permission in {anchor}")


def check_output_file(path: str | os.PathLike, option: str, *,
                      suffixes: Iterable[str] | None = None) -> Path:
    """Check that a file can be written at ``path`` (see the module docstring); return it.

    Parameters
    ----------
    path : the file name the user gave.
    option : the option's name as the user typed it (``"--plot"``), for the message.
    suffixes : allowed file endings (``(".png", ".svg")``), compared case-insensitively;
        ``None`` allows any.

    Raises
    ------
    ValueError
        One line naming ``option`` and ``path``: a wrong ending, an existing folder of that
        name, a file in the way of a folder, or no write permission.
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{option} {path}: is a folder; give a file name")
    if suffixes is not None:
        allowed = tuple(s.lower() for s in suffixes)
        if not path.name.lower().endswith(allowed):
            raise ValueError(f"{option} {path}: use a file name ending in "
                             f"{', '.join(allowed[:-1]) + ' or ' if len(allowed) > 1 else ''}"
                             f"{allowed[-1]}")
    if path.exists():
        if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK):
            raise ValueError(f"{option} {path}: no write permission")
        return path
    _check_creatable(path, option)
    return path


def check_output_dir(path: str | os.PathLike, option: str) -> Path:
    """Check that ``path`` is, or can be created as, a writable folder; return it.

    Raises
    ------
    ValueError
        One line naming ``option`` and ``path``: ``path`` or one of its parents is a file, or
        the folder (or its nearest existing parent) is not writable.
    """
    path = Path(path)
    if path.exists():
        if not path.is_dir():
            raise ValueError(f"{option} {path}: is a file; a folder is needed")
        if not os.access(path, os.W_OK | os.X_OK):
            raise ValueError(f"{option} {path}: no write permission")
        return path
    _check_creatable(path, option)
    return path


def check_input_file(path: str | os.PathLike, option: str) -> Path:
    """Check that ``path`` is an existing, readable file; return it.

    Raises
    ------
    ValueError
        One line naming ``option`` and ``path``: missing, a folder, or unreadable.
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{option} {path}: no such file")
    if path.is_dir():
        raise ValueError(f"{option} {path}: is a folder; give a file")
    if not os.access(path, os.R_OK):
        raise ValueError(f"{option} {path}: no read permission")
    return path
