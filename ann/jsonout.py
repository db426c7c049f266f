"""JSON for people: floats rounded to the precision they carry.

``28.950000000000003`` (the float64 sum of a few seconds) and ``0.9693999886512756`` (a float32
accuracy widened to float64) print as ``28.95`` and ``0.9694``: every float is rounded to 7
significant digits, about float32's precision and more than any measured value here carries.
Integers, strings, ``None`` and booleans are unchanged; NaN/Inf are refused (strict JSON).
"""

from __future__ import annotations

import json
import math

__all__ = ["rounded", "dumps", "SIGNIFICANT_DIGITS"]

SIGNIFICANT_DIGITS = 7


def rounded(obj, digits: int = SIGNIFICANT_DIGITS):
    """A copy of ``obj`` (dicts, lists, tuples, numbers) with every float rounded to ``digits``
    significant digits."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, (int, str)):
        return obj
    if isinstance(obj, float):
        return float(f"{obj:.{digits}g}") if math.isfinite(obj) else obj
    if isinstance(obj, dict):
        return {k: rounded(v, digits) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [rounded(v, digits) for v in obj]
    if hasattr(obj, "item") and getattr(obj, "ndim", 1) == 0:  # a NumPy scalar
        return rounded(obj.item(), digits)
    return obj


def dumps(obj, **kwargs) -> str:
    """``json.dumps`` of :func:`rounded` ``(obj)``, strict (``allow_nan=False``)."""
    return json.dumps(rounded(obj), allow_nan=False, **kwargs)
