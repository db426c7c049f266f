"""Independent SciPy integration of the squid Hodgkin–Huxley equations (test reference).

Written from the 1952 equations in the modern convention (Dayan & Abbott 2001 §5.6; Gerstner
et al. 2014 Table 2.1), without any code from neurosim: plain floats in mV, ms, uA/cm2,
mS/cm2, uF/cm2; solved by scipy.integrate.solve_ivp (LSODA, rtol = atol = 1e-9, max_step
0.02 ms), piecewise over the segments of a current step so the discontinuities fall on
segment boundaries.
"""

import numpy as np
from scipy.integrate import solve_ivp

C, G_NA, G_K, G_L, E_NA, E_K, E_L = 1.0, 120.0, 36.0, 0.3, 50.0, -77.0, -54.387


def _vtrap(x, y):
    """x / (1 - exp(-x/y)), finite at x = 0."""
    if abs(x / y) < 1e-7:
        return y * (1 + x / y / 2)
    return x / (1 - np.exp(-x / y))


def rates(v):
    am = 0.1 * _vtrap(v + 40, 10)
    bm = 4 * np.exp(-(v + 65) / 18)
    ah = 0.07 * np.exp(-(v + 65) / 20)
    bh = 1 / (1 + np.exp(-(v + 35) / 10))
    an = 0.01 * _vtrap(v + 55, 10)
    bn = 0.125 * np.exp(-(v + 65) / 80)
    return am, bm, ah, bh, an, bn


def rhs(t, y, i_ext):
    v, m, h, n = y
    am, bm, ah, bh, an, bn = rates(v)
    i_ion = G_NA * m ** 3 * h * (v - E_NA) + G_K * n ** 4 * (v - E_K) + G_L * (v - E_L)
    return [(i_ext - i_ion) / C, am * (1 - m) - bm * m, ah * (1 - h) - bh * h,
            an * (1 - n) - bn * n]


def steady(v):
    am, bm, ah, bh, an, bn = rates(v)
    return [v, am / (am + bm), ah / (ah + bh), an / (an + bn)]


def step_response(amp, delay, duration, tail, t_eval_dt=0.01):
    """V(t) for a current step (uA/cm2) from rest at -65 mV; returns (t_ms, v_mV)."""
    y = steady(-65.0)
    ts, vs, t0 = [], [], 0.0
    for length, i_ext in ((delay, 0.0), (duration, amp), (tail, 0.0)):
        if length <= 0:
            continue
        n = int(round(length / t_eval_dt))
        t_eval = t0 + np.arange(n + 1) * t_eval_dt
        sol = solve_ivp(rhs, (t0, t0 + length), y, method="LSODA", t_eval=t_eval,
                        args=(i_ext,), rtol=1e-9, atol=1e-9, max_step=0.02)
        ts.append(sol.t[:-1])
        vs.append(sol.y[0, :-1])
        y = sol.y[:, -1]
        t0 += length
    return np.concatenate(ts), np.concatenate(vs)
