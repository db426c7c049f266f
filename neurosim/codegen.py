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

:func:`check_dt` validates a time step before a run.

Source: Brian2 documentation, "Computational methods and efficiency" / "Runtime code
generation" (brian2.readthedocs.io), and ``brian2/codegen/runtime/cython_rt/extension_manager.py``.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Mapping

import numpy as np

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


def diverged(t_ms: float, name: str, dt_ms: float | None = None,
             default_dt_ms: float | None = None, detail: str = "",
             by: bool = False) -> ValueError:
    """The one-line error of a diverged integration (returned, for the caller to raise).

    ``integration diverged at t = T ms in NAME[ (DETAIL)]; use a smaller dt (now DT ms; the
    model's default is D ms) or check the parameters``; without ``dt_ms`` the advice is only
    to check the parameters. ``by=True`` says "by t = T ms" (T is when it was noticed, e.g.
    the end of a run that kept no trace).
    """
    where = f"integration diverged {'by' if by else 'at'} t = {t_ms:.6g} ms in {name}"
    if detail:
        where += f" ({detail})"
    if dt_ms is None:
        return ValueError(f"{where}; check the parameters")
    advice = f"now {dt_ms:g} ms"
    if default_dt_ms is not None and default_dt_ms < dt_ms:
        advice += f"; the model's default is {default_dt_ms:g} ms"
    return ValueError(f"{where}; use a smaller dt ({advice}) or check the parameters")


def _all_finite(a: np.ndarray) -> bool:
    # a float64 sum of finite values is finite unless it overflows, so the cheap pass (no
    # temporary array as large as ``a``) decides almost always; the exact test settles the rest
    if a.dtype.kind not in "fc" or a.size == 0:
        return True
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.sum(a, dtype=np.complex128 if a.dtype.kind == "c" else np.float64)
    return bool(np.isfinite(total)) or bool(np.isfinite(a).all())


def check_finite(values: Mapping[str, object], t_ms=None, *, dt_ms: float | None = None,
                 default_dt_ms: float | None = None, t_end_ms: float | None = None) -> None:
    """Raise :func:`diverged` if any array of a simulation result holds NaN or ±inf.

    Parameters
    ----------
    values : mapping of name -> array_like
        What the simulation returns, by variable name (``v``, ``lgn_on``). Arrays whose last
        axis has the length of ``t_ms`` are time series: the error names the time of the first
        non-finite sample; other arrays (final states, rates) say "by ``t_end_ms``" (default:
        the last of ``t_ms``).
    t_ms : array_like, shape (T,), optional
        Sample times (ms).
    dt_ms, default_dt_ms : float, optional
        Integration step used and the model's default, for the advice.

    Raises
    ------
    ValueError
        ``integration diverged at t = … ms in <name>; use a smaller dt (…)``; with no time
        at all (``t_ms`` and ``t_end_ms`` None), ``non-finite result in <name> …``.
    """
    t = None if t_ms is None else np.asarray(t_ms, dtype=float)
    for name, value in values.items():
        if value is None:
            continue
        a = np.asarray(value)
        if _all_finite(a):
            continue
        bad = ~np.isfinite(a)
        if t is not None and a.ndim >= 1 and a.shape[-1] == len(t) and len(t):
            k = int(np.flatnonzero(bad.reshape(-1, len(t)).any(axis=0))[0])
            raise diverged(float(t[k]), name, dt_ms, default_dt_ms)
        when = t_end_ms if t_end_ms is not None else (
            float(t[-1]) if t is not None and len(t) else None)
        if when is None:  # no time axis (a static rate model): nothing was integrated
            raise ValueError(f"non-finite result in {name} ({np.count_nonzero(bad)} of {a.size} "
                             "values NaN or infinite); check the parameters")
        raise diverged(when, name, dt_ms, default_dt_ms, by=True)


def check_dt(dt, durations=(), what: str = "dt"):
    """Validate an integration time step (a Brian2 time Quantity) and return it.

    It must be a time, finite, positive and no longer than the shortest of ``durations``
    (the stretches of the run, e.g. a protocol's segments: each needs at least one step).

    Raises
    ------
    TypeError
        ``dt`` is not a Quantity (a plain number has no unit).
    ValueError
        One line naming ``what``: wrong dimension, not finite, not positive, too long.
    """
    from brian2 import Quantity, second
    from brian2.units.fundamentalunits import have_same_dimensions

    if not isinstance(dt, Quantity):
        raise TypeError(f"{what}={dt!r}: expected a time with a unit, e.g. 0.01*ms")
    if np.ndim(dt) != 0 or not have_same_dimensions(dt, second):
        raise ValueError(f"{what}={dt!r}: expected one time, e.g. 0.01*ms")
    seconds = float(dt)
    shown = f"{what} {seconds * 1e3:g} ms"
    if not math.isfinite(seconds):
        raise ValueError(f"{shown}: must be finite")
    if seconds <= 0:
        raise ValueError(f"{shown}: must be positive")
    spans = [float(d) for d in durations if float(d) > 0]
    if spans and seconds > min(spans) * (1 + 1e-9):
        raise ValueError(f"{shown}: longer than the run's shortest stretch "
                         f"({min(spans) * 1e3:g} ms); use {what} <= {min(spans) * 1e3:g} ms")
    return dt


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
