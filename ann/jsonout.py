"""JSON for people: floats rounded to the precision they carry.

``28.950000000000003`` (the float64 sum of a few seconds) and ``0.9693999886512756`` (a float32
accuracy widened to float64) print as ``28.95`` and ``0.9694``: every float is rounded to 7
significant digits, about float32's precision and more than any measured value here carries.
Integers, strings, ``None`` and booleans are unchanged; NaN/Inf are refused (strict JSON).
"""

from __future__ import annotations

import json

from common.jsonout import rounded as _rounded

__all__ = ["rounded", "dumps", "SIGNIFICANT_DIGITS"]

SIGNIFICANT_DIGITS = 7


def rounded(obj, digits: int = SIGNIFICANT_DIGITS):
    """A copy of ``obj`` (dicts, lists, tuples, numbers) with every float rounded to ``digits``
    significant digits (:func:`common.jsonout.rounded`; NaN/Inf kept, for ``dumps`` to refuse)."""
    return _rounded(obj, digits)


def dumps(obj, **kwargs) -> str:
    """``json.dumps`` of :func:`rounded` ``(obj)``, strict (``allow_nan=False``)."""
    return json.dumps(rounded(obj), allow_nan=False, **kwargs)
