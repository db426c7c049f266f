"""Tuning-curve measures used in visual physiology.

* Circular variance of an orientation tuning curve (Ringach, Shapley & Hawken 2002
  J Neurosci 22:5639), orientations doubled because orientation has period 180 degrees::

      CV = 1 - |sum_k r_k exp(2 i theta_k)| / sum_k r_k          (0: sharp, 1: untuned)

* Half-width at half-height of the tuning curve (degrees), from linear interpolation on the
  circle around the peak, after subtracting the minimum response.
* Modulation ratio F1/F0 for a response to a drifting grating (Skottun et al. 1991 Vision Res
  31:1079): F0 = mean, F1 = amplitude of the Fourier component at the stimulus temporal
  frequency over a whole number of cycles. Simple cells > 1, complex cells < 1.
* Suppression index of an area–response curve (e.g. Sceniak et al. 1999 Nat Neurosci
  2:733): ``SI = (r_peak - r_largest) / r_peak``.
* Naka–Rushton contrast response (Albrecht & Hamilton 1982 J Neurophysiol 48:217)::

      r(c) = r_max * c**n / (c**n + c50**n) + b

  fitted by least squares with ``scipy.optimize.curve_fit``.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import curve_fit

__all__ = ["circular_variance", "half_width", "f1_f0", "suppression_index", "naka_rushton",
           "fit_naka_rushton"]


def _pos(r):
    r = np.asarray(r, float)
    if r.ndim != 1 or r.size < 2:
        raise ValueError(f"responses: need a 1-D curve with >= 2 points, got shape {r.shape}")
    if not np.all(np.isfinite(r)):
        raise ValueError("responses: contain NaN or infinite values")
    return r


def circular_variance(theta_deg, r) -> float:
    """Circular variance in [0, 1] of responses ``r`` (>= 0) at orientations ``theta_deg``
    spanning [0, 180). A silent curve (sum 0) counts as untuned (1)::

        CV = 1 - |sum_k r_k exp(2 i theta_k)| / sum_k r_k
    """
    r = np.maximum(_pos(r), 0)
    th = np.deg2rad(np.asarray(theta_deg, float))
    s = r.sum()
    if s <= 0:
        return 1.0
    return float(1 - np.abs(np.sum(r * np.exp(2j * th))) / s)


def half_width(theta_deg, r, level: float = 0.5) -> float:
    """Half-width (degrees) at ``level`` of the peak above baseline of an orientation tuning
    curve sampled evenly over [0, 180). Returns 90 for a flat curve."""
    r = _pos(r)
    if np.asarray(theta_deg).shape != r.shape:
        raise ValueError("theta_deg: need one orientation per response")
    n = r.size
    step = 180.0 / n
    rr = r - r.min()
    if rr.max() <= 0:
        return 90.0
    k = int(np.argmax(rr))
    target = level * rr[k]
    widths = []
    for direction in (1, -1):
        for j in range(1, n + 1):
            a, b = rr[(k + direction * (j - 1)) % n], rr[(k + direction * j) % n]
            if b <= target:
                frac = (a - target) / (a - b) if a != b else 0.0
                widths.append((j - 1 + frac) * step)
                break
        else:
            widths.append(90.0)
    return float(min(np.mean(widths), 90.0))


def f1_f0(r_t, dt: float, tf: float) -> float:
    """Modulation ratio F1/F0 of a response time course ``r_t`` (Hz) sampled every ``dt`` s
    under a grating drifting at ``tf`` Hz. Uses the longest whole number of cycles."""
    r = _pos(r_t)
    per = 1.0 / (tf * dt)          # samples per cycle
    n_cyc = int(np.floor(r.size / per + 1e-9))
    if n_cyc < 1:
        raise ValueError(f"response of {r.size} samples is shorter than one cycle ({per:g})")
    m = int(round(n_cyc * per))
    r = r[:m]
    t = np.arange(m) * dt
    F0 = r.mean()
    F1 = 2 * np.abs(np.mean(r * np.exp(-2j * np.pi * tf * t)))
    return float(F1 / F0) if F0 > 0 else 0.0


def suppression_index(r) -> float:
    """``(max - last) / max`` of an area–response curve ordered by increasing size."""
    r = _pos(r)
    peak = r.max()
    return float((peak - r[-1]) / peak) if peak > 0 else 0.0


def naka_rushton(c, r_max, c50, n, b=0.0):
    """``r_max c**n / (c**n + c50**n) + b``."""
    c = np.asarray(c, float)
    cn = np.power(c, n)
    return r_max * cn / (cn + np.power(c50, n)) + b


def fit_naka_rushton(c, r) -> dict:
    """Least-squares Naka–Rushton fit.

    Parameters
    ----------
    c : array_like, contrasts in (0, 1].  r : array_like, responses.

    Returns
    -------
    dict with ``r_max, c50, n, b`` and ``r2`` (coefficient of determination).
    """
    c = np.asarray(c, float)
    r = _pos(r)
    if c.shape != r.shape or np.any(c <= 0):
        raise ValueError("contrasts: need positive values, one per response")
    p0 = [max(r.max() - r.min(), 1e-6), float(np.median(c)), 2.0, float(r.min())]
    lo = [0.0, c.min() / 100, 0.3, -np.inf]
    hi = [np.inf, c.max() * 100, 10.0, np.inf]
    popt, _ = curve_fit(naka_rushton, c, r, p0=p0, bounds=(lo, hi), maxfev=20000)
    pred = naka_rushton(c, *popt)
    ss = np.sum((r - r.mean()) ** 2)
    r2 = 1 - np.sum((r - pred) ** 2) / ss if ss > 0 else 1.0
    return dict(r_max=float(popt[0]), c50=float(popt[1]), n=float(popt[2]), b=float(popt[3]),
                r2=float(r2))
