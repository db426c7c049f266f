"""Gating rates of the Hodgkin–Huxley-type models: one table, a Brian2 form and a NumPy form.

Each gate x in {m, h, n} opens at rate alpha_x(V) and closes at rate beta_x(V) (1/ms, V in
mV)::

    dx/dt = alpha_x (1 - x) - beta_x x,        x_inf(V) = alpha_x / (alpha_x + beta_x)

with the rates of Hodgkin & Huxley (1952) (:func:`hh_rates`) or of Traub & Miles (1991)
(:func:`traub_rates`).

The single source is :data:`HH_RATE_TABLE` / :data:`TRAUB_RATE_TABLE`: each rate is one
expression in Brian2's syntax (``v`` a voltage, ``mV`` and ``ms`` units). The linear-over-
exponential rates are written with ``exprel(x) = (exp(x) - 1)/x``, e.g.
``0.1 (V+40)/(1 - exp(-(V+40)/10)) = 1/exprel(-(V+40)/10)``, finite at the removable
singularities (V = −40 mV for HH's alpha_m, −55 mV for its alpha_n). :func:`brian2_rates`
writes a table as Brian2 subexpressions (``HH_RATES``); :func:`numpy_rates` evaluates the
same expressions with NumPy, V in mV and ``mV = ms = 1`` (multiplying or dividing by 1.0 is
exact, so the values are those of the formulas written out in NumPy).
"""

from __future__ import annotations

import numpy as np

__all__ = ["HH_RATE_TABLE", "TRAUB_RATE_TABLE", "HH_GATES", "HH_RATES", "TRAUB_RATES",
           "brian2_rates", "numpy_rates", "exprel", "hh_rates", "traub_rates",
           "steady_state", "hh_steady_state", "traub_steady_state"]

#: Hodgkin & Huxley (1952), rest at -65 mV: rate name -> Brian2 expression (Hz)
HH_RATE_TABLE = {
    "alpha_m": "1.0/exprel(-(v + 40*mV)/(10*mV))/ms",
    "beta_m": "4.0*exp(-(v + 65*mV)/(18*mV))/ms",
    "alpha_h": "0.07*exp(-(v + 65*mV)/(20*mV))/ms",
    "beta_h": "1.0/(1 + exp(-(v + 35*mV)/(10*mV)))/ms",
    "alpha_n": "0.1/exprel(-(v + 55*mV)/(10*mV))/ms",
    "beta_n": "0.125*exp(-(v + 65*mV)/(80*mV))/ms",
}

#: Traub & Miles (1991), Ermentrout–Kopell reduction: rate name -> Brian2 expression (Hz)
TRAUB_RATE_TABLE = {
    "alpha_m": "1.28/exprel(-(v + 54*mV)/(4*mV))/ms",
    "beta_m": "1.4/exprel((v + 27*mV)/(5*mV))/ms",
    "alpha_h": "0.128*exp(-(v + 50*mV)/(18*mV))/ms",
    "beta_h": "4.0/(1 + exp(-(v + 27*mV)/(5*mV)))/ms",
    "alpha_n": "0.16/exprel(-(v + 52*mV)/(5*mV))/ms",
    "beta_n": "0.5*exp(-(v + 57*mV)/(40*mV))/ms",
}

#: first-order kinetics of the gates m, h, n (shared with the compartments of ``morphology``)
HH_GATES = """
dm/dt = alpha_m*(1 - m) - beta_m*m : 1
dh/dt = alpha_h*(1 - h) - beta_h*h : 1
dn/dt = alpha_n*(1 - n) - beta_n*n : 1
"""


def brian2_rates(table: dict[str, str]) -> str:
    """A rate table as Brian2 subexpressions, one ``name = expression : Hz`` line each."""
    return "\n" + "".join(f"{name} = {expr} : Hz\n" for name, expr in table.items())


#: the squid axon's rate functions (Hodgkin & Huxley 1952, rest at -65 mV)
HH_RATES = brian2_rates(HH_RATE_TABLE)
#: the Traub–Miles rate functions (Traub & Miles 1991; Ermentrout & Kopell 1998)
TRAUB_RATES = brian2_rates(TRAUB_RATE_TABLE)


