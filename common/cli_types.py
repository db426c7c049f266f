"""argparse ``type=`` functions shared by the subcommands: counts, bounded counts, fractions.

Each raises ``argparse.ArgumentTypeError`` with the value named, so argparse prints one line
``neurosim CMD: error: argument --n-test: at most 10000 (the MNIST test set), got 20000`` and
the command exits with status 2.
"""

from __future__ import annotations

import argparse

__all__ = ["positive_int", "count_at_most", "fraction"]


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


def fraction(text: str) -> float:
    """A number in [0, 1)."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}") from None
    if not 0 <= v < 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}")
    return v
