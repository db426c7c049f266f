"""Brian2 code-generation target: Cython when a compiler works, numpy otherwise.

Brian2 turns model equations into code. Its Cython target compiles each code object into a
C++ extension on first use (tens of seconds for a Hodgkin–Huxley group) and loads it from a
cache afterwards; its numpy target needs no compiler but runs roughly ten times slower.
:func:`select_target` picks the target once per process:

1. ``$NEUROSIM_CODEGEN`` (``cython`` or ``numpy``) or the ``prefer`` argument forces a choice;
2. otherwise Cython is tried with Brian2's own test compilation
   (``CythonCodeObject.is_available``); if that fails the numpy target is used and a
   :class:`RuntimeWarning` says why the simulation will be slower.

Cache. Compiled modules go to ``$NEUROSIM_BRIAN2_CACHE`` if set, else
``~/.cache/neurosim/brian2``, in a sub-folder per Python / Brian2 / Cython / NumPy version
(``py3.11-brian2-2.9.0-cython3.3.1-numpy2.3``) so that one interpreter never loads another's
binary. Never in the working directory.

Parallel safety (pytest-xdist, several CLI runs). Brian2 names each module after the MD5 of its
code plus interpreter, Cython, NumPy and compiler identity, and builds it while holding a
per-module ``fcntl`` lock file next to it (``prefs.codegen.runtime.cython.multiprocess_safe``,
which this module keeps switched on): a second process wanting the same module waits and then
loads the finished file instead of writing it again; different modules build concurrently.
The locks are advisory kernel locks, released if a process dies.

Failures, the same on both targets. An integration that diverges (a time step too large for
the equations, an absurd parameter) yields NaN or ±inf on the numpy target, but on the Cython
target, whose generated code is compiled with ``cdivision=False``
(``cython_rt/templates/common_group.pyx``), the first division by zero (e.g. a rate
``1/exprel(x)`` once an RK4 stage has sent V to thousands of volts) raises
``ZeroDivisionError: float division``.
Every simulation of this package therefore runs inside :func:`guarded_run`, which turns that
``ZeroDivisionError`` into :func:`diverged` and silences Brian2's "NaN, very large values" log
warning, and ends with :func:`check_finite` on what it returns — one ``ValueError`` line::

    integration diverged at t = 22.5 ms in v (...); use a smaller dt (now 0.1 ms; ...)

:func:`check_dt` validates a time step before a run. Both checks live in the package's
validator module, :mod:`neurosim.checks`, and are importable from here too.

Source: Brian2 documentation, "Computational methods and efficiency" / "Runtime code
generation" (brian2.readthedocs.io), and ``brian2/codegen/runtime/cython_rt/extension_manager.py``.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .checks import check_dt, check_finite, diverged  # noqa: F401 (public here too)

__all__ = ["select_target", "cache_dir", "TARGETS", "check_finite", "check_dt", "diverged",
           "guarded_run", "root_cause"]

#: the code-generation targets this project uses
TARGETS = ("cython", "numpy")

_chosen: dict[tuple, str] = {}


def cache_dir() -> Path:
    """Folder for compiled Brian2 modules (created on demand, never in the working directory).

    ``$NEUROSIM_BRIAN2_CACHE`` if set, else ``~/.cache/neurosim/brian2``; inside it, one
    sub-folder per Python/Brian2/Cython/NumPy version.
    """
    import brian2

    try:
        import Cython
        cython_version = Cython.__version__
    except ImportError:  # pragma: no cover - Cython is a Brian2 dependency here
        cython_version = "none"
    root = os.environ.get("NEUROSIM_BRIAN2_CACHE")
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "neurosim" / "brian2"
    numpy_mm = ".".join(np.__version__.split(".")[:2])
    tag = (f"py{sys.version_info.major}.{sys.version_info.minor}-brian2-{brian2.__version__}"
           f"-cython{cython_version}-numpy{numpy_mm}")
    return base.resolve() / tag


def _cython_works() -> tuple[bool, str]:
    """Try Brian2's test compilation; return (works, reason if not)."""
    from brian2.codegen.runtime.cython_rt import CythonCodeObject
    from brian2.utils.logger import catch_logs

    with catch_logs() as logs:  # Brian2 logs the failure; we turn it into a warning instead
        ok = bool(CythonCodeObject.is_available())
    if ok:
        return True, ""
    messages = [str(m[2]) for m in logs]
    failure = [m for m in messages if "Cannot use Cython" in m] or messages
    reason = failure[0].splitlines()[0] if failure else "test compilation failed"
    return False, reason