def exprel(x):
    """``(exp(x) - 1)/x``, 1 at x = 0 (|x| <= 1e-9); array of x's shape."""
    x = np.asarray(x, dtype=float)
    out = np.ones_like(x)
    nz = np.abs(x) > 1e-9
    out[nz] = np.expm1(x[nz]) / x[nz]
    return out


_COMPILED = {}


def numpy_rates(table: dict[str, str], v_mV) -> tuple[dict, dict]:
    """Evaluate a rate table with NumPy: ``(alpha, beta)`` in 1/ms at V (mV).

    ``alpha["m"]`` etc. have the shape of ``v_mV`` (scalar or array); the expressions of
    ``table`` are evaluated with ``v = v_mV``, ``mV = ms = 1`` and NumPy's ``exp``.
    """
    namespace = {"v": np.asarray(v_mV, dtype=float), "mV": 1.0, "ms": 1.0,
                 "exp": np.exp, "exprel": exprel}
    alpha, beta = {}, {}
    for name, expr in table.items():
        code = _COMPILED.get(expr)
        if code is None:
            code = _COMPILED[expr] = compile(expr, name, "eval")
        kind, gate = name.split("_")
        (alpha if kind == "alpha" else beta)[gate] = eval(code, {"__builtins__": {}}, namespace)
    return alpha, beta


def hh_rates(v_mV) -> tuple[dict, dict]:
    """Opening and closing rates ``(alpha, beta)`` of the squid HH gates, 1/ms, at V (mV).

    Hodgkin & Huxley (1952), J Physiol 117:500, squid giant axon at 6.3 °C, rest at −65 mV
    (Dayan & Abbott 2001, §5.6; Gerstner et al. 2014, Table 2.1)::

        alpha_m = 0.1 (V+40) / (1 - exp(-(V+40)/10))    beta_m = 4 exp(-(V+65)/18)
        alpha_h = 0.07 exp(-(V+65)/20)                  beta_h = 1 / (1 + exp(-(V+35)/10))
        alpha_n = 0.01 (V+55) / (1 - exp(-(V+55)/10))   beta_n = 0.125 exp(-(V+65)/80)

    The NumPy form of :data:`HH_RATES` (:func:`numpy_rates` of :data:`HH_RATE_TABLE`):
    ``alpha["m"]`` etc. have the shape of ``v_mV`` (scalar or array). Used for initial
    conditions and for the equilibria and Jacobians of :mod:`neurosim.dynamics`.
    """
    return numpy_rates(HH_RATE_TABLE, v_mV)


def traub_rates(v_mV) -> tuple[dict, dict]:
    """Opening and closing rates ``(alpha, beta)`` of the Traub–Miles gates, 1/ms, at V (mV).

    Traub & Miles (1991), as reduced by Ermentrout & Kopell (1998, PNAS 95:1259; Börgers
    2017, ch. 5)::

        alpha_m = 0.32 (V+54) / (1 - exp(-(V+54)/4))    beta_m = 0.28 (V+27) / (exp((V+27)/5) - 1)
        alpha_h = 0.128 exp(-(V+50)/18)                 beta_h = 4 / (1 + exp(-(V+27)/5))
        alpha_n = 0.032 (V+52) / (1 - exp(-(V+52)/5))   beta_n = 0.5 exp(-(V+57)/40)

    The NumPy form of :data:`TRAUB_RATES` (:func:`numpy_rates` of :data:`TRAUB_RATE_TABLE`).
    """
    return numpy_rates(TRAUB_RATE_TABLE, v_mV)


def steady_state(table: dict[str, str], v_mV: float) -> dict[str, float]:
    """Steady-state gates ``x_inf = alpha_x/(alpha_x + beta_x)`` of a rate table at V (mV)."""
    a, b = numpy_rates(table, float(v_mV))
    return {k: float(a[k] / (a[k] + b[k])) for k in a}


def hh_steady_state(v_mV: float) -> dict[str, float]:
    """Steady-state m, h, n of the squid HH model at a voltage (mV); initial conditions."""
    return steady_state(HH_RATE_TABLE, v_mV)


def traub_steady_state(v_mV: float) -> dict[str, float]:
    """Steady-state m, h, n of the Traub–Miles model at a voltage (mV)."""
    return steady_state(TRAUB_RATE_TABLE, v_mV)
