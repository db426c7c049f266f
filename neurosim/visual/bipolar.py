"""Bipolar cells: contrast gain control, a biphasic temporal filter, and the split into ON
and OFF pathways.

1. Contrast gain control (divisive, from the local contrast energy of the OPL signal ``o``)::

       g = o / (c_half + sqrt(G(sigma_cg) * o**2))

   Responses grow linearly at low contrast and saturate at high contrast; the
   half-saturation ``c_half`` sets the contrast-response c50. Shapley & Victor (1978)
   J Physiol 285:275; Mante, Bonin & Carandini (2008) Neuron 58:625.

2. Temporal filter (movies only): a fast low-pass minus a fraction ``k`` of a slow one::

       b(t) = L_fast(g)(t) - k * L_slow(g)(t),      L_tau: tau dy/dt = x - y

   Sustained (midget-like, small ``k``) or transient (parasol-like, ``k`` near 1) cells;
   a light step gives an ON overshoot at onset and a negative undershoot at offset, which
   drives OFF cells at offset. Static images are treated as flashed: their gain is the peak
   of the step response (:func:`flash_gain`).

3. ON bipolars invert the cone signal through mGluR6, OFF bipolars keep its sign through
   AMPA/kainate receptors; both rectify (Werblin & Dowling 1969 J Neurophysiol 32:339)::

       on = [b]+,     off = [-b]+

The low-pass filters are exact exponential-decay recursions (``scipy.signal.lfilter``),
initialised at the steady state of the first frame.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from .opl import gaussian_blur

__all__ = ["contrast_gain_control", "lowpass", "biphasic", "flash_gain", "on_off"]


def contrast_gain_control(o: np.ndarray, c_half: float, sigma_cg: float) -> np.ndarray:
    """Divisively normalised OPL signal ``g`` (same shape as ``o``):
    ``g = o / (c_half + sqrt(G(sigma_cg) * o**2))``."""
    local = np.sqrt(np.maximum(gaussian_blur(o * o, sigma_cg), 0))
    return o / (c_half + local)


def lowpass(x: np.ndarray, tau: float, dt: float, axis: int = 0) -> np.ndarray:
    """First-order low-pass filter along ``axis`` (time step ``dt``, time constant ``tau``,
    both in seconds), started at the steady state of the first sample: ``tau dy/dt = x - y``
    solved exactly for input constant over a step, ``y[k] = a y[k-1] + (1 - a) x[k]``,
    ``a = exp(-dt/tau)``."""
    a = np.exp(-dt / tau)
    b_coef, a_coef = [1 - a], [1, -a]
    x0 = np.take(x, [0], axis=axis)
    zi = signal.lfilter_zi(b_coef, a_coef).reshape((1,) * x.ndim) * x0 * 1.0
    y, _ = signal.lfilter(b_coef, a_coef, x, axis=axis, zi=zi)
    return y.astype(x.dtype, copy=False)


def biphasic(x: np.ndarray, dt: float, tau_fast: float, tau_slow: float, k: float,
             axis: int = 0) -> np.ndarray:
    """``L_fast(x) - k * L_slow(x)`` along the time ``axis``."""
    return lowpass(x, tau_fast, dt, axis) - k * lowpass(x, tau_slow, dt, axis)


def flash_gain(tau_fast: float, tau_slow: float, k: float) -> float:
    """Peak of the biphasic filter's response to a unit step (the gain for a static image).

    Step response: ``(1 - exp(-t/tau_fast)) - k (1 - exp(-t/tau_slow))``; its maximum is at
    ``t* = ln((tau_slow/(k tau_fast))) * tau_fast tau_slow / (tau_slow - tau_fast)`` when
    ``k tau_fast < tau_slow``, else the response rises monotonically to ``1 - k``.
    """
    if tau_slow <= tau_fast or k * tau_fast >= tau_slow:
        return 1.0 - k
    t = np.log(tau_slow / (k * tau_fast)) * tau_fast * tau_slow / (tau_slow - tau_fast) \
        if k > 0 else np.inf
    if not np.isfinite(t):
        return 1.0
    return float((1 - np.exp(-t / tau_fast)) - k * (1 - np.exp(-t / tau_slow)))


def on_off(b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ON and OFF bipolar outputs ``([b]+, [-b]+)``."""
    return np.maximum(b, 0), np.maximum(-b, 0)
