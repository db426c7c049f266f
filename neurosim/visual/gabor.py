"""Gabor receptive fields and a batched FFT filter bank.

A Gabor kernel (Daugman 1985 JOSA A 2:1160; Jones & Palmer 1987 J Neurophysiol 58:1233)::

    x' =  x cos(theta) + y sin(theta)
    y' = -x sin(theta) + y cos(theta)
    G(x, y) = exp(-(x'**2 + gamma**2 y'**2) / (2 sigma**2)) * cos(2 pi x' / lambda + phi)

``theta`` is the direction of the carrier's wave vector (same convention as
:mod:`.stimuli`), ``lambda`` the wavelength in pixels, ``gamma`` the aspect ratio (< 1:
elongated along the bars). The envelope width follows from the spatial-frequency bandwidth
``b`` (octaves)::

    sigma = lambda / pi * sqrt(ln 2 / 2) * (2**b + 1) / (2**b - 1)

(Petkov & Kruizinga 1997). The kernel's mean is removed under the envelope, so it ignores
uniform light; kernels are scaled to unit L1 norm.

:func:`correlate_bank` applies K kernels to N images at once with real FFTs
(``scipy.fft``), after reflect-padding the images by the kernel radius; the result is the
correlation ``u[n, k, y, x] = sum_{dy,dx} G_k[dy, dx] * img[n, y+dy, x+dx]``.
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft

__all__ = ["gabor_sigma", "gabor_kernel", "correlate_bank"]


def gabor_sigma(wavelength: float, bandwidth: float = 1.5) -> float:
    """Envelope s.d. (pixels) for a spatial-frequency bandwidth ``b`` in octaves (Petkov &
    Kruizinga 1997): ``sigma = lambda / pi * sqrt(ln 2 / 2) * (2**b + 1) / (2**b - 1)``."""
    return wavelength / np.pi * np.sqrt(np.log(2) / 2) * (2 ** bandwidth + 1) / (2 ** bandwidth - 1)


def gabor_kernel(wavelength: float, theta: float, phase: float, bandwidth: float = 1.5,
                 gamma: float = 0.6, truncate: float = 2.5) -> np.ndarray:
    """One zero-mean, unit-L1 Gabor kernel, shape ``(2R+1, 2R+1)`` (module docstring)::

        x' =  x cos(theta) + y sin(theta)
        y' = -x sin(theta) + y cos(theta)
        G(x, y) = exp(-(x'**2 + gamma**2 y'**2) / (2 sigma**2)) * cos(2 pi x' / lambda + phi)

    Parameters
    ----------
    wavelength : float, pixels.  theta : float, degrees.  phase : float, degrees.
    truncate : float
        Half-size ``R = ceil(truncate * sigma / gamma)``.
    """
    sigma = gabor_sigma(wavelength, bandwidth)
    R = int(np.ceil(truncate * sigma / min(gamma, 1.0)))
    y, x = np.mgrid[-R:R + 1, -R:R + 1].astype(float)
    t = np.deg2rad(theta)
    xp = x * np.cos(t) + y * np.sin(t)
    yp = -x * np.sin(t) + y * np.cos(t)
    env = np.exp(-(xp ** 2 + gamma ** 2 * yp ** 2) / (2 * sigma ** 2))
    carrier = np.cos(2 * np.pi * xp / wavelength + np.deg2rad(phase))
    G = env * carrier
    G -= env * (G.sum() / env.sum())        # zero DC
    return G / np.abs(G).sum()


def correlate_bank(images: np.ndarray, kernels: np.ndarray, workers: int = -1) -> np.ndarray:
    """Correlate every image with every kernel ("same" size, reflect padding):
    ``u[n, k, y, x] = sum_{dy,dx} G_k[dy, dx] * img[n, y+dy, x+dx]``.

    Parameters
    ----------
    images : ndarray, shape (N, H, W)
    kernels : ndarray, shape (K, 2R+1, 2R+1)

    Returns
    -------
    ndarray, shape (N, K, H, W), dtype of ``images`` (float32 stays float32).
    """
    N, H, W = images.shape
    K, kh, kw = kernels.shape
    R = kh // 2
    mode = "reflect" if R < min(H, W) else "symmetric"
    if R >= 2 * min(H, W):
        mode = "edge"
    x = np.pad(images, ((0, 0), (R, R), (R, R)), mode=mode)
    Hp, Wp = H + 2 * R, W + 2 * R
    # Circular convolution of the padded image with the flipped kernel at size >= (Hp, Wp):
    # output row y + 2R needs input rows y .. y + 2R only, so nothing wraps around.
    Lh, Lw = sfft.next_fast_len(Hp, True), sfft.next_fast_len(Wp, True)
    X = sfft.rfft2(x, (Lh, Lw), workers=workers)                           # (N, Lh, Lw//2+1)
    Kf = sfft.rfft2(kernels[:, ::-1, ::-1].astype(images.dtype), (Lh, Lw), workers=workers)
    Y = sfft.ifft(X[:, None] * Kf[None], axis=-2, workers=workers)        # rows first ...
    Y = Y[..., 2 * R:2 * R + H, :]                                         # ... keep H of them
    out = sfft.irfft(Y, Lw, axis=-1, workers=workers)[..., 2 * R:2 * R + W]
    return np.ascontiguousarray(out, dtype=images.dtype)
