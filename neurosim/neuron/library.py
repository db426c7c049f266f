"""The cited single-neuron models: LIF, Hodgkin–Huxley (squid), Traub–Miles, Izhikevich, AdEx.

LIF (Lapicque 1907; Gerstner et al., *Neuronal Dynamics* 2014, §1.3)::

    tau dv/dt = E_L - v + R I        v > v_th  ->  v = v_reset, clamped for t_ref

Hodgkin & Huxley (1952), squid giant axon at 6.3 °C, modern sign convention with rest at
−65 mV (Dayan & Abbott 2001, §5.6; Gerstner et al. 2014, Table 2.1), per unit area, V in mV,
rates in 1/ms. Integrated with RK4 up to dt = 0.025 ms (at dt = 0.01 ms max |ΔV| vs SciPy
LSODA ~1e-4 mV) and with Brian2's exponential Euler above (each gate's linear ODE, and V's
given the gates, solved exactly over a step: V stays between its start and its steady state, so
it cannot diverge; RK4 diverged at dt = 0.08 ms for HH and 0.07 ms for Traub–Miles at
500 µA/cm²; exponential Euler keeps 7 spikes for 10 µA/cm² over 100 ms up to dt = 0.2 ms,
with a first-order spike-time drift of about 0.5 ms per 100 ms and 0.01 ms of dt). The
rates alpha_x(V), beta_x(V) are the table of :mod:`neurosim.neuron.rates` (one source for
these Brian2 equations and the NumPy rates of :mod:`neurosim.dynamics`)::

    C dV/dt = gNa m^3 h (ENa - V) + gK n^4 (EK - V) + gL (EL - V) + I
    dx/dt   = alpha_x (1 - x) - beta_x x                       x in {m, h, n}
    C = 1 uF/cm2, gNa = 120, gK = 36, gL = 0.3 mS/cm2, ENa = 50, EK = -77, EL = -54.387 mV

Traub–Miles cortical pyramidal cell (Traub & Miles 1991, as reduced by Ermentrout & Kopell
1998, PNAS 95:1259; parameters of the "RTM" neuron in Börgers 2017, *An Introduction to
Modeling Neuronal Dynamics*, ch. 5, with m kept dynamic); a class-I neuron (f–I continuous);
the same equations with the Traub–Miles rates of :mod:`neurosim.neuron.rates`::

    C = 1 uF/cm2, gNa = 100, gK = 80, gL = 0.1 mS/cm2, ENa = 50, EK = -100, EL = -67 mV

Izhikevich (2003), IEEE TNN 14:1569, Fig. 2 parameter sets; the model is dimensionless in the
paper (v in mV, t in ms); here u and I are currents in pA across C = 1 pF, so the paper's
``I = 10`` is 10 pA::

    dv/dt = 0.04 v^2 + 5 v + 140 + (I - u)/C     du/dt = a (b v - u)
    v >= 30 mV  ->  v = c, u = u + d

AdEx (Brette & Gerstner 2005), patterns of Naud et al. (2008), Biol Cybern 99:335, Table 1
(values as in Brian2's example ``Naud_et_al_2008_adex_firing_patterns.py``), spike cut at 0 mV::

    C dv/dt = -gL (v - EL) + gL DeltaT exp((v - VT)/DeltaT) - w + I
    tau_w dw/dt = a (v - EL) - w                v > 0 mV  ->  v = Vr, w = w + b

DeltaT = 0 is the model's LIF limit (Brette & Gerstner 2005: the exponential term tends to 0
below VT and to infinity above it, a hard threshold at VT), computed as that limit, per neuron:
the exponential term is 0 and the spike rule is v >= VT. (The term is written as
``gL DeltaT exp((v - VT)/(DeltaT + [DeltaT = 0] mV))``, finite when DeltaT = 0, so both
code-generation targets compute the same.) For the ``tonic`` pattern at 500 pA for 200 ms,
dt = 0.01 ms: 37 spikes at DeltaT = 0, the same as at 0.01, 0.001 and 1e-6 mV (steady ISI
5.23 ms at 0 and 5.24 ms at 1e-6 mV), 34 at 0.1 mV, 20 at the pattern's 2 mV: the limit is
continuous. DeltaT < 0 is rejected.
"""

from __future__ import annotations

import numpy as np

from common.choices import did_you_mean

