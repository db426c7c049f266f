"""Shared assertion for the ``ann`` tests: an error is one line naming what it must name."""

import pytest


def one_line_error(fn, *names) -> str:
    """Call ``fn``; it must raise a one-line ``ValueError`` containing each of ``names``.
    Returns the message."""
    with pytest.raises(ValueError) as e:
        fn()
    msg = str(e.value)
    assert "\n" not in msg, msg
    for name in names:
        assert name in msg, msg
    return msg
