"""Mean-field theory of the Brunel (2000) network: the Siegert rate and its self-consistency.

A leaky integrate-and-fire neuron (membrane time constant τ, threshold θ, reset V_r,
refractory period τ_rp) driven by white noise of mean μ and standard deviation σ
(``τ dV/dt = -V + μ + σ √τ ξ(t)``) fires at the rate (Siegert 1951; Amit & Brunel 1997,
Cereb Cortex 7:237, eq. A2; Brunel 2000, J Comput Neurosci 8:183, eq. 21)::

    1/ν = τ_rp + τ √π ∫_{(V_r - μ)/σ}^{(θ - μ)/σ} e^{u²} (1 + erf u) du

The integrand is written ``erfcx(-u) = e^{u²} erfc(-u) = e^{u²}(1 + erf u)``, which stays
finite and accurate where ``e^{u²}`` alone overflows or ``1 + erf u`` cancels (u → -∞).

In model A of Brunel (2000) every neuron receives C_E excitatory (weight J) and C_I = γ C_E
inhibitory (weight -gJ) recurrent inputs at the network rate ν, and C_E external excitatory
inputs at ν_ext = η ν_thr, ν_thr = θ/(J C_E τ) (eqs. 4–5, sec. 2)::

    μ(ν)  = C_E J τ (ν_ext + ν (1 - γ g))                                  (Brunel 2000, eq. 4)
    σ²(ν) = J² C_E τ (ν_ext + ν (1 + γ g²))                                (Brunel 2000, eq. 5)

and the stationary rate solves ``ν = φ(μ(ν), σ(ν))`` (eq. 21 with eqs. 4–5): here with
:func:`scipy.optimize.brentq` on ``[0, 1/τ_rp]``, where ``φ(ν) - ν`` changes sign. The CV of
the interspike intervals follows from the first-passage moments (Brunel 2000, eq. 22;
Tuckwell 1988)::

    CV² = 2 π (ν τ)² ∫_{y_r}^{y_θ} e^{x²} ∫_{-∞}^{x} e^{y²} (1 + erf y)² dy dx

Units: times in ms, voltages in mV, rates in Hz (plain floats).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize, special

__all__ = ["siegert_rate", "siegert_cv", "BrunelState", "brunel_stationary"]


def _check(**values):
    for name, x in values.items():
        if not (isinstance(x, (int, float, np.floating, np.integer)) and math.isfinite(x)):
            raise ValueError(f"{name}={x!r}: expected a finite number")


def siegert_rate(mu_mV: float, sigma_mV: float, *, tau_ms: float = 20.0,
                 theta_mV: float = 20.0, V_r_mV: float = 10.0, tau_rp_ms: float = 2.0) -> float:
    """Stationary rate (Hz) of an LIF neuron under white noise (Siegert 1951; module docstring)::

        1/ν = τ_rp + τ √π ∫_{(V_r - μ)/σ}^{(θ - μ)/σ} e^{u²} (1 + erf u) du

    Parameters
    ----------
    mu_mV, sigma_mV : float
        Mean and standard deviation (σ > 0) of the free membrane potential (mV).
    tau_ms, theta_mV, V_r_mV, tau_rp_ms : float
        Membrane time constant, threshold, reset, refractory period (defaults: Brunel 2000).

    Raises
    ------
    ValueError
        σ <= 0, τ <= 0, V_r >= θ or a non-finite value (one line).
    """
    _check(mu_mV=mu_mV, sigma_mV=sigma_mV, tau_ms=tau_ms, theta_mV=theta_mV, V_r_mV=V_r_mV,
           tau_rp_ms=tau_rp_ms)
    if sigma_mV <= 0 or tau_ms <= 0 or tau_rp_ms < 0 or V_r_mV >= theta_mV:
        raise ValueError(f"siegert_rate: need sigma > 0, tau > 0, tau_rp >= 0, V_r < theta "
                         f"(got sigma={sigma_mV}, tau={tau_ms}, V_r={V_r_mV}, "
                         f"theta={theta_mV})")
    lo, hi = (V_r_mV - mu_mV) / sigma_mV, (theta_mV - mu_mV) / sigma_mV
    if hi > 26.0:  # e^{u²} beyond float range: the rate is 0 to double precision
        return 0.0
    integral = integrate.quad(lambda u: special.erfcx(-u), lo, hi, limit=200)[0]
    return 1e3 / (tau_rp_ms + tau_ms * math.sqrt(math.pi) * integral)


def siegert_cv(nu_hz: float, mu_mV: float, sigma_mV: float, *, tau_ms: float = 20.0,
               theta_mV: float = 20.0, V_r_mV: float = 10.0) -> float:
    """CV of the interspike intervals of the same neuron (Brunel 2000, eq. 22)::

        CV² = 2 π (ν τ)² ∫_{y_r}^{y_θ} e^{x²} ∫_{-∞}^{x} e^{y²} (1 + erf y)² dy dx

    with ``y_r = (V_r - μ)/σ`` and ``y_θ = (θ - μ)/σ``.

    The integrand ``e^{x²} ∫_{-∞}^{x} e^{y²}(1 + erf y)² dy`` is computed as
    ``∫_0^∞ e^{2xz - z²} erfcx(z - x)² dz`` (y = x - z), which neither overflows nor cancels
    far below threshold.
    """
    _check(nu_hz=nu_hz, mu_mV=mu_mV, sigma_mV=sigma_mV)
    yr, yt = (V_r_mV - mu_mV) / sigma_mV, (theta_mV - mu_mV) / sigma_mV
    if nu_hz <= 0 or yt > 26.0:
        return 1.0  # Poisson limit of rare escapes

    def outer_integrand(x):
        # e^{x²} ∫_{-∞}^{x} e^{-y²} erfcx(-y)² dy with y = x - z: no overflow for x << 0
        return integrate.quad(lambda z: math.exp(2 * x * z - z * z) * special.erfcx(z - x) ** 2,
                              0.0, np.inf, limit=200)[0]

    outer = integrate.quad(outer_integrand, yr, yt, limit=200)[0]
    nu_ms = nu_hz * 1e-3
    return math.sqrt(2 * math.pi * (nu_ms * tau_ms) ** 2 * outer)


@dataclass(frozen=True)
class BrunelState:
    """A stationary state of Brunel's model A.

    Attributes
    ----------
    rate_hz : float
        Self-consistent rate ν.
    mu_mV, sigma_mV : float
        Mean and standard deviation of the input at ν (eqs. 4–5).
    cv : float
        ISI CV of the Siegert neuron at that input (eq. 22).
    nu_thr_hz : float
        θ/(J C_E τ).
    """

    rate_hz: float
    mu_mV: float
    sigma_mV: float
    cv: float
    nu_thr_hz: float


def brunel_stationary(g: float, eta: float, *, C_E: int = 800, gamma: float = 0.25,
                      J_mV: float = 0.1, tau_ms: float = 20.0, theta_mV: float = 20.0,
                      V_r_mV: float = 10.0, tau_rp_ms: float = 2.0) -> BrunelState:
    """Self-consistent stationary rate of Brunel (2000) model A (module docstring)::

        ν_thr = θ/(J C_E τ),  ν_ext = η ν_thr
        μ(ν)  = C_E J τ (ν_ext + ν (1 - γ g))                                  (eq. 4)
        σ²(ν) = J² C_E τ (ν_ext + ν (1 + γ g²))                                (eq. 5)
        ν = φ(μ(ν), σ(ν)),  φ = siegert_rate                                    (eq. 21)

    solved with ``brentq`` on ``[0, 1/τ_rp]``.

    Parameters
    ----------
    g : float
        Relative inhibition (>= 0).
    eta : float
        External rate over ν_thr (> 0).
    C_E : int
        Excitatory in-degree (0.1 N_E; 800 for order 2000). ``C_I = gamma C_E``.
    J_mV, tau_ms, theta_mV, V_r_mV, tau_rp_ms : float
        Brunel (2000) / NEST ``brunel_delta_nest`` values by default.

    Returns
    -------
    BrunelState

    Raises
    ------
    ValueError
        Out-of-range parameters (one line).
    """
    _check(g=g, eta=eta, gamma=gamma, J_mV=J_mV)
    if g < 0 or eta <= 0 or C_E < 1 or J_mV <= 0 or tau_rp_ms <= 0:
        raise ValueError(f"brunel_stationary: need g >= 0, eta > 0, C_E >= 1, J > 0, "
                         f"tau_rp > 0 (got g={g}, eta={eta}, C_E={C_E}, J={J_mV})")
    tau_s = tau_ms * 1e-3
    nu_thr = theta_mV / (J_mV * C_E * tau_s)          # Hz
    nu_ext = eta * nu_thr

    def mu_sigma(nu):
        mu = C_E * J_mV * tau_s * (nu_ext + nu * (1 - gamma * g))
        var = J_mV ** 2 * C_E * tau_s * (nu_ext + nu * (1 + gamma * g ** 2))
        return mu, math.sqrt(var)

    def phi(nu):
        mu, sigma = mu_sigma(nu)
        return siegert_rate(mu, sigma, tau_ms=tau_ms, theta_mV=theta_mV, V_r_mV=V_r_mV,
                            tau_rp_ms=tau_rp_ms)

    nu_max = 1e3 / tau_rp_ms
    nu = optimize.brentq(lambda x: phi(x) - x, 0.0, nu_max * (1 - 1e-12), xtol=1e-10,
                         rtol=1e-10)
    mu, sigma = mu_sigma(nu)
    cv = siegert_cv(nu, mu, sigma, tau_ms=tau_ms, theta_mV=theta_mV, V_r_mV=V_r_mV)
    return BrunelState(rate_hz=nu, mu_mV=mu, sigma_mV=sigma, cv=cv, nu_thr_hz=nu_thr)
