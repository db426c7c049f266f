"""FitzHugh–Nagumo: the two-variable caricature of excitability (dimensionless).

FitzHugh (1961), Biophys J 1:445; Nagumo, Arimoto & Yoshizawa (1962); in the form and with
the parameters of Izhikevich & FitzHugh (2006), Scholarpedia 1(9):1349 ("FitzHugh–Nagumo
model": a = 0.7, b = 0.8, 1/tau = 0.08)::

    dv/dt = v - v^3/3 - w + I                 (fast voltage-like variable)
    dw/dt = (v + a - b w) / tau               (slow recovery)

Nullclines: ``w = v - v^3/3 + I`` (v) and ``w = (v + a)/b`` (w). Jacobian::

    J = [[1 - v^2,   -1     ],
         [1/tau,     -b/tau ]]

trace ``1 - v^2 - b/tau``, determinant ``(b (v^2 - 1) + 1)/tau``. Everything (v, w, I, t) is
dimensionless; ``current_unit`` and ``time_unit`` are ``"1"``.
"""

from __future__ import annotations

import numpy as np

from .model import DynamicalModel

__all__ = ["fitzhugh_nagumo", "EQUATIONS"]

EQUATIONS = "dv/dt = v - v**3/3 - w + I\ndw/dt = (v + a - b*w)/tau"


def _rhs(x, current, p):
    """``dv/dt = v - v^3/3 - w + I``, ``dw/dt = (v + a - b w) / tau``."""
    v, w = x
    return np.stack([v - v ** 3 / 3 - w + current, (v + p["a"] - p["b"] * w) / p["tau"]])


def _equilibrium(v, p):
    """The state on the w-nullcline ``w = (v + a)/b`` at ``v``."""
    return np.stack([v, (v + p["a"]) / p["b"]])


def _jacobian(x, current, p):
    """``J = [[1 - v^2, -1], [1/tau, -b/tau]]``: trace ``1 - v^2 - b/tau``, determinant
    ``(b (v^2 - 1) + 1)/tau``."""
    v = x[0]
    return np.array([[1 - v ** 2, -1.0], [1 / p["tau"], -p["b"] / p["tau"]]])


def fitzhugh_nagumo(a: float = 0.7, b: float = 0.8, tau: float = 12.5) -> DynamicalModel:
    """FitzHugh–Nagumo with Izhikevich & FitzHugh's (2006) parameters (module docstring).

    Parameters are plain numbers (``tau > 0``, ``b >= 0``); the state is ``(v, w)``.
    """
    return DynamicalModel(
        name="fhn", state=("v", "w"), state_units=("1", "1"),
        parameters={"a": float(a), "b": float(b), "tau": float(tau)},
        rhs=_rhs, equilibrium=_equilibrium, jacobian=_jacobian, equations=EQUATIONS,
        current_unit="1", time_unit="1", v_range=(-3.0, 3.0),
        window=((-2.5, 2.5), (-1.0, 2.5)), period_scale=40.0, positive=("tau",), nonnegative=("b",),
        source="FitzHugh 1961 (Biophys J 1:445); Izhikevich & FitzHugh 2006 (Scholarpedia "
               "1(9):1349): a = 0.7, b = 0.8, tau = 12.5")
