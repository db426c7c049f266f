"""Strict parsing of physical quantities written on the command line: ``10uA/cm2``, ``0.5nA``,
``200ms``, ``-70mV``, ``1.5e-3 A/cm^2``.

Grammar: NUMBER UNIT, where UNIT is ``factor (('/' | '*') factor)*`` and a factor is an SI
prefix (p n u µ m c k M G) + a symbol (A V S F s m Hz ohm Ohm) + an optional integer power
(``cm2`` or ``cm^2``). Nothing else is accepted: no missing unit, no unknown symbol, no
trailing text. The dimension is then checked against what the option expects.
"""

from __future__ import annotations

import re

__all__ = ["parse_quantity", "format_quantity"]

_PREFIX = {"p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "m": 1e-3, "c": 1e-2, "k": 1e3,
           "M": 1e6, "G": 1e9, "": 1.0}
_SYMBOLS = ("Hz", "ohm", "Ohm", "A", "V", "S", "F", "s", "m")
_NUMBER = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")
_FACTOR = re.compile(r"^(p|n|u|µ|m|c|k|M|G)?(Hz|ohm|Ohm|A|V|S|F|s|m)(?:\^?(-?\d+))?$")


def _unit(symbol: str):
    from brian2 import amp, farad, hertz, meter, ohm, second, siemens, volt

    return {"Hz": hertz, "ohm": ohm, "Ohm": ohm, "A": amp, "V": volt, "S": siemens,
            "F": farad, "s": second, "m": meter}[symbol]


def _factor(text: str, whole: str):
    m = _FACTOR.match(text)
    if m is None:
        # "m" alone and "ms" etc. are matched above; a bare prefix+symbol ambiguity such as
        # "mm" (milli-metre) also matches; anything else is unknown
        raise ValueError(f"{whole}: unknown unit {text!r} (use e.g. uA/cm2, nA, ms, mV)")
    prefix, symbol, power = m.group(1) or "", m.group(2), int(m.group(3) or 1)
    return (_PREFIX[prefix] * _unit(symbol)) ** power


def parse_quantity(text: str, expected=None, what: str = "value"):
    """Parse ``text`` into a Brian2 quantity, checking its dimension.

    Parameters
    ----------
    text : str
        e.g. ``"10uA/cm2"``.
    expected : Quantity or sequence of Quantity, optional
        Accepted dimensions (e.g. ``[amp, amp/meter**2]``).
    what : str
        Name of the option for error messages (``"--current"``).

    Raises
    ------
    ValueError
        One line naming the text: no number, no or unknown unit, wrong dimension.
    """
    from brian2.units.fundamentalunits import have_same_dimensions

    if not isinstance(text, str):
        raise TypeError(f"{what} {text!r}: expected a string like 0.5nA")
    m = _NUMBER.match(text)
    if m is None:
        raise ValueError(f"{what} {text!r}: expected a number followed by a unit, e.g. 0.5nA")
    number, unit_text = float(m.group(1)), m.group(2).replace(" ", "")
    if not unit_text:
        raise ValueError(f"{what} {text!r}: missing unit (e.g. 0.5nA, 10uA/cm2, 200ms)")
    parts = re.split(r"([/*])", unit_text)
    whole = f"{what} {text!r}"
    value = number * _factor(parts[0], whole)
    for op, factor in zip(parts[1::2], parts[2::2]):
        q = _factor(factor, whole)
        value = value / q if op == "/" else value * q
    if expected is not None:
        options = expected if isinstance(expected, (list, tuple)) else [expected]
        if not any(have_same_dimensions(value, e) for e in options):
            names = " or ".join(_describe(e) for e in options)
            raise ValueError(f"{what} {text!r}: wrong dimension, expected {names}")
    return value


def _describe(q) -> str:
    from brian2 import amp, meter, second, volt
    from brian2.units.fundamentalunits import have_same_dimensions

    for ref, name in ((amp, "a current (e.g. 0.5nA)"),
                      (amp / meter ** 2, "a current density (e.g. 10uA/cm2)"),
                      (second, "a time (e.g. 200ms)"), (volt, "a voltage (e.g. -70mV)")):
        if have_same_dimensions(q, ref):
            return name
    return str(q.dim)


def format_quantity(value, unit, label: str) -> str:
    """``value`` in ``unit`` as text, e.g. ``10uA/cm2``."""
    return f"{float(value / unit):g}{label}"
