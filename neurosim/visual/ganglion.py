"""Retinal ganglion cells: ON and OFF, two receptive-field scales (midget-like and
parasol-like), rates and Poisson spikes.

Each *channel* is one RGC class with its own OPL centre–surround, contrast gain control and
temporal filter (:mod:`.opl`, :mod:`.bipolar`). A ganglion cell pools rectified bipolar
input over a small Gaussian and adds a maintained discharge::

    r_on  = r0 + r_max * G(sigma_pool) * [b]+        (Hz)
    r_off = r0 + r_max * G(sigma_pool) * [-b]+

Spikes are an inhomogeneous Poisson process with rate ``r`` (the spiking path uses Brian2's
``PoissonGroup`` with the same rates; :func:`poisson_spikes` is the NumPy version).

Channel defaults, in pixels, scaled for 28 x 28 images (one pixel ~ one midget centre):

==========  ========  ========  =====  =======  ==============================
channel     sigma_c   sigma_s   w_s    k        character
==========  ========  ========  =====  =======  ==============================
midget      0.6       2.4       0.9    0.3      small, sustained (parvocellular)
parasol     1.5       5.0       0.9    0.85     large, transient (magnocellular)
==========  ========  ========  =====  =======  ==============================

Surround/centre radius ratios of 3–6 and surround weights of 0.6–0.9 follow Croner &
Kaplan (1995) Vision Res 35:7; parasol centres are ~2–3 x midget centres at the same
eccentricity (Dacey & Petersen 1992 PNAS 89:9666); parasol cells are more transient and
have higher contrast gain (Kaplan & Shapley 1986 PNAS 83:2755; Benardete & Kaplan 1999).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .opl import gaussian_blur

__all__ = ["ChannelParams", "MIDGET", "PARASOL", "ganglion_rates", "poisson_spikes"]


@dataclass(frozen=True)
class ChannelParams:
    """One ganglion-cell class. Lengths in pixels, times in seconds, rates in Hz."""
    name: str
    sigma_c: float          # OPL centre
    sigma_s: float          # horizontal-cell surround
    w_s: float              # surround weight
    c_half: float           # contrast gain control half-saturation (photoreceptor units)
    sigma_cg: float         # contrast-pool size
    tau_fast: float         # temporal filter
    tau_slow: float
    k: float                # transience (0 sustained ... 1 fully transient)
    sigma_pool: float = 0.5  # bipolar -> ganglion pooling
    r0: float = 5.0          # maintained discharge
    r_max: float = 100.0     # gain


MIDGET = ChannelParams("midget", sigma_c=0.6, sigma_s=2.4, w_s=0.9, c_half=0.008, sigma_cg=3.0,
                       tau_fast=0.010, tau_slow=0.060, k=0.3)
PARASOL = ChannelParams("parasol", sigma_c=1.5, sigma_s=5.0, w_s=0.9, c_half=0.005,
                        sigma_cg=5.0, tau_fast=0.008, tau_slow=0.040, k=0.85)


def ganglion_rates(on: np.ndarray, off: np.ndarray, ch: ChannelParams):
    """ON and OFF ganglion-cell rates (Hz) from bipolar outputs, same shapes as the inputs::

        r_on  = r0 + r_max * G(sigma_pool) * [b]+
        r_off = r0 + r_max * G(sigma_pool) * [-b]+
    """
    r_on = ch.r0 + ch.r_max * gaussian_blur(on, ch.sigma_pool)
    r_off = ch.r0 + ch.r_max * gaussian_blur(off, ch.sigma_pool)
    return r_on, r_off


def poisson_spikes(rates: np.ndarray, dt: float, n_steps: int, rng: np.random.Generator):
    """Bernoulli approximation of Poisson spike trains: a spike in a step with probability
    ``r dt``.

    Parameters
    ----------
    rates : ndarray, any shape (Hz), constant over time; or shape ``(n_steps, ...)``.
    dt : float
        Time step, s (``rates * dt`` must stay below 1).
    rng : numpy.random.Generator

    Returns
    -------
    bool ndarray of shape ``(n_steps, *rates.shape[-k:])``: True where a spike occurs.
    """
    rates = np.asarray(rates, float)
    p = rates * dt
    if np.any(p > 1) or np.any(p < 0):
        raise ValueError(f"rates*dt must lie in [0, 1]; max is {p.max():.3g}")
    shape = p.shape if (p.ndim and p.shape[0] == n_steps) else (n_steps, *p.shape)
    return rng.random(shape) < p
