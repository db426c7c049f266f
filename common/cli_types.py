"""argparse ``type=`` functions shared by the subcommands: counts, bounded counts, fractions,
positive numbers, memory sizes.

Each raises ``argparse.ArgumentTypeError`` with the value named, so argparse prints one line
``neurosim CMD: error: argument --n-test: at most 10000 (the MNIST test set), got 20000`` and
the command exits with status 2.
"""

from __future__ import annotations

import argparse
import math
import re

__all__ = ["positive_int", "count_at_most", "fraction", "positive_number", "memory_size"]


def positive_int(text: str) -> int:
    """An integer ≥ 1."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return v


def count_at_most(limit: int, what: str):
    """An argparse type: an integer in ``1..limit``; ``what`` names the limit in the error
    (``count_at_most(10000, "MNIST test set")`` → "at most 10000 (the MNIST test set)")."""
    def parse(text: str) -> int:
        v = positive_int(text)
        if v > limit:
            raise argparse.ArgumentTypeError(f"at most {limit} (the {what}), got {v}")
        return v
    return parse


def _number(text: str, ok, expected: str) -> float:
    """``text`` as a float that passes ``ok``; else one line "expected EXPECTED, got TEXT"."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if not ok(v):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return v


def fraction(text: str) -> float:
    """A number in [0, 1)."""
    return _number(text, lambda v: 0 <= v < 1, "a number in [0, 1)")


def positive_number(text: str) -> float:
    """A finite number > 0 (``--lr 0.01``)."""
    return _number(text, lambda v: math.isfinite(v) and v > 0, "a positive number")


_UNITS = {"": 2 ** 20, "b": 1, "kb": 10 ** 3, "mb": 10 ** 6, "gb": 10 ** 9,
          "kib": 2 ** 10, "mib": 2 ** 20, "gib": 2 ** 30, "k": 2 ** 10, "m": 2 ** 20, "g": 2 ** 30}


def memory_size(text: str) -> int:
    """A memory size in bytes from ``256MiB``, ``1.5GiB``, ``300MB``, ``64M`` or a bare number
    of MiB (``512``); at least 1 MiB."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", text)
    unit = m.group(2).lower() if m else None
    if m is None or unit not in _UNITS:
        raise argparse.ArgumentTypeError(f"expected a size such as 256MiB or 2GiB, got {text!r}")
    v = int(float(m.group(1)) * _UNITS[unit])
    if v < 2 ** 20:
        raise argparse.ArgumentTypeError(f"expected at least 1MiB, got {text!r}")
    return v
