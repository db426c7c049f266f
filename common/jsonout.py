"""JSON for people: floats rounded to the precision they carry.

``28.950000000000003`` (the float64 sum of a few seconds) and ``0.9693999886512756`` (a float32
accuracy widened to float64) print as ``28.95`` and ``0.9694`` once rounded to a few significant
digits. Every subcommand's ``--json`` output goes through :func:`rounded`; each chooses its own
number of digits (what its values carry) and whether NaN/Inf become ``null``.
"""

from __future__ import annotations

import math

__all__ = ["rounded"]


def rounded(obj, digits: int, *, nonfinite_to_none: bool = False):
    """A copy of ``obj`` (dicts, lists, tuples, numbers, NumPy scalars) with every float rounded
    to ``digits`` significant digits.

    Integers, strings, booleans and ``None`` are unchanged (NumPy scalars become Python ones);
    tuples become lists. A NaN or infinity stays as it is, or becomes ``None`` with
    ``nonfinite_to_none`` (strict JSON has no NaN).
    """
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, dict):
        return {k: rounded(v, digits, nonfinite_to_none=nonfinite_to_none)
                for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [rounded(v, digits, nonfinite_to_none=nonfinite_to_none) for v in obj]
    if hasattr(obj, "item") and getattr(obj, "ndim", None) == 0:  # a NumPy scalar
        obj = obj.item()
    if isinstance(obj, float):
        if math.isfinite(obj):
            return float(f"{obj:.{digits}g}")
        return None if nonfinite_to_none else obj
    return obj
