"""The two planar integrate-and-fire models of :mod:`neurosim.neuron.library`, as vector fields.

Same equations and parameter sets as the simulator (the parameters are read from
:func:`neurosim.neuron.library.izhikevich` and :func:`~neurosim.neuron.library.adex`).

Izhikevich (2003), IEEE TNN 14:1569, Fig. 2 sets; v in mV, t in ms, u and I in pA across
C = 1 pF (so the paper's ``I = 10`` is 10 pA)::

    dv/dt = 0.04 v^2 + 5 v + 140 + (I - u)/C        du/dt = a (b v - u)
    v >= v_peak (30 mV)  ->  v = c, u = u + d

    J = [[0.08 v + 5,  -1/C],
         [a b,         -a  ]]

Equilibria lie on ``u = b v``: ``0.04 v^2 + (5 - b/C) v + 140 + I/C = 0``, whose discriminant
vanishes at the saddle-node current ``I_SN = C ((5 - b/C)^2 / 0.16 - 140)`` (4 pA for b = 0.2).

AdEx (Brette & Gerstner 2005), Naud et al. (2008) Table 1 patterns; v in mV, w and I in pA::

    C dv/dt = -gL (v - EL) + gL DeltaT exp((v - VT)/DeltaT) - w + I
    tau_w dw/dt = a (v - EL) - w                   v > v_cut (0 mV)  ->  v = Vr, w = w + b

    J = [[gL (exp((v - VT)/DeltaT) - 1) / C,  -1/C    ],
         [a / tau_w,                          -1/tau_w]]

Equilibria lie on ``w = a (v - EL)``; their saddle-node is at ``v = VT + DeltaT ln(1 + a/gL)``
(Touboul & Brette 2008, Biol Cybern 99:319). ``DeltaT = 0`` (the LIF limit, a hard threshold)
has no smooth vector field and is refused here.

The resets act only on trajectories (:mod:`.trajectories`): equilibria, eigenvalues and
nullclines are those of the continuous flow.
"""

from __future__ import annotations

import numpy as np

from .model import DynamicalModel

__all__ = ["izhikevich", "adex", "IZHIKEVICH_EQUATIONS", "ADEX_EQUATIONS"]

IZHIKEVICH_EQUATIONS = ("dv/dt = 0.04*v**2 + 5*v + 140 + (I - u)/Cm\ndu/dt = a*(b*v - u)\n"
                        "v >= v_peak -> v = c, u = u + d")
ADEX_EQUATIONS = ("Cm dv/dt = -gL*(v - EL) + gL*DeltaT*exp((v - VT)/DeltaT) - w + I\n"
                  "tau_w dw/dt = a*(v - EL) - w\nv > v_cut -> v = Vr, w = w + b")


def _izh_rhs(x, current, p):
    """``dv/dt = 0.04 v^2 + 5 v + 140 + (I - u)/C``, ``du/dt = a (b v - u)`` (v mV, u and I
    pA, C pF)."""
    v, u = x
    return np.stack([0.04 * v ** 2 + 5 * v + 140 + (current - u) / p["Cm"],
                     p["a"] * (p["b"] * v - u)])


def _izh_equilibrium(v, p):
    """The state on the u-nullcline ``u = b v``."""
    return np.stack([v, p["b"] * v])


def _izh_jacobian(x, current, p):
    """``J = [[0.08 v + 5, -1/C], [a b, -a]]``."""
    return np.array([[0.08 * x[0] + 5, -1 / p["Cm"]], [p["a"] * p["b"], -p["a"]]])


def _izh_reset(x, p):
    """``v >= v_peak (30 mV)  ->  v = c, u = u + d``."""
    return np.array([p["c"], x[1] + p["d"]])


def izhikevich(pattern: str = "RS") -> DynamicalModel:
    """Izhikevich (2003) (v, u) with a Fig. 2 set (``RS``, ``IB``, ``CH``, ``FS``, ``LTS``,
    ``TC``, ``RZ``); currents in pA. Raises ``ValueError`` for an unknown pattern."""
    from neurosim.neuron.library import izhikevich as neuron_izhikevich

    spec = neuron_izhikevich(pattern)
    return DynamicalModel(
        name=spec.name, state=("v", "u"), state_units=("mV", "pA"),
        parameters=dict(spec.parameters), rhs=_izh_rhs, equilibrium=_izh_equilibrium,
        jacobian=_izh_jacobian, equations=IZHIKEVICH_EQUATIONS, current_unit="pA",
        time_unit="ms", v_range=(-100.0, 30.0), window=((-85.0, 35.0), (-20.0, 10.0)),
        period_scale=50.0,
        reset=_izh_reset, spike_peak="v_peak", source=spec.source, positive=spec.positive,
        nonnegative=spec.nonnegative, patterns=spec.patterns)


def _adex_rhs(x, current, p):
    """The AdEx right-hand side (v mV, w and I pA)::

        C dv/dt = -gL (v - EL) + gL DeltaT exp((v - VT)/DeltaT) - w + I
        tau_w dw/dt = a (v - EL) - w
    """
    v, w = x
    with np.errstate(over="ignore"):
        spike = p["gL"] * p["DeltaT"] * np.exp((v - p["VT"]) / p["DeltaT"])
    return np.stack([(-p["gL"] * (v - p["EL"]) + spike - w + current) / p["Cm"],
                     (p["a"] * (v - p["EL"]) - w) / p["tau_w"]])


def _adex_equilibrium(v, p):
    """The state on the w-nullcline ``w = a (v - EL)``."""
    return np.stack([v, p["a"] * (v - p["EL"])])


def _adex_jacobian(x, current, p):
    """``J = [[gL (exp((v - VT)/DeltaT) - 1) / C, -1/C], [a / tau_w, -1/tau_w]]``."""
    v = x[0]
    return np.array([[p["gL"] * (np.exp((v - p["VT"]) / p["DeltaT"]) - 1) / p["Cm"],
                      -1 / p["Cm"]],
                     [p["a"] / p["tau_w"], -1 / p["tau_w"]]])


def _adex_reset(x, p):
    """``v > v_cut (0 mV)  ->  v = Vr, w = w + b``."""
    return np.array([p["Vr"], x[1] + p["b"]])


def adex(pattern: str = "tonic") -> DynamicalModel:
    """AdEx (v, w) with a Naud et al. (2008) pattern (``tonic``, ``adapting``, ...); pA.

    Raises ``ValueError`` for an unknown pattern; :meth:`DynamicalModel.with_parameters` and
    the analysis refuse ``DeltaT = 0`` (see the module docstring).
    """
    from neurosim.neuron.library import adex as neuron_adex

    spec = neuron_adex(pattern)
    return DynamicalModel(
        name=spec.name, state=("v", "w"), state_units=("mV", "pA"),
        parameters=dict(spec.parameters), rhs=_adex_rhs, equilibrium=_adex_equilibrium,
        jacobian=_adex_jacobian, equations=ADEX_EQUATIONS, current_unit="pA", time_unit="ms",
        v_range=(-100.0, 0.0), window=((-80.0, 5.0), (-100.0, 300.0)), period_scale=50.0,
        reset=_adex_reset,
        spike_peak="v_cut", source=spec.source,
        positive=tuple(dict.fromkeys(spec.positive + ("DeltaT",))),
        nonnegative=tuple(n for n in spec.nonnegative if n != "DeltaT"), patterns=spec.patterns)