def select_target(prefer: str | None = None) -> str:
    """Configure Brian2's runtime code generation and return the target in use.

    Parameters
    ----------
    prefer : {"cython", "numpy", None}
        Force a target. ``None`` reads ``$NEUROSIM_CODEGEN``; if that is unset too, Cython is
        used when a test compilation succeeds and numpy otherwise (with a ``RuntimeWarning``).
        A forced ``"cython"`` that cannot compile also falls back to numpy with a warning.

    Returns
    -------
    str
        ``"cython"`` or ``"numpy"``; also stored in ``brian2.prefs.codegen.target``.

    Raises
    ------
    ValueError
        If ``prefer`` (or ``$NEUROSIM_CODEGEN``) is not one of :data:`TARGETS`.
    """
    choice = prefer if prefer is not None else (os.environ.get("NEUROSIM_CODEGEN") or None)
    if choice is not None and choice not in TARGETS:
        source = "prefer" if prefer is not None else "$NEUROSIM_CODEGEN"
        raise ValueError(f"{source}={choice!r}: code-generation target must be one of "
                         f"{', '.join(TARGETS)}")
    from brian2 import prefs

    folder = cache_dir()
    key = (choice, str(folder))
    if key not in _chosen:
        folder.mkdir(parents=True, exist_ok=True)
        prefs.codegen.runtime.cython.cache_dir = str(folder)
        prefs.codegen.runtime.cython.multiprocess_safe = True
        target = "numpy"
        if choice != "numpy":
            ok, reason = _cython_works()
            if ok:
                target = "cython"
            else:
                warnings.warn(f"Brian2 cannot compile with Cython ({reason}); using the numpy "
                              "target, which runs about 10x slower", RuntimeWarning,
                              stacklevel=2)
        _chosen[key] = target
    prefs.codegen.runtime.cython.cache_dir = str(folder)
    prefs.codegen.target = _chosen[key]
    return _chosen[key]


class _DropInvalidValues(logging.Filter):
    def filter(self, record):  # noqa: A003 (logging API)
        return False


def root_cause(e: BaseException) -> BaseException:
    """The original error under Brian2's ``BrianObjectException`` wrappers."""
    while e.__cause__ is not None or (type(e).__name__ == "BrianObjectException"
                                      and e.__context__ is not None):
        e = e.__cause__ or e.__context__
    return e


@contextmanager
def guarded_run(group, dt_ms: float | None = None, default_dt_ms: float | None = None):
    """Context for ``Network.run`` calls of a group with a membrane potential ``v`` (volt).

    Inside, Brian2's "has NaN, very large values" warning (logger
    ``brian2.groups.group.invalid_values``) and NumPy's floating-point warnings of the numpy
    target (``overflow encountered in exp``) are silenced — :func:`check_finite` afterwards
    reports a divergence in one line, and an overflow that a reset absorbs (AdEx's upstroke)
    is no fault — and a ``ZeroDivisionError`` from the Cython target's generated code becomes
    :func:`diverged` at the group's current time, naming ``v``.
    """
    logger = logging.getLogger("brian2.groups.group.invalid_values")
    quiet = _DropInvalidValues()
    logger.addFilter(quiet)
    try:
        with np.errstate(all="ignore"):
            yield
    except Exception as e:  # Brian2 wraps errors of generated code in BrianObjectException
        if not isinstance(root_cause(e), ZeroDivisionError):
            raise
        v_mV = np.abs(np.asarray(group.state("v", use_units=False), dtype=float)) * 1e3
        t_ms = float(np.asarray(group.state("t", use_units=False)).ravel()[0]) * 1e3
        raise diverged(t_ms, "v", dt_ms, default_dt_ms, detail=f"|v| up to {np.max(v_mV):.3g} "
                       "mV, then a division by zero") from None
    finally:
        logger.removeFilter(quiet)
