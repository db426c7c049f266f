"""Stimulus protocols: run a stimulus family through a model and read one unit.

A *unit* is a stage name of :data:`.pathway.STAGES` and an index into that stage's per-image
array, e.g. ``("v1_simple", (scale, orientation, phase, y, x))`` or
``("lgn_on", (channel, y, x))``. Each protocol returns the stimulus values and the unit's
responses (Hz), ready for :mod:`.analysis`.

Drifting gratings are run frame by frame as static images ("quasi-static": the retina's
temporal filter is bypassed, which isolates spatial phase sensitivity, the basis of the
simple/complex distinction).
"""

from __future__ import annotations

import numpy as np

from . import stimuli as st

__all__ = ["unit_response", "orientation_tuning", "drifting_response", "area_response",
           "contrast_response"]


def unit_response(model, images, unit, dt=None, I_adapt=None) -> np.ndarray:
    """Responses of ``unit = (stage, index)`` to each image (or frame), shape ``(N,)``."""
    stage, index = unit
    out = model.run(images, dt=dt, stages=[stage], I_adapt=I_adapt)[stage]
    return out[(slice(None),) + tuple(index)]


def _phases(n):
    return np.arange(n) * 2 * np.pi / n


def orientation_tuning(model, unit, size=28, sf=0.25, contrast=1.0, n_theta=12, n_phase=8):
    """Mean response over ``n_phase`` grating phases at ``n_theta`` orientations in [0, 180).

    Returns ``(thetas_deg, responses)``.
    """
    thetas = np.arange(n_theta) * 180.0 / n_theta
    imgs = np.stack([st.grating(size, sf, th, contrast, ph) for th in thetas
                     for ph in _phases(n_phase)])
    r = unit_response(model, imgs, unit).reshape(n_theta, n_phase).mean(axis=1)
    return thetas, r


def drifting_response(model, unit, size=28, sf=0.25, theta=0.0, contrast=1.0, tf=4.0,
                      n_frames=32, n_cycles=1):
    """Time course of the response to a drifting grating (quasi-static frames).

    Returns ``(dt, responses)`` with ``n_cycles * n_frames`` samples, ``dt = 1/(tf n_frames)``.
    """
    dt = 1.0 / (tf * n_frames)
    movie = st.drifting_grating(size, sf, tf, n_cycles / tf, dt, theta, contrast)
    return dt, unit_response(model, movie, unit)


def area_response(model, unit, diameters, size=28, kind="spot", luminance=1.0,
                  background=0.5, sf=0.25, theta=0.0, contrast=1.0, center=None):
    """Responses to centred spots (``kind='spot'``) or grating patches (``'grating'``, mean
    over 8 phases) of increasing diameter. The adapting luminance is the background."""
    diameters = np.asarray(diameters, float)
    if kind == "spot":
        imgs = np.stack([st.spot(size, d, luminance, background, center) for d in diameters])
        r = unit_response(model, imgs, unit, I_adapt=background)
    elif kind == "grating":
        imgs = np.stack([st.grating(size, sf, theta, contrast, ph, background, center, d)
                         for d in diameters for ph in _phases(8)])
        r = unit_response(model, imgs, unit, I_adapt=background).reshape(len(diameters), 8)
        r = r.mean(axis=1)
    else:
        raise ValueError(f"kind {kind!r}: not 'spot' or 'grating'")
    return diameters, r


def contrast_response(model, unit, contrasts, size=28, sf=0.25, theta=0.0, n_phase=8):
    """Mean response over ``n_phase`` phases for each contrast."""
    contrasts = np.asarray(contrasts, float)
    imgs = np.stack([st.grating(size, sf, theta, c, ph) for c in contrasts
                     for ph in _phases(n_phase)])
    r = unit_response(model, imgs, unit, I_adapt=0.5).reshape(len(contrasts), n_phase)
    return contrasts, r.mean(axis=1)
