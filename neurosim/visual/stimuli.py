"""Visual stimuli as luminance arrays in [0, 1].

Coordinates: ``x`` is the column index, ``y`` the row index (downwards), both in pixels with
the origin at the image centre ``((W-1)/2, (H-1)/2)`` unless a centre is given. Orientation
``theta`` (degrees) is the direction of a grating's wave vector (= its drift direction); the
bars run perpendicular to it. The Gabor filters in :mod:`.gabor` use the same convention, so a
unit with orientation ``theta`` prefers a grating with the same ``theta``.

A grating of mean luminance ``m``, Michelson contrast ``c``, spatial frequency ``f``
(cycles/pixel) and phase ``phi`` (radians) is::

    L(x, y) = m * (1 + c * cos(2*pi*f*(x cos(theta) + y sin(theta)) + phi))

Drifting gratings advance the phase at temporal frequency ``tf`` (Hz): ``phi(t) = phi0 -
2*pi*tf*t``; contrast-reversing gratings multiply the contrast by ``cos(2*pi*tf*t)``.
Movies have shape ``(T, H, W)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["coordinates", "uniform", "spot", "annulus", "bar", "grating",
           "drifting_grating", "reversing_grating", "flash"]


def _size(size) -> tuple[int, int]:
    if np.isscalar(size):
        size = (int(size), int(size))
    h, w = (int(s) for s in size)
    if h < 1 or w < 1:
        raise ValueError(f"stimulus size {size}: both sides must be >= 1 pixel")
    return h, w


def coordinates(size, center=None) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates ``(x, y)`` relative to ``center`` (default: the image centre).

    Returns two float arrays of shape ``(H, W)``.
    """
    h, w = _size(size)
    cy, cx = ((h - 1) / 2, (w - 1) / 2) if center is None else center
    y, x = np.mgrid[0:h, 0:w].astype(float)
    return x - cx, y - cy


def uniform(size, luminance=0.5) -> np.ndarray:
    """A uniform field, shape ``(H, W)``."""
    return np.full(_size(size), float(luminance))


def spot(size, diameter, luminance=1.0, background=0.5, center=None) -> np.ndarray:
    """A disc of ``diameter`` pixels on a uniform background, shape ``(H, W)``."""
    x, y = coordinates(size, center)
    img = np.full(x.shape, float(background))
    img[np.hypot(x, y) <= diameter / 2] = luminance
    return img


def annulus(size, inner, outer, luminance=1.0, background=0.5, center=None) -> np.ndarray:
    """A ring with inner and outer diameters in pixels, shape ``(H, W)``."""
    if not 0 <= inner < outer:
        raise ValueError(f"annulus diameters inner={inner}, outer={outer}: need 0 <= inner < outer")
    x, y = coordinates(size, center)
    r = np.hypot(x, y)
    img = np.full(x.shape, float(background))
    img[(r > inner / 2) & (r <= outer / 2)] = luminance
    return img


def bar(size, length, width, theta=0.0, luminance=1.0, background=0.5, center=None):
    """A bar whose *long axis* is perpendicular to ``theta`` (so it matches a grating of the
    same ``theta``), shape ``(H, W)``."""
    x, y = coordinates(size, center)
    t = np.deg2rad(theta)
    across = x * np.cos(t) + y * np.sin(t)      # along the wave vector
    along = -x * np.sin(t) + y * np.cos(t)      # along the bar
    img = np.full(x.shape, float(background))
    img[(np.abs(across) <= width / 2) & (np.abs(along) <= length / 2)] = luminance
    return img


def grating(size, sf, theta=0.0, contrast=1.0, phase=0.0, mean=0.5, center=None,
            diameter=None) -> np.ndarray:
    """A sinusoidal grating (formula in the module docstring), shape ``(H, W)``::

        L(x, y) = m * (1 + c * cos(2*pi*f*(x cos(theta) + y sin(theta)) + phi))

    Parameters
    ----------
    sf : float
        Spatial frequency, cycles/pixel.
    theta : float
        Orientation of the wave vector, degrees.
    contrast : float
        Michelson contrast in [0, 1].
    phase : float
        Phase at the centre, radians.
    diameter : float, optional
        If given, the grating fills a disc of this diameter on a ``mean`` background.
    """
    if not 0 <= contrast <= 1:
        raise ValueError(f"contrast {contrast}: must lie in [0, 1]")
    x, y = coordinates(size, center)
    t = np.deg2rad(theta)
    img = mean * (1 + contrast * np.cos(2 * np.pi * sf * (x * np.cos(t) + y * np.sin(t)) + phase))
    if diameter is not None:
        img[np.hypot(x, y) > diameter / 2] = mean
    return img


def drifting_grating(size, sf, tf, duration, dt, theta=0.0, contrast=1.0, phase=0.0,
                     mean=0.5, **kw) -> np.ndarray:
    """A grating drifting along ``theta`` at ``tf`` Hz; ``duration`` and ``dt`` in seconds:
    its phase is ``phi(t) = phi0 - 2*pi*tf*t``.

    Returns shape ``(T, H, W)`` with ``T = round(duration / dt)``.
    """
    n = int(round(duration / dt))
    return np.stack([grating(size, sf, theta, contrast, phase - 2 * np.pi * tf * k * dt, mean, **kw)
                     for k in range(n)])


def reversing_grating(size, sf, tf, duration, dt, theta=0.0, contrast=1.0, phase=0.0,
                      mean=0.5, **kw) -> np.ndarray:
    """A standing grating whose contrast reverses as ``cos(2 pi tf t)``; shape ``(T, H, W)``."""
    n = int(round(duration / dt))
    base = grating(size, sf, theta, 1.0, phase, mean, **kw) - mean
    return np.stack([mean + contrast * np.cos(2 * np.pi * tf * k * dt) * base for k in range(n)])


def flash(image, background, t_on, t_off, duration, dt) -> np.ndarray:
    """A movie: ``background`` (a luminance or an image), ``image`` from ``t_on`` to ``t_off``
    seconds, then ``background`` again; shape ``(T, H, W)``."""
    image = np.asarray(image, float)
    bg = np.broadcast_to(np.asarray(background, float), image.shape)
    t = np.arange(int(round(duration / dt))) * dt
    on = (t >= t_on) & (t < t_off)
    return np.where(on[:, None, None], image[None], bg[None])