from ..checks import require_choice
from .model import NeuronModel
from .rates import (HH_GATES, HH_RATES, TRAUB_RATES, hh_rates, hh_steady_state,  # noqa: F401
                    traub_steady_state)

__all__ = ["lif", "hh", "traub", "izhikevich", "adex", "get_model", "lookup_model", "MODELS",
           "IZHIKEVICH_PATTERNS", "ADEX_PATTERNS", "hh_rates", "hh_steady_state",
           "traub_steady_state"]

# --- Izhikevich (2003) Fig. 2: a (1/ms), b (nS here), c (mV), d (pA here) -------------------
IZHIKEVICH_PATTERNS = {
    "RS": (0.02, 0.2, -65.0, 8.0),    # regular spiking (cortical excitatory)
    "IB": (0.02, 0.2, -55.0, 4.0),    # intrinsically bursting
    "CH": (0.02, 0.2, -50.0, 2.0),    # chattering (fast rhythmic bursting)
    "FS": (0.1, 0.2, -65.0, 2.0),     # fast spiking (inhibitory)
    "LTS": (0.02, 0.25, -65.0, 2.0),  # low-threshold spiking (inhibitory)
    "TC": (0.02, 0.25, -65.0, 0.05),  # thalamo-cortical
    "RZ": (0.1, 0.26, -65.0, 2.0),    # resonator
}

# --- Naud et al. (2008) Table 1: C pF, gL nS, EL mV, VT mV, DeltaT mV, a nS, tau_w ms, b pA,
#     Vr mV, and the step current I pA of the paper's figure --------------------------------
ADEX_PATTERNS = {
    "tonic":                    (200, 10, -70, -50, 2, 2, 30, 0, -58, 500),
    "adapting":                 (200, 12, -70, -50, 2, 2, 300, 60, -58, 500),
    "initial_burst":            (130, 18, -58, -50, 2, 4, 150, 120, -50, 400),
    "regular_bursting":         (200, 10, -58, -50, 2, 2, 120, 100, -46, 210),
    "delayed_accelerating":     (200, 12, -70, -50, 2, -10, 300, 0, -58, 300),
    "delayed_regular_bursting": (100, 10, -65, -50, 2, -10, 90, 30, -47, 110),
    "transient":                (100, 10, -65, -50, 2, 10, 90, 100, -47, 180),
    "irregular":                (100, 12, -60, -50, 2, -11, 130, 30, -48, 160),
}


def lif(tau=None, R=None, E_L=None, v_th=None, v_reset=None, t_ref=None) -> NeuronModel:
    """Leaky integrate-and-fire neuron with an absolute refractory period (current in A)
    (Lapicque 1907; Gerstner et al. 2014, §1.3)::

        tau dv/dt = E_L - v + R I        v > v_th  ->  v = v_reset, clamped for t_ref

    Integrated with exponential Euler, which is exact for an input constant over a time step.

    Defaults: tau = 10 ms, R = 100 MΩ, E_L = v_reset = −70 mV, v_th = −50 mV, t_ref = 2 ms
    (rheobase θ/R = 0.2 nA).
    """
    from brian2 import Mohm, mV, ms

    p = dict(tau=10 * ms, R=100 * Mohm, E_L=-70 * mV, v_th=-50 * mV, v_reset=-70 * mV,
             t_ref=2 * ms)
    for k, v in dict(tau=tau, R=R, E_L=E_L, v_th=v_th, v_reset=v_reset, t_ref=t_ref).items():
        if v is not None:
            p[k] = v
    return NeuronModel(
        name="lif", equations="dv/dt = (E_L - v + R*I_inj)/tau : volt (unless refractory)",
        parameters=p, initial={"v": p["E_L"]}, current="absolute", threshold="v > v_th",
        reset="v = v_reset", refractory="t_ref", method="exponential_euler", dt=0.01 * ms,
        spike_peak=None, v_detect=None, positive=("tau", "R"), nonnegative=("t_ref",),
        source="Lapicque 1907; Gerstner, Kistler, Naud & Paninski, Neuronal Dynamics (2014) §1.3")


_HH_EQS = """
dv/dt = (gNa*m**3*h*(ENa - v) + gK*n**4*(EK - v) + gL*(EL - v) + I_inj)/Cm : volt
""" + HH_GATES

#: largest dt (ms) integrated with RK4 in the HH-type models; exponential Euler above. RK4
#: diverged at 0.08 ms (HH) and 0.07 ms (Traub–Miles) for 500 µA/cm² steps: ~3x margin.
RK4_MAX_DT_MS = 0.025


