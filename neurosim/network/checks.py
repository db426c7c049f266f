"""Checks shared by the network description: quantities with units, names, integers, models.

Every check raises one line naming the value: ``TypeError`` for a value of the wrong kind (a
plain float where a quantity with a unit is needed), ``ValueError`` for a wrong dimension, sign,
shape or an unknown name.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from neurosim.neuron.model import NeuronModel

__all__ = ["check_quantity", "check_name", "check_int", "resolve_model", "show"]


def show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_quantity(value, unit, what: str, *, positive=False, nonnegative=False,
                   scalar=True, n: int | None = None):
    """Check that ``value`` is a Brian2 quantity of ``unit``'s dimension; return it.

    Parameters
    ----------
    value : Quantity
    unit : Quantity or sequence of Quantity
        Accepted dimensions (e.g. ``mV`` or ``[amp, amp/meter**2]``).
    what : str
        Name in the message (``"Connection 'E->I' delay"``).
    positive, nonnegative : bool
        Sign constraints (all elements).
    scalar : bool
        Only a scalar is allowed; otherwise also an array of length ``n``.

    Raises
    ------
    TypeError
        Not a number with a unit (a plain float, a string).
    ValueError
        Wrong dimension, not finite, wrong sign or shape; one line naming ``what`` and value.
    """
    from brian2 import Quantity, get_dimensions
    from brian2.units.fundamentalunits import have_same_dimensions

    from neurosim.neuron.units import describe_dimension

    units = unit if isinstance(unit, (list, tuple)) else [unit]
    need = " or ".join(describe_dimension(u) for u in units)
    head = f"{what}={show(value)}"
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{head}: expected {need}")
    dimensionless = all(get_dimensions(u).is_dimensionless for u in units)
    if not isinstance(value, Quantity) and not dimensionless:
        if isinstance(value, numbers.Number) and value == 0:
            value = 0 * units[0]  # a plain 0 is zero in any unit
        else:
            raise TypeError(f"{head}: expected {need} (a number with a unit)")
    try:
        x = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{head}: expected {need}") from None
    if not any(have_same_dimensions(value, u) for u in units):
        raise ValueError(f"{head}: wrong dimension, expected {need}")
    if scalar and x.ndim != 0:
        raise ValueError(f"{head}: expected one value, not an array")
    if not scalar and x.ndim not in (0, 1) or (x.ndim == 1 and n is not None and len(x) != n):
        raise ValueError(f"{head}: expected a scalar or an array of length {n}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{head}: must be finite")
    if positive and not np.all(x > 0):
        raise ValueError(f"{head}: must be positive")
    if nonnegative and not np.all(x >= 0):
        raise ValueError(f"{head}: must not be negative")
    return value


def check_name(name, what: str) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"{what} name {name!r}: expected an identifier (letters, digits, _)")
    return name


def check_int(value, what: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what}={show(value)}: expected an integer")
    if value < minimum:
        raise ValueError(f"{what}={value}: must be >= {minimum}")
    return int(value)


def resolve_model(model) -> "NeuronModel":
    """The :class:`~neurosim.neuron.model.NeuronModel` of ``model``.

    ``model`` is a NeuronModel or a library name: ``lif``, ``hh``, ``traub``,
    ``izhikevich[:PATTERN]``, ``adex[:PATTERN]`` (:func:`neurosim.neuron.library.get_model`).

    Raises
    ------
    ValueError
        Unknown name or pattern (one line).
    TypeError
        Neither a string nor a NeuronModel.
    """
    from neurosim.neuron.library import get_model
    from neurosim.neuron.model import NeuronModel

    if isinstance(model, NeuronModel):
        return model
    if not isinstance(model, str):
        raise TypeError(f"model={show(model)}: expected a model name (e.g. 'lif') or a "
                        "NeuronModel")
    name, _, pattern = model.partition(":")
    return get_model(name, pattern or None)
