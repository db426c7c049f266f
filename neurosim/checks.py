"""Checks shared by the neurosim package: numbers, quantities with units, names, time steps,
simulation results.

Every check raises one line naming the value: ``TypeError`` for a value of the wrong kind (a
plain float where a quantity with a unit is needed), ``ValueError`` for a wrong dimension, sign,
shape or an unknown name.

* :func:`require_finite`, :func:`require_positive`, :func:`require_positive_finite`,
  :func:`require_finite_number`: a number, ``"<head>: must be finite"``, ``"<head>: must be
  positive"``, ``"... positive and finite"``, ``"... a finite number >= 0"`` (``head`` names the
  value as the user typed it, e.g. ``"--duration '0ms'"`` or ``"current nan"``);
  :func:`require_nonnegative`: ``"<head>: must not be negative"``;
  :func:`require_at_least`: a count or seed (``"<head>: must be >= 1"``);
  :func:`require_choice`: a name from a list (``"<head>: unknown; choose from A, B"``);
* :func:`check_quantity`, :func:`check_name`, :func:`check_int`: a network description's
  quantities (with units), names and counts;
* :func:`check_dt`: an integration time step before a run; :func:`check_finite` and
  :func:`diverged`: what a run returns (``integration diverged at t = … ms in v; use a
  smaller dt (…)``; see :mod:`neurosim.codegen` for why every run ends with it).
"""

from __future__ import annotations

import math
import numbers
from typing import Mapping

import numpy as np

__all__ = ["require_finite", "require_positive", "require_positive_finite",
           "require_finite_number", "require_at_least", "require_nonnegative", "require_choice",
           "check_quantity", "check_name", "check_int",
           "show", "check_dt", "check_finite", "diverged"]


def require_finite(value, head: str) -> None:
    """Raise ``ValueError("<head>: must be finite")`` unless ``value`` is a finite number
    (all elements of an array)."""
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{head}: must be finite")


def require_positive(value, head: str) -> None:
    """Raise ``ValueError("<head>: must be positive")`` unless ``value > 0`` (NaN is not)."""
    if not value > 0:
        raise ValueError(f"{head}: must be positive")


def show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def require_positive_finite(value, head: str) -> None:
    """Raise ``ValueError("<head>: must be positive and finite")`` unless ``0 < value < inf``
    (``value`` a number)."""
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{head}: must be positive and finite")


def require_finite_number(value, head: str, op: str = ">=") -> None:
    """Raise ``ValueError("<head>: must be a finite number >= 0")`` (``op=">="``) or ``... > 0``
    (``op=">"``) unless ``value`` is finite and on that side of 0 (``value`` a number)."""
    if not (math.isfinite(value) and (value >= 0 if op == ">=" else value > 0)):
        raise ValueError(f"{head}: must be a finite number {op} 0")


def require_nonnegative(value, head: str) -> None:
    """Raise ``ValueError("<head>: must not be negative")`` if ``value < 0``."""
    if value < 0:
        raise ValueError(f"{head}: must not be negative")


def require_at_least(value, minimum, head: str) -> None:
    """Raise ``ValueError("<head>: must be >= <minimum>")`` unless ``value >= minimum`` (a
    count, a seed)."""
    if not value >= minimum:
        raise ValueError(f"{head}: must be >= {minimum}")


def require_choice(value, choices, head: str) -> None:
    """Raise ``ValueError("<head>: unknown; choose from A, B, ...")`` unless ``value`` is one
    of ``choices``."""
    if value not in choices:
        raise ValueError(f"{head}: unknown; choose from {', '.join(choices)}")


def check_quantity(value, unit, what: str, *, positive=False, nonnegative=False,
                   scalar=True, n: int | None = None):
    """Check that ``value`` is a Brian2 quantity of ``unit``'s dimension; return it.

    Parameters
    ----------
    value : Quantity
    unit : Quantity or sequence of Quantity
        Accepted dimensions (e.g. ``mV`` or ``[amp, amp/meter**2]``).
    what : str
        Name in the message (``"Connection 'E->I' delay"``).
    positive, nonnegative : bool
        Sign constraints (all elements).
    scalar : bool
        Only a scalar is allowed; otherwise also an array of length ``n``.

    Raises
    ------
    TypeError
        Not a number with a unit (a plain float, a string).
    ValueError
        Wrong dimension, not finite, wrong sign or shape; one line naming ``what`` and value.
    """
    from brian2 import Quantity, get_dimensions
    from brian2.units.fundamentalunits import have_same_dimensions

    from neurosim.neuron.units import describe_dimension

    units = unit if isinstance(unit, (list, tuple)) else [unit]
    need = " or ".join(describe_dimension(u) for u in units)
    head = f"{what}={show(value)}"
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{head}: expected {need}")
    dimensionless = all(get_dimensions(u).is_dimensionless for u in units)
    if not isinstance(value, Quantity) and not dimensionless:
        if isinstance(value, numbers.Number) and value == 0:
            value = 0 * units[0]  # a plain 0 is zero in any unit
        else:
            raise TypeError(f"{head}: expected {need} (a number with a unit)")
    try:
        x = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{head}: expected {need}") from None
    if not any(have_same_dimensions(value, u) for u in units):
        raise ValueError(f"{head}: wrong dimension, expected {need}")
    if scalar and x.ndim != 0:
        raise ValueError(f"{head}: expected one value, not an array")
    if not scalar and x.ndim not in (0, 1) or (x.ndim == 1 and n is not None and len(x) != n):
        raise ValueError(f"{head}: expected a scalar or an array of length {n}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{head}: must be finite")
    if positive and not np.all(x > 0):
        raise ValueError(f"{head}: must be positive")
    if nonnegative and not np.all(x >= 0):
        raise ValueError(f"{head}: must not be negative")
    return value


def check_name(name, what: str) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"{what} name {name!r}: expected an identifier (letters, digits, _)")
    return name


def check_int(value, what: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what}={show(value)}: expected an integer")
    require_at_least(value, minimum, f"{what}={value}")
    return int(value)


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
