"""Choosing among names: "did you mean …?" for a misspelt choice.

Used by the ``neurosim`` command's parser (``invalid choice`` errors from argparse) and by every
function that looks a name up (models, patterns, stimuli, parameters), so a typo always gets the
same kind of one-line answer.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean", "unknown_choice"]


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``choices`` to ``value``, else ``""``.

    Closeness is :func:`difflib.get_close_matches` (ratio ≥ 0.6), compared case-insensitively;
    the suggestion keeps the choice's own spelling.
    """
    choices = [str(c) for c in choices]
    lowered = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(str(value).lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean '{lowered[match[0]]}'?)" if match else ""


def unknown_choice(what: str, value: str, choices: Iterable[str]) -> ValueError:
    """A one-line ``ValueError``: ``unknown WHAT 'value'; choose from a, b, c (did you mean
    'b'?)``. Return it for the caller to raise."""
    choices = [str(c) for c in choices]
    return ValueError(f"unknown {what} {value!r}; choose from {', '.join(choices)}"
                      f"{did_you_mean(value, choices)}")
