"""A neuron model as a smooth vector field for analysis: ``dx/dt = f(x, I)``.

:class:`DynamicalModel` holds the right-hand side ``f`` as a NumPy function of the state ``x``
(shape ``(n_state, ...)``: any grid of points at once), the injected current ``I`` and the
parameters, plus the facts the analysis needs:

- ``equilibrium(v, p)``: the state on the intersection of every nullcline *except* V's, as a
  function of V (e.g. ``w = w_inf(V)``). For every model here the other variables relax to a
  function of V, so the equilibria at current I are the roots of the scalar function
  ``dV/dt(equilibrium(V), I)``, and ``I`` enters ``dV/dt`` only as ``+ I/C``: the branch of
  equilibria is the curve ``I_eq(V)`` (:mod:`.fixed_points`).
- ``jacobian(x, I, p)``: written out for the 2-D models; central differences otherwise.
- ``reset``: the spike rule of integrate-and-fire models (Izhikevich, AdEx), used when
  trajectories are integrated; the equilibria and their eigenvalues ignore it.

Parameters are kept as Brian2 quantities (``parameters``, as in
:class:`neurosim.neuron.model.NeuronModel`, and checked by the same
:meth:`~neurosim.neuron.model.NeuronModel.check_parameters`), and handed to ``f`` as plain
floats in *working units*: mV, ms, and pA / nS / pF for point neurons or µA/cm² / mS/cm² /
µF/cm² for membrane patches. In these units ``pA / pF = µA/cm² / (µF/cm²) = mV/ms`` and
``nS·mV = pA``, ``mS/cm²·mV = µA/cm²``, so every right-hand side is in state units per ms.
FitzHugh–Nagumo is dimensionless (time unit ``"1"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Callable, Mapping

import numpy as np

__all__ = ["DynamicalModel", "working_value"]


def _working_units():
    from brian2 import cm, mS, ms, mV, nS, pA, pF, uA, uF

    return (mV, ms, pA, nS, pF, uA / cm ** 2, mS / cm ** 2, uF / cm ** 2, 1 / ms)


def working_value(q) -> float:
    """``q`` (a Brian2 quantity or a plain number) as a float in working units.

    mV, ms, pA, nS, pF, µA/cm², mS/cm², µF/cm², 1/ms; a plain number stays as it is.

    Raises
    ------
    ValueError
        A dimension none of these has.
    """
    from brian2 import get_dimensions
    from brian2.units.fundamentalunits import have_same_dimensions

    if get_dimensions(q).is_dimensionless:
        return float(q)
    for unit in _working_units():
        if have_same_dimensions(q, unit):
            return float(q / unit)
    raise ValueError(f"{q!r}: no working unit for dimension {get_dimensions(q)}")


@dataclass(frozen=True)
class DynamicalModel:
    """A single-compartment neuron model written as ``dx/dt = f(x, I)`` for analysis.

    Attributes
    ----------
    name : str
        ``"fhn"``, ``"morris-lecar:class1"``, ``"hh"``, ...
    state : tuple of str
        State variables, V first (``("v", "w")``, ``("v", "m", "h", "n")``).
    state_units : tuple of str
        Unit of each, ``"1"`` when dimensionless (``("mV", "pA")``).
    parameters : Mapping[str, Quantity or float]
        Default values with units (Brian2), as :attr:`NeuronModel.parameters`.
    rhs : callable ``rhs(x, I, p) -> dxdt``
        ``x`` shape ``(n_state, ...)``, ``I`` a float or an array broadcasting with ``x[0]``,
        ``p`` the parameters as floats in working units (:attr:`values`); returns the same
        shape as ``x``, in state units per time unit.
    equilibrium : callable ``equilibrium(v, p) -> x``
        The state, shape ``(n_state, *v.shape)``, whose variables other than V sit on their
        nullclines at voltage ``v``.
    jacobian : callable ``jacobian(x, I, p) -> J`` or None
        ``J[i, j] = d f_i / d x_j`` at one state ``x`` (shape ``(n_state,)``); ``None``: central
        differences (:meth:`jacobian_at`).
    equations : str
        The equations as text, for documentation and output.
    current_unit, time_unit : str
        ``"uA/cm2"``, ``"pA"`` or ``"1"``; ``"ms"`` or ``"1"``.
    v_range : (float, float)
        Default voltage interval searched for equilibria (V's unit).
    window : tuple of (float, float)
        Default phase-plane window, one interval per state variable.
    period_scale : float
        A typical firing period (time unit): sets default integration times and sampling of
        the limit-cycle search (:mod:`.limit_cycles`).
    reset : callable ``reset(x, p) -> x`` or None
        Spike reset of integrate-and-fire models, applied when V reaches ``p[spike_peak]``.
    spike_peak : str or None
        Name of the parameter holding the spike cut-off voltage (with ``reset``).
    source : str
        Citation of the equations and parameter values.
    positive, nonnegative : tuple of str
        Sign constraints of the parameters (checked by :meth:`check_parameters`).
    """

    name: str
    state: tuple[str, ...]
    state_units: tuple[str, ...]
    parameters: Mapping[str, object]
    rhs: Callable
    equilibrium: Callable
    jacobian: Callable | None = None
    equations: str = ""
    current_unit: str = "1"
    time_unit: str = "ms"
    v_range: tuple[float, float] = (-100.0, 60.0)
    window: tuple[tuple[float, float], ...] = ()
    period_scale: float = 20.0
    reset: Callable | None = None
    spike_peak: str | None = None
    source: str = ""
    positive: tuple[str, ...] = ()
    nonnegative: tuple[str, ...] = ()
    patterns: tuple[str, ...] = field(default=())

    @property
    def n_state(self) -> int:
        """Number of state variables."""
        return len(self.state)

    @cached_property
    def values(self) -> dict[str, float]:
        """The parameters as floats in working units (mV, ms, pA, nS, µA/cm², ...)."""
        return {k: working_value(v) for k, v in self.parameters.items()}

    def check_parameters(self, values: Mapping[str, object], *, prefix: str = "parameter ",
                         given: Mapping[str, str] | None = None) -> None:
        """The rules and one-line messages of :meth:`NeuronModel.check_parameters`: known
        name, the default's dimension, finite, ``positive`` / ``nonnegative``.

        Raises ``ValueError`` (``TypeError`` for a value that is not a number)."""
        from neurosim.neuron.model import NeuronModel

        spec = NeuronModel(name=self.name, equations=self.equations,
                           parameters=self.parameters, initial={}, positive=self.positive,
                           nonnegative=self.nonnegative)
        spec.check_parameters(values, prefix=prefix, given=given)

    def with_parameters(self, **values) -> "DynamicalModel":
        """A copy with other parameter values (Brian2 quantities; checked first)."""
        self.check_parameters(values)
        return replace(self, parameters={**self.parameters, **values})

    def f(self, x, current) -> np.ndarray:
        """``dx/dt = f(x, I)`` at state(s) ``x`` (shape ``(n_state, ...)``) and current
        ``current``."""
        return self.rhs(np.asarray(x, dtype=float), current, self.values)

    def equilibrium_state(self, v) -> np.ndarray:
        """The state on the non-V nullclines at voltage(s) ``v``: shape ``(n_state, ...)``."""
        return self.equilibrium(np.asarray(v, dtype=float), self.values)

    def jacobian_at(self, x, current) -> np.ndarray:
        """The Jacobian ``J[i, j] = d f_i / d x_j`` at one state ``x``, shape ``(n, n)``.

        Written-out derivatives where the model has them; otherwise second-order central
        differences with step ``1e-6 * max(1, |x_j|)`` (error ~1e-10 relative here).
        """
        x = np.asarray(x, dtype=float)
        if self.jacobian is not None:
            return np.asarray(self.jacobian(x, current, self.values), dtype=float)
        n = x.size
        J = np.empty((n, n))
        for j in range(n):
            h = 1e-6 * max(1.0, abs(x[j]))
            e = np.zeros(n)
            e[j] = h
            J[:, j] = (self.f(x + e, current) - self.f(x - e, current)) / (2 * h)
        return J

    @property
    def v_peak(self) -> float | None:
        """The spike cut-off (V's unit) of reset models, else ``None``."""
        return None if self.spike_peak is None else self.values[self.spike_peak]
