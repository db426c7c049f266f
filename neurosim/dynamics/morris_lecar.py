"""Morris–Lecar: a calcium-potassium membrane, the standard planar conductance model.

Morris & Lecar (1981), Biophys J 35:193; the two parameter sets of Rinzel & Ermentrout (1989),
"Analysis of neural excitability and oscillations", in Koch & Segev (eds.), *Methods in
Neuronal Modeling*, ch. 5, Appendix A (also Ermentrout & Terman 2010, *Mathematical Foundations
of Neuroscience*, Table 3.1). V in mV, t in ms, per unit area::

    C dV/dt = I - gL (V - VL) - gCa m_inf(V) (V - VCa) - gK w (V - VK)
    dw/dt   = phi (w_inf(V) - w) / tau_w(V)
    m_inf(V) = (1 + tanh((V - V1)/V2)) / 2
    w_inf(V) = (1 + tanh((V - V3)/V4)) / 2
    tau_w(V) = 1 / cosh((V - V3) / (2 V4))

Common values: C = 20 µF/cm², gL = 2, gK = 8 mS/cm², VL = -60, VCa = 120, VK = -84 mV,
V1 = -1.2, V2 = 18 mV; I in µA/cm².

=========== =================================== ======== ===== ====== =========
set         rest loses stability through        gCa      V3    V4     phi
=========== =================================== ======== ===== ====== =========
``class2``  a Hopf bifurcation (R&E Figs 1-3)   4.4      2     30     0.04/ms
``class1``  a saddle-node on an invariant       4.0      12    17.4   1/15 /ms
            circle, SNIC (R&E Figs 4-6)
=========== =================================== ======== ===== ====== =========

Jacobian (``m' = dm_inf/dV = (1 - tanh^2((V - V1)/V2)) / (2 V2)``, likewise ``w'``)::

    dV'/dV = -(gL + gCa (m' (V - VCa) + m_inf) + gK w) / C     dV'/dw = -gK (V - VK) / C
    dw'/dV = phi (w' cosh(.) + (w_inf - w) sinh(.) / (2 V4))    dw'/dw = -phi cosh(.)

with ``(.) = (V - V3)/(2 V4)``.
"""

from __future__ import annotations

import numpy as np

from .model import DynamicalModel

__all__ = ["morris_lecar", "ML_SETS", "EQUATIONS"]

EQUATIONS = ("C dV/dt = I - gL*(V - VL) - gCa*m_inf(V)*(V - VCa) - gK*w*(V - VK)\n"
             "dw/dt = phi*(w_inf(V) - w)*cosh((V - V3)/(2*V4))\n"
             "m_inf = (1 + tanh((V - V1)/V2))/2, w_inf = (1 + tanh((V - V3)/V4))/2")

#: set -> (gCa mS/cm², V3 mV, V4 mV, phi 1/ms): Rinzel & Ermentrout (1989), Appendix A
ML_SETS = {"class2": (4.4, 2.0, 30.0, 0.04), "class1": (4.0, 12.0, 17.4, 1 / 15)}


def _m_inf(v, p):
    """``m_inf(V) = (1 + tanh((V - V1)/V2)) / 2``."""
    return 0.5 * (1 + np.tanh((v - p["V1"]) / p["V2"]))


def _w_inf(v, p):
    """``w_inf(V) = (1 + tanh((V - V3)/V4)) / 2``."""
    return 0.5 * (1 + np.tanh((v - p["V3"]) / p["V4"]))


def _rhs(x, current, p):
    """The right-hand side (``phi / tau_w(V)`` computed as ``phi cosh((V - V3)/(2 V4))``)::

        C dV/dt = I - gL (V - VL) - gCa m_inf(V) (V - VCa) - gK w (V - VK)
        dw/dt   = phi (w_inf(V) - w) / tau_w(V)
        tau_w(V) = 1 / cosh((V - V3) / (2 V4))
    """
    v, w = x
    i_ion = (p["gL"] * (v - p["VL"]) + p["gCa"] * _m_inf(v, p) * (v - p["VCa"])
             + p["gK"] * w * (v - p["VK"]))
    rate = p["phi"] * np.cosh((v - p["V3"]) / (2 * p["V4"]))        # phi / tau_w(V)
    return np.stack([(current - i_ion) / p["C"], rate * (_w_inf(v, p) - w)])


def _equilibrium(v, p):
    return np.stack([v, _w_inf(v, p)])


def _jacobian(x, current, p):
    """The Jacobian, ``(.) = (V - V3)/(2 V4)``, ``m' = dm_inf/dV``, ``w' = dw_inf/dV``::

        dV'/dV = -(gL + gCa (m' (V - VCa) + m_inf) + gK w) / C     dV'/dw = -gK (V - VK) / C
        dw'/dV = phi (w' cosh(.) + (w_inf - w) sinh(.) / (2 V4))    dw'/dw = -phi cosh(.)
    """
    v, w = x
    tm, tw = np.tanh((v - p["V1"]) / p["V2"]), np.tanh((v - p["V3"]) / p["V4"])
    dm, dw = (1 - tm ** 2) / (2 * p["V2"]), (1 - tw ** 2) / (2 * p["V4"])
    z = (v - p["V3"]) / (2 * p["V4"])
    return np.array([
        [-(p["gL"] + p["gCa"] * (dm * (v - p["VCa"]) + _m_inf(v, p)) + p["gK"] * w) / p["C"],
         -p["gK"] * (v - p["VK"]) / p["C"]],
        [p["phi"] * (dw * np.cosh(z) + (_w_inf(v, p) - w) * np.sinh(z) / (2 * p["V4"])),
         -p["phi"] * np.cosh(z)]])


def morris_lecar(pattern: str = "class1") -> DynamicalModel:
    """Morris–Lecar with Rinzel & Ermentrout's ``class1`` (SNIC) or ``class2`` (Hopf) set.

    Raises ``ValueError`` for another set name. ``phi`` is a rate (1/ms; ``--param
    phi=0.04kHz``); currents in µA/cm².
    """
    from brian2 import cm, kHz, mS, mV, uF

    key = str(pattern).lower()
    if key not in ML_SETS:
        raise ValueError(f"--pattern {pattern}: unknown Morris–Lecar set; choose from "
                         f"{', '.join(ML_SETS)}")
    gca, v3, v4, phi = ML_SETS[key]
    g, u = mS / cm ** 2, mV
    params = dict(C=20 * uF / cm ** 2, gL=2 * g, gCa=gca * g, gK=8 * g, VL=-60 * u,
                  VCa=120 * u, VK=-84 * u, V1=-1.2 * u, V2=18 * u, V3=v3 * u, V4=v4 * u,
                  phi=phi * kHz)
    return DynamicalModel(
        name=f"morris-lecar:{key}", state=("v", "w"), state_units=("mV", "1"),
        parameters=params, rhs=_rhs, equilibrium=_equilibrium, jacobian=_jacobian,
        equations=EQUATIONS, current_unit="uA/cm2", time_unit="ms", v_range=(-100.0, 100.0),
        window=((-80.0, 50.0), (-0.05, 0.7)), period_scale=100.0, positive=("C", "V2", "V4", "phi"),
        nonnegative=("gL", "gCa", "gK"), patterns=tuple(ML_SETS),
        source="Morris & Lecar 1981 (Biophys J 35:193); parameter sets of Rinzel & Ermentrout "
               "1989 (Methods in Neuronal Modeling, ch. 5, Appendix A; Ermentrout & Terman "
               "2010, Table 3.1)")