def _conductance_model(name, rates, steady_state, conductances, reversal, v_rest,
                       source) -> NeuronModel:
    """An HH-type model: C = 1 µF/cm², (gNa, gK, gL) mS/cm², (ENa, EK, EL) mV, rest v_rest
    mV with the gates at their steady state; RK4 up to :data:`RK4_MAX_DT_MS`, exponential
    Euler above; µA/cm²."""
    from brian2 import cm, mS, ms, mV, uF

    (gNa, gK, gL), (ENa, EK, EL) = conductances, reversal
    p = dict(Cm=1 * uF / cm ** 2, gNa=gNa * mS / cm ** 2, gK=gK * mS / cm ** 2,
             gL=gL * mS / cm ** 2, ENa=ENa * mV, EK=EK * mV, EL=EL * mV)
    init = {"v": v_rest * mV, **steady_state(v_rest)}
    return NeuronModel(
        name=name, equations=_HH_EQS + rates, parameters=p, initial=init,
        current="density", threshold="v > -20*mV", refractory="v > -20*mV",
        method="rk4", dt=0.01 * ms, v_detect=-20 * mV, stable_method="exponential_euler",
        method_max_dt=RK4_MAX_DT_MS * ms, positive=("Cm",), nonnegative=("gNa", "gK", "gL"),
        source=source)


def hh() -> NeuronModel:
    """Hodgkin–Huxley (1952) squid axon, rest −65 mV; current density (µA/cm²)::

        C dV/dt = gNa m^3 h (ENa - V) + gK n^4 (EK - V) + gL (EL - V) + I
        dx/dt   = alpha_x (1 - x) - beta_x x                       x in {m, h, n}

    with the rates of :func:`neurosim.neuron.rates.hh_rates` and the parameters of the module
    docstring (J Physiol 117:500)."""
    return _conductance_model(
        "hh", HH_RATES, hh_steady_state, (120, 36, 0.3), (50, -77, -54.387), -65.0,
        "Hodgkin & Huxley 1952 (J Physiol 117:500), rest at -65 mV as in Dayan & "
        "Abbott 2001 §5.6 and Gerstner et al. 2014 Table 2.1")


def traub() -> NeuronModel:
    """Traub–Miles cortical pyramidal neuron (Ermentrout–Kopell reduction); µA/cm²: the HH
    equations ``C dV/dt = gNa m^3 h (ENa - V) + gK n^4 (EK - V) + gL (EL - V) + I`` with the
    rates of :func:`neurosim.neuron.rates.traub_rates` and the parameters of the module
    docstring (Traub & Miles 1991; Ermentrout & Kopell 1998; Börgers 2017, ch. 5)."""
    return _conductance_model(
        "traub", TRAUB_RATES, traub_steady_state, (100, 80, 0.1), (50, -100, -67), -67.0,
        "Traub & Miles 1991; Ermentrout & Kopell 1998 (PNAS 95:1259); Börgers 2017 ch. 5")


def izhikevich(pattern: str = "RS") -> NeuronModel:
    """Izhikevich (2003) simple model with a Fig. 2 parameter set; current in A (pA scale)
    (IEEE TNN 14:1569; u and I in pA across C = 1 pF)::

        dv/dt = 0.04 v^2 + 5 v + 140 + (I - u)/C     du/dt = a (b v - u)
        v >= 30 mV  ->  v = c, u = u + d
    """
    from brian2 import mV, ms, nS, pA, pF

    key = pattern.upper()
    if key not in IZHIKEVICH_PATTERNS:
        raise ValueError(f"--pattern {pattern}: unknown Izhikevich pattern; choose from "
                         f"{', '.join(IZHIKEVICH_PATTERNS)}"
                         f"{did_you_mean(pattern, IZHIKEVICH_PATTERNS)}")
    a, b, c, d = IZHIKEVICH_PATTERNS[key]
    p = dict(a=a / ms, b=b * nS, c=c * mV, d=d * pA, Cm=1 * pF, v_peak=30 * mV)
    # start at the stable resting point: 0.04 v^2 + (5 - b) v + 140 = 0, lower root (mV)
    v0 = (-(5 - b) - np.sqrt((5 - b) ** 2 - 4 * 0.04 * 140)) / (2 * 0.04) * mV
    return NeuronModel(
        name=f"izhikevich:{key}",
        equations="dv/dt = (0.04/mV*v**2 + 5*v + 140*mV)/ms + (I_inj - u)/Cm : volt\n"
                  "du/dt = a*(b*v - u) : amp",
        parameters=p, initial={"v": v0, "u": b * nS * v0}, current="absolute",
        threshold="v >= v_peak", reset="v = c; u += d", method="euler", dt=0.01 * ms,
        spike_peak="v_peak", positive=("Cm",), nonnegative=("a",),
        source="Izhikevich 2003, IEEE TNN 14:1569, Fig. 2",
        patterns=tuple(IZHIKEVICH_PATTERNS))


