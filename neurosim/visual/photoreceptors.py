"""Photoreceptors: light adaptation as a compressive (Michaelis–Menten / Naka–Rushton)
nonlinearity whose half-saturation follows the adapting luminance.

    p = I**n / (I**n + I_a**n),        I_a = max(adapting luminance, I_dark)

``p`` in [0, 1] is the normalised photocurrent (hyperpolarisation). At the adapting level
``p = 1/2`` whatever the absolute luminance: the cone reports *contrast* around the mean
(Weber's law), and large increments saturate. ``I_dark`` (the "dark light") keeps a black
image finite.

Sources: Naka & Rushton (1966) J Physiol 185:536; Normann & Perlman (1979) J Physiol 286:491
(cone intensity–response curves shift with background); Shapley & Enroth-Cugell (1984)
Prog Retinal Res 3:263 (light adaptation in the retina).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PhotoreceptorParams", "photoreceptors", "adapting_luminance"]


@dataclass(frozen=True)
class PhotoreceptorParams:
    n: float = 0.7          # exponent of the compressive nonlinearity (cones: ~0.7-1)
    I_dark: float = 0.05    # dark light, same units as luminance


def adapting_luminance(images: np.ndarray, time_axis: bool = False) -> np.ndarray:
    """Mean luminance each image (or, with ``time_axis``, the whole movie) adapts to.

    ``images`` has shape ``(N, H, W)``; returns shape ``(N, 1, 1)`` (or ``(1, 1, 1)``).
    """
    axes = (0, 1, 2) if time_axis else (1, 2)
    return images.mean(axis=axes, keepdims=True)


def photoreceptors(I: np.ndarray, I_adapt, params: PhotoreceptorParams = PhotoreceptorParams()):
    """Photoreceptor output ``p`` (same shape as ``I``, values in [0, 1])::

        p = I**n / (I**n + I_a**n),        I_a = max(adapting luminance, I_dark)

    Parameters
    ----------
    I : ndarray, shape (N, H, W)
        Luminance, >= 0 (arbitrary units; stimuli use [0, 1]).
    I_adapt : float or ndarray broadcastable to ``I``
        Adapting luminance (e.g. :func:`adapting_luminance`).
    """
    Ia = np.maximum(np.asarray(I_adapt, dtype=I.dtype), params.I_dark)
    In = np.power(np.maximum(I, 0), params.n, dtype=I.dtype)
    return In / (In + Ia ** params.n)
