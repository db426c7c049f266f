"""The squid Hodgkin–Huxley model (4-D) and Rinzel's planar reduction, for analysis.

The model neurosim simulates: parameters from :func:`neurosim.neuron.library.hh` (Hodgkin &
Huxley 1952, rest at -65 mV; C = 1 µF/cm², gNa = 120, gK = 36, gL = 0.3 mS/cm², ENa = 50,
EK = -77, EL = -54.387 mV) and rates from :func:`neurosim.neuron.rates.hh_rates`. V in mV,
t in ms, I in µA/cm²::

    C dV/dt = gNa m^3 h (ENa - V) + gK n^4 (EK - V) + gL (EL - V) + I
    dx/dt   = alpha_x(V) (1 - x) - beta_x(V) x,        x in {m, h, n}

Equilibria: each gate at ``x_inf(V) = alpha_x / (alpha_x + beta_x)``. The Jacobian is taken by
central differences of this right-hand side (:meth:`DynamicalModel.jacobian_at`).

Rinzel (1985), "Excitation dynamics: insights from simplified membrane models", Fed Proc
44:2944 (also Izhikevich 2007, §5.2.1; Gerstner et al. 2014, §4.2): sodium activation is
instantaneous, ``m = m_inf(V)``, and h follows n along the line ``h = 0.89 - 1.1 n`` on which
the full model's trajectories lie, leaving the planar system in (V, n)::

    C dV/dt = gNa m_inf(V)^3 (0.89 - 1.1 n) (ENa - V) + gK n^4 (EK - V) + gL (EL - V) + I
    dn/dt   = alpha_n(V) (1 - n) - beta_n(V) n
"""

from __future__ import annotations

import numpy as np

from .model import DynamicalModel

__all__ = ["hodgkin_huxley", "hh_rinzel", "HH_EQUATIONS", "RINZEL_EQUATIONS"]

HH_EQUATIONS = ("C dV/dt = gNa*m**3*h*(ENa - V) + gK*n**4*(EK - V) + gL*(EL - V) + I\n"
                "dx/dt = alpha_x(V)*(1 - x) - beta_x(V)*x, x in m, h, n")
RINZEL_EQUATIONS = ("C dV/dt = gNa*m_inf(V)**3*(0.89 - 1.1*n)*(ENa - V) + gK*n**4*(EK - V)"
                    " + gL*(EL - V) + I\ndn/dt = alpha_n(V)*(1 - n) - beta_n(V)*n")
_SOURCE = ("Hodgkin & Huxley 1952 (J Physiol 117:500), rest at -65 mV, parameters and rates "
           "of neurosim.neuron.library.hh")


def _gates(v):
    from neurosim.neuron.rates import hh_rates

    return hh_rates(v)


def _hh_rhs(x, current, p):
    """The 4-D right-hand side, rates of :func:`neurosim.neuron.rates.hh_rates`::

        C dV/dt = gNa m^3 h (ENa - V) + gK n^4 (EK - V) + gL (EL - V) + I
        dx/dt   = alpha_x(V) (1 - x) - beta_x(V) x,        x in {m, h, n}
    """
    v, m, h, n = x
    a, b = _gates(v)
    out = np.empty((4,) + np.broadcast_shapes(x.shape[1:], np.shape(current)))
    n2 = n * n
    out[0] = (p["gNa"] * m * m * m * h * (p["ENa"] - v) + p["gK"] * n2 * n2 * (p["EK"] - v)
              + p["gL"] * (p["EL"] - v) + current) / p["Cm"]
    for k, (name, y) in enumerate((("m", m), ("h", h), ("n", n)), start=1):
        out[k] = a[name] * (1 - y) - b[name] * y
    return out


def _hh_equilibrium(v, p):
    """Each gate at ``x_inf(V) = alpha_x / (alpha_x + beta_x)``."""
    a, b = _gates(v)
    return np.stack([v] + [a[k] / (a[k] + b[k]) for k in ("m", "h", "n")])


def _hh_params():
    from neurosim.neuron.library import hh

    spec = hh()
    return spec, dict(spec.parameters)


def hodgkin_huxley() -> DynamicalModel:
    """The 4-D squid HH model (V, m, h, n) that ``neurosim neuron hh`` simulates; µA/cm²."""
    spec, params = _hh_params()
    return DynamicalModel(
        name="hh", state=("v", "m", "h", "n"), state_units=("mV", "1", "1", "1"),
        parameters=params, rhs=_hh_rhs, equilibrium=_hh_equilibrium, equations=HH_EQUATIONS,
        current_unit="uA/cm2", time_unit="ms", v_range=(-100.0, 60.0),
        window=((-85.0, 50.0), (0.0, 1.0), (0.0, 1.0), (0.0, 1.0)), period_scale=15.0,
        source=_SOURCE,
        positive=spec.positive, nonnegative=spec.nonnegative)


def _rinzel_rhs(x, current, p):
    """Rinzel's (1985) planar reduction: ``m = m_inf(V)``, ``h = 0.89 - 1.1 n``::

        C dV/dt = gNa m_inf(V)^3 (0.89 - 1.1 n) (ENa - V) + gK n^4 (EK - V) + gL (EL - V) + I
        dn/dt   = alpha_n(V) (1 - n) - beta_n(V) n
    """
    v, n = x
    a, b = _gates(v)
    m_inf = a["m"] / (a["m"] + b["m"])
    dv = (p["gNa"] * m_inf ** 3 * (0.89 - 1.1 * n) * (p["ENa"] - v)
          + p["gK"] * n ** 4 * (p["EK"] - v) + p["gL"] * (p["EL"] - v) + current) / p["Cm"]
    return np.stack([dv, a["n"] * (1 - n) - b["n"] * n])


def _rinzel_equilibrium(v, p):
    """n on its nullcline, ``n_inf(V) = alpha_n / (alpha_n + beta_n)``."""
    a, b = _gates(v)
    return np.stack([v, a["n"] / (a["n"] + b["n"])])


def hh_rinzel() -> DynamicalModel:
    """Rinzel's (1985) planar reduction (V, n) of the squid HH model; µA/cm²."""
    spec, params = _hh_params()
    return DynamicalModel(
        name="hh-rinzel", state=("v", "n"), state_units=("mV", "1"), parameters=params,
        rhs=_rinzel_rhs, equilibrium=_rinzel_equilibrium, equations=RINZEL_EQUATIONS,
        current_unit="uA/cm2", time_unit="ms", v_range=(-100.0, 60.0),
        window=((-85.0, 50.0), (0.2, 0.85)), period_scale=15.0, positive=spec.positive,
        nonnegative=spec.nonnegative,
        source="Rinzel 1985 (Fed Proc 44:2944): m = m_inf(V), h = 0.89 - 1.1 n; " + _SOURCE)