#: AdEx; I_spike is the exponential spike-initiation current, 0 in the LIF limit DeltaT = 0
_ADEX_EQS = """
dv/dt = (gL*(EL - v) + I_spike - w + I_inj)/Cm : volt
dw/dt = (a*(v - EL) - w)/tau_w : amp
I_spike = gL*DeltaT*exp((v - VT)/(DeltaT + int(DeltaT == 0*mV)*mV)) : amp
"""


def adex(pattern: str = "tonic") -> NeuronModel:
    """Adaptive exponential integrate-and-fire with a Naud et al. (2008) pattern; current in A
    (Brette & Gerstner 2005)::

        C dv/dt = -gL (v - EL) + gL DeltaT exp((v - VT)/DeltaT) - w + I
        tau_w dw/dt = a (v - EL) - w                v > 0 mV  ->  v = Vr, w = w + b

    ``DeltaT = 0`` (e.g. ``adex().with_parameters(DeltaT=0*mV)``) is the LIF limit: no
    exponential term, spike at ``v >= VT`` (module docstring).
    """
    from brian2 import mV, ms, nS, pA, pF

    key = pattern.lower().replace("-", "_").replace(" ", "_")
    if key not in ADEX_PATTERNS:
        raise ValueError(f"--pattern {pattern}: unknown AdEx pattern; choose from "
                         f"{', '.join(ADEX_PATTERNS)}{did_you_mean(pattern, ADEX_PATTERNS)}")
    C, gL, EL, VT, DT, a, tau_w, b, Vr, _ = ADEX_PATTERNS[key]
    p = dict(Cm=C * pF, gL=gL * nS, EL=EL * mV, VT=VT * mV, DeltaT=DT * mV, a=a * nS,
             tau_w=tau_w * ms, b=b * pA, Vr=Vr * mV, v_cut=0 * mV)
    return NeuronModel(
        name=f"adex:{key}",
        equations=_ADEX_EQS, parameters=p, initial={"v": EL * mV, "w": 0 * pA},
        current="absolute", threshold="v > v_cut or (DeltaT == 0*mV and v >= VT)",
        reset="v = Vr; w += b", method="euler", dt=0.01 * ms, spike_peak="v_cut",
        positive=("Cm", "gL", "tau_w"), nonnegative=("DeltaT",),
        source="Brette & Gerstner 2005; Naud et al. 2008, Biol Cybern 99:335, Table 1",
        patterns=tuple(ADEX_PATTERNS))


def adex_paper_current(pattern: str):
    """The step current (Quantity) Naud et al. (2008) used for an AdEx pattern."""
    from brian2 import pA

    key = pattern.lower().replace("-", "_").replace(" ", "_")
    return ADEX_PATTERNS[key][-1] * pA


#: CLI model names -> (factory, takes a pattern)
MODELS = {"lif": (lif, False), "hh": (hh, False), "traub": (traub, False),
          "izhikevich": (izhikevich, True), "adex": (adex, True)}


def get_model(name: str, pattern: str | None = None) -> NeuronModel:
    """Model by CLI name (``lif``, ``hh``, ``traub``, ``izhikevich``, ``adex``) and pattern."""
    return lookup_model(MODELS, name, pattern)


def lookup_model(registry: dict, name: str, pattern: str | None = None):
    """``registry[name]``'s factory called with ``pattern``; one-line ``ValueError`` for an
    unknown name, or a pattern given to a model that has none (shared by
    :func:`neurosim.dynamics.models.get_model`)."""
    require_choice(name, registry, f"model {name!r}")
    factory, takes_pattern = registry[name]
    if takes_pattern:
        return factory(pattern) if pattern is not None else factory()
    if pattern is not None:
        raise ValueError(f"--pattern {pattern}: model {name!r} has no patterns")
    return factory()
