"""Independent NumPy/SciPy reference for the Hopf point of the squid Hodgkin–Huxley model.

Written for the tests from the 1952 equations in the modern convention (rest at -65 mV; Dayan &
Abbott 2001 §5.6, Gerstner et al. 2014 Table 2.1), with no code from neurosim, and by another
route than ``neurosim.dynamics``: the equilibrium at a current I is the root of the full 4-D
right-hand side (``scipy.optimize.root``, from the previous current's equilibrium), the Jacobian
is exact (rate derivatives by complex step, ``Im f(V + i h) / h``), and the Hopf current is the
root in I (``scipy.optimize.brentq``) of the largest real part of its eigenvalues. Plain floats
in mV, ms, µA/cm², mS/cm², µF/cm².
"""

import numpy as np
from scipy.optimize import brentq, root

C, G_NA, G_K, G_L, E_NA, E_K, E_L = 1.0, 120.0, 36.0, 0.3, 50.0, -77.0, -54.387


def _vtrap(x, y):
    """x / (1 - exp(-x/y)), finite at x = 0 (works for complex x)."""
    if abs(x / y) < 1e-7:
        return y * (1 + x / y / 2)
    return x / (1 - np.exp(-x / y))


def rates(v):
    """alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n in 1/ms at V (mV)."""
    return (0.1 * _vtrap(v + 40, 10), 4 * np.exp(-(v + 65) / 18),
            0.07 * np.exp(-(v + 65) / 20), 1 / (1 + np.exp(-(v + 35) / 10)),
            0.01 * _vtrap(v + 55, 10), 0.125 * np.exp(-(v + 65) / 80))


def rhs(y, i_ext):
    v, m, h, n = y
    am, bm, ah, bh, an, bn = rates(v)
    i_ion = G_NA * m ** 3 * h * (v - E_NA) + G_K * n ** 4 * (v - E_K) + G_L * (v - E_L)
    return np.array([(i_ext - i_ion) / C, am * (1 - m) - bm * m, ah * (1 - h) - bh * h,
                     an * (1 - n) - bn * n])


def rate_derivatives(v, h=1e-20):
    """d(alpha, beta)/dV by complex step: exact to rounding."""
    return [np.imag(r) / h for r in rates(complex(v, h))]


def jacobian(y):
    v, m, h, n = y
    am, bm, ah, bh, an, bn = rates(v)
    dam, dbm, dah, dbh, dan, dbn = rate_derivatives(v)
    return np.array([
        [-(G_NA * m ** 3 * h + G_K * n ** 4 + G_L) / C, -3 * G_NA * m ** 2 * h * (v - E_NA) / C,
         -G_NA * m ** 3 * (v - E_NA) / C, -4 * G_K * n ** 3 * (v - E_K) / C],
        [dam * (1 - m) - dbm * m, -(am + bm), 0, 0],
        [dah * (1 - h) - dbh * h, 0, -(ah + bh), 0],
        [dan * (1 - n) - dbn * n, 0, 0, -(an + bn)]])


def steady(v):
    am, bm, ah, bh, an, bn = rates(v)
    return np.array([v, am / (am + bm), ah / (ah + bh), an / (an + bn)])


def equilibrium(i_ext, guess=None):
    sol = root(lambda y: rhs(y, i_ext), steady(-65.0) if guess is None else guess,
               jac=jacobian, tol=1e-13)
    assert sol.success, sol.message
    return sol.x


def leading_real_part(i_ext):
    return float(np.max(np.linalg.eigvals(jacobian(equilibrium(i_ext))).real))


def hopf_current(lo=8.0, hi=11.0):
    """The current where the rest's leading eigenvalues cross the imaginary axis."""
    return brentq(leading_real_part, lo, hi, xtol=1e-12)
