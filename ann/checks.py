"""The argument checks ``ann`` shares: positive ints, finite numbers, numbers in a range.

Each raises a one-line ``ValueError`` naming the argument and the bad value
(``epochs must be a positive int, got 0``), so that a CLI can show it as it is. Command-line
types that parse text (``--n-train``, ``--threads``, ``--lr``) live in :mod:`common.cli_types`.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["is_int", "positive_int", "non_negative_int", "finite_number", "bounded", "in_interval"]


def is_int(v, numpy: bool = False) -> bool:
    """Whether ``v`` is a Python int (``numpy=True``: or a NumPy integer), not a bool."""
    kinds = (int, np.integer) if numpy else int
    return isinstance(v, kinds) and not isinstance(v, (bool, np.bool_))


def positive_int(v, name: str) -> int:
    """``v`` if it is a Python int ≥ 1; else ``ValueError: {name} must be a positive int,
    got v``."""
    if not is_int(v) or v < 1:
        raise ValueError(f"{name} must be a positive int, got {v!r}")
    return v


def non_negative_int(v, name: str) -> int:
    """``v`` if it is a Python int ≥ 0 (a seed); else ``ValueError: {name} must be an int >= 0,
    got v``."""
    if not is_int(v) or v < 0:
        raise ValueError(f"{name} must be an int >= 0, got {v!r}")
    return v


def finite_number(v, name: str) -> float:
    """``float(v)`` for a finite int or float (not a bool); else ``ValueError: {name} must be
    a finite number, got v``."""
    if isinstance(v, bool) or not isinstance(v, (int, float, np.floating)) or \
            not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {v!r}")
    return float(v)


def bounded(v, name: str, lo: float | None = None, hi: float | None = None,
            lo_open: bool = False, hi_open: bool = False) -> float:
    """A finite number with ``lo ≤ v ≤ hi`` (``<`` where open; ``None``: no bound); the error
    names the broken bound: ``lr must be > 0.0, got 0``."""
    x = finite_number(v, name)
    if lo is not None and (x < lo or (lo_open and x == lo)):
        raise ValueError(f"{name} must be {'>' if lo_open else '>='} {lo}, got {v!r}")
    if hi is not None and (x > hi or (hi_open and x == hi)):
        raise ValueError(f"{name} must be {'<' if hi_open else '<='} {hi}, got {v!r}")
    return x


def in_interval(v, name: str, lo: float = 0.0, hi: float | None = None, lo_open: bool = False,
                hi_open: bool = False) -> float:
    """A finite number in the interval from ``lo`` to ``hi`` (``None``: ∞); the error names the
    whole interval: ``alpha must be in [0.0, 1.0), got 1.5``."""
    x = finite_number(v, name)
    if x < lo or (lo_open and x == lo) or (hi is not None and (x > hi or (hi_open and x == hi))):
        left = "(" if lo_open else "["
        right = ")" if hi_open or hi is None else "]"
        upper = "inf" if hi is None else hi
        raise ValueError(f"{name} must be in {left}{lo}, {upper}{right}, got {v!r}")
    return x
