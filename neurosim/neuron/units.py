"""Strict parsing of physical quantities written on the command line: ``10uA/cm2``, ``0.5nA``,
``200ms``, ``-70mV``, ``1.5e-3 A/cm^2``.

Grammar: NUMBER UNIT, where UNIT is ``factor (('/' | '*') factor)*`` and a factor is an SI
prefix (p n u µ m c k M G) + a symbol (A V S F s m Hz ohm Ohm) + an optional integer power
(``cm2``, ``cm^2`` or ``cm²``). The typeset forms are read as their ASCII twins: micro as
``µ`` (U+00B5) or ``μ`` (Greek mu, U+03BC) for ``u``, superscript digits and minus (``cm²``,
``m⁻³``), ``·`` for ``*``, ``Ω`` for ``ohm``. Nothing else is accepted: no missing unit, no unknown symbol, no
trailing text, no ``inf`` or ``nan`` (nor a number too large for a float, such as ``1e999``).
The dimension is then checked against what the option expects; :func:`describe_dimension`
names it in words with an example (``a voltage (e.g. 2mV)``) for error messages.
"""

from __future__ import annotations

import math
import re

__all__ = ["parse_quantity", "format_quantity", "describe_dimension"]

_PREFIX = {"p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "m": 1e-3, "c": 1e-2, "k": 1e3,
           "M": 1e6, "G": 1e9, "": 1.0}
_SYMBOLS = ("Hz", "ohm", "Ohm", "A", "V", "S", "F", "s", "m")
_NUMBER = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")
_FACTOR = re.compile(r"^(p|n|u|µ|m|c|k|M|G)?(Hz|ohm|Ohm|A|V|S|F|s|m)(?:\^?(-?\d+))?$")
#: typeset characters -> ASCII (Greek mu and micro sign, superscripts, middle dot, Omega)
_TYPESET = str.maketrans({"\u03bc": "u", "\u00b5": "u", "\u00b2": "2", "\u00b3": "3",
                          "\u00b9": "1", "\u207b": "-", "\u00b7": "*", "\u2126": "ohm",
                          "\u03a9": "ohm", **{chr(0x2070 + d): str(d) for d in range(4, 10)},
                          "\u2070": "0"})


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


def parse_quantity(text: str, expected=None, what: str = "value", label: str | None = None):
    """Parse ``text`` into a Brian2 quantity, checking its dimension.

    Parameters
    ----------
    text : str
        e.g. ``"10uA/cm2"``.
    expected : Quantity or sequence of Quantity, optional
        Accepted dimensions (e.g. ``[amp, amp/meter**2]``).
    what : str
        Name of the option for error messages (``"--current"``).
    label : str, optional
        The whole prefix of error messages instead of ``what 'text'`` (e.g.
        ``"--param DeltaT=0.5xV"``).

    Raises
    ------
    ValueError
        One line naming the text: no number, a number too large for a float, no or unknown
        unit, wrong dimension.
    """
    from brian2.units.fundamentalunits import have_same_dimensions

    whole = label if label is not None else f"{what} {text!r}"
    if not isinstance(text, str):
        raise TypeError(f"{what} {text!r}: expected a string like 0.5nA")
    m = _NUMBER.match(text)
    if m is None:
        raise ValueError(f"{whole}: expected a number followed by a unit, e.g. 0.5nA")
    number, unit_text = float(m.group(1)), m.group(2).replace(" ", "").translate(_TYPESET)
    if not math.isfinite(number):
        raise ValueError(f"{whole}: the number is too large for a float")
    if not unit_text:
        raise ValueError(f"{whole}: missing unit ({_examples(expected)})")
    parts = re.split(r"([/*])", unit_text)
    value = number * _factor(parts[0], whole)
    for op, factor in zip(parts[1::2], parts[2::2]):
        q = _factor(factor, whole)
        value = value / q if op == "/" else value * q
    if expected is not None:
        options = expected if isinstance(expected, (list, tuple)) else [expected]
        if not any(have_same_dimensions(value, e) for e in options):
            names = " or ".join(describe_dimension(e) for e in options)
            raise ValueError(f"{whole}: wrong dimension, expected {names}")
    return value


def _examples(expected) -> str:
    """``e.g. 0.5nA or 500pA`` for the dimensions ``expected`` accepts (any if ``None``)."""
    if expected is None:
        return "e.g. 0.5nA, 10uA/cm2, 200ms"
    options = expected if isinstance(expected, (list, tuple)) else [expected]
    more = {"a current": "0.5nA or 500pA", "a time": "200ms or 0.2s"}
    texts = []
    for e in options:
        entry = _entry(e)
        if entry is not None:
            texts.append(f"{entry[1]}, e.g. {more.get(entry[1], entry[3])}")
    return "; ".join(texts) if texts else "e.g. 0.5nA, 10uA/cm2, 200ms"


def _dimensions():
    """(unit, name in words, CLI label, typical example) of each dimension an option may take;
    the labels are written so that :func:`parse_quantity` reads them back."""
    from brian2 import amp, farad, hertz, meter, ohm, second, siemens, volt

    return ((amp, "a current", "pA", "0.5nA"),
            (amp / meter ** 2, "a current density", "uA/cm2", "10uA/cm2"),
            (second, "a time", "ms", "200ms"),
            (volt, "a voltage", "mV", "-70mV"),
            (siemens, "a conductance", "nS", "10nS"),
            (siemens / meter ** 2, "a conductance density", "mS/cm2", "36mS/cm2"),
            (farad, "a capacitance", "pF", "200pF"),
            (farad / meter ** 2, "a capacitance density", "uF/cm2", "1uF/cm2"),
            (ohm, "a resistance", "Mohm", "100Mohm"),
            (hertz, "a rate", "Hz", "20Hz"))


def _entry(q):
    from brian2.units.fundamentalunits import have_same_dimensions

    return next((e for e in _dimensions() if have_same_dimensions(q, e[0])), None)


def describe_dimension(q, example=None) -> str:
    """``q``'s dimension in words with an example, e.g. ``a voltage (e.g. 2mV)``.

    ``example`` (a Quantity of that dimension, e.g. a parameter's default) is the example
    value, written in the unit :func:`parse_quantity` reads; otherwise a typical value is used.
    """
    entry = _entry(q)
    if entry is None:
        from brian2 import get_dimensions

        dim = get_dimensions(q)
        if dim.is_dimensionless:
            return "a plain number" + ("" if example is None else f" (e.g. {float(example):g})")
        return f"a quantity of dimension {dim}"
    unit, name, label, typical = entry
    if example is None:
        return f"{name} (e.g. {typical})"
    prefix = {"pA": 1e-12, "uA/cm2": 1e-2, "ms": 1e-3, "mV": 1e-3, "nS": 1e-9, "mS/cm2": 10.0,
              "pF": 1e-12, "uF/cm2": 1e-2, "Mohm": 1e6, "Hz": 1.0}[label]
    return f"{name} (e.g. {float(example / unit) / prefix:g}{label})"


def format_quantity(value, unit, label: str) -> str:
    """``value`` in ``unit`` as text, e.g. ``10uA/cm2``."""
    return f"{float(value / unit):g}{label}"
