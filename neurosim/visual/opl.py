"""Outer plexiform layer: cone centre minus horizontal-cell surround, a difference of
Gaussians (DoG).

    q = p - 1/2                             (cone signal about its adapted operating point)
    h = G(sigma_s) * q                      (horizontal cells: wide, electrically coupled)
    o = G(sigma_c) * q  -  w_s * h          (cone terminal after surround feedback)

``*`` is 2-D convolution over the image; ``G(sigma)`` is a unit-area Gaussian. A uniform field at
the adapting luminance gives ``o = 0``; with ``w_s < 1`` (an unbalanced field, as in real ganglion
cells) a uniform *change* of luminance still gives a small response. The DoG is the classical model
of the centre–surround receptive field: Rodieck (1965) Vision Res 5:583; Enroth-Cugell & Robson
(1966) J Physiol 187:517; horizontal-cell feedback: Baylor, Fuortes & O'Bryan (1971) J Physiol
214:265.

Borders are handled by reflection (``mode='reflect'``), so an image edge is not an edge in
the scene.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

__all__ = ["gaussian_blur", "horizontal_cells", "outer_plexiform"]


def gaussian_blur(x: np.ndarray, sigma: float, truncate: float = 3.0) -> np.ndarray:
    """Unit-area Gaussian blur over the last two axes of ``x`` (any leading shape)."""
    if sigma <= 0:
        return x.copy()
    sig = (0,) * (x.ndim - 2) + (sigma, sigma)
    return ndimage.gaussian_filter(x, sig, mode="reflect", truncate=truncate)


def horizontal_cells(p: np.ndarray, sigma_s: float) -> np.ndarray:
    """Horizontal-cell signal ``h = G(sigma_s) * p``, same shape as ``p``."""
    return gaussian_blur(p, sigma_s)


def outer_plexiform(p: np.ndarray, sigma_c: float, sigma_s: float, w_s: float = 1.0):
    """Centre–surround OPL output ``o`` (same shape as ``p``; signed)::

        q = p - 1/2
        h = G(sigma_s) * q
        o = G(sigma_c) * q  -  w_s * h

    Parameters
    ----------
    p : ndarray, shape (N, H, W)
        Photoreceptor output.
    sigma_c, sigma_s : float
        Centre and surround standard deviations, pixels (``sigma_s > sigma_c``).
    w_s : float
        Surround weight (integrated surround / integrated centre).
    """
    if not 0 < sigma_c < sigma_s:
        raise ValueError(f"sigma_c={sigma_c}, sigma_s={sigma_s}: need 0 < sigma_c < sigma_s")
    q = p - np.asarray(0.5, p.dtype)
    return gaussian_blur(q, sigma_c) - w_s * horizontal_cells(q, sigma_s)
