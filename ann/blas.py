"""How many threads NumPy's BLAS (OpenBLAS) may use — one knob, no dependency.

Mini-batch training does many *small* matrix products (e.g. 32×784 by 784×512). On a machine
with two cores, often shared, OpenBLAS's threads then cost more than they gain: measured here,
one MLP step took 5 ms with one BLAS thread and 50–140 ms with two while TensorFlow or other
processes were busy. The CLI and the benchmark therefore train with one BLAS thread by default
(``neurosim train --threads``).

The OpenBLAS that NumPy wheels bundle exports ``(scipy_)openblas_set_num_threads(64_)``; we find
it among the libraries loaded in this process (``/proc/self/maps``) and call it with
:mod:`ctypes`. Where it cannot be found (another BLAS, another OS) the functions do nothing and
say so by returning ``False``/``None``.
"""

from __future__ import annotations

import contextlib
import ctypes
from pathlib import Path

from .checks import positive_int

__all__ = ["set_blas_threads", "get_blas_threads", "blas_threads"]

_SET = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
        "openblas_set_num_threads64_", "openblas_set_num_threads")
_GET = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
        "openblas_get_num_threads64_", "openblas_get_num_threads")
_funcs: tuple | None = None


def _find():
    global _funcs
    if _funcs is not None:
        return _funcs
    import numpy  # noqa: F401  (loads its BLAS)

    _funcs = (None, None)
    try:
        maps = Path("/proc/self/maps").read_text().splitlines()
    except OSError:
        return _funcs
    libs = sorted({line.split()[-1] for line in maps
                   if "openblas" in line.lower() and line.split()[-1].startswith("/")})
    for lib in libs:
        try:
            handle = ctypes.CDLL(lib)
        except OSError:
            continue
        setter = next((getattr(handle, s) for s in _SET if hasattr(handle, s)), None)
        getter = next((getattr(handle, s) for s in _GET if hasattr(handle, s)), None)
        if setter is not None and getter is not None:
            setter.argtypes, setter.restype = [ctypes.c_int], None
            getter.argtypes, getter.restype = [], ctypes.c_int
            _funcs = (setter, getter)
            break
    return _funcs


def get_blas_threads() -> int | None:
    """Threads OpenBLAS uses now, or ``None`` if it cannot be queried."""
    getter = _find()[1]
    return None if getter is None else int(getter())


def set_blas_threads(n: int) -> bool:
    """Let OpenBLAS use ``n`` threads; ``False`` if that is not possible here."""
    positive_int(n, "threads")
    setter = _find()[0]
    if setter is None:
        return False
    setter(n)
    return True


@contextlib.contextmanager
def blas_threads(n: int | None):
    """Context manager: ``n`` BLAS threads inside, the previous number restored after
    (``None``: leave it alone)."""
    before = get_blas_threads() if n is not None else None
    if n is not None:
        set_blas_threads(n)
    try:
        yield
    finally:
        if before is not None:
            set_blas_threads(before)
