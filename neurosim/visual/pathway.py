"""The rate path: retina -> LGN -> V1, linear–nonlinear stages vectorised over a batch.

    luminance I (N, H, W)
      -> photoreceptors p           (N, H, W)          :mod:`.photoreceptors`
      -> OPL o, per channel         (N, C, H, W)       :mod:`.opl`
      -> bipolar ON / OFF           (N, C, H, W)       :mod:`.bipolar`
      -> ganglion ON / OFF (Hz)     (N, C, H, W)       :mod:`.ganglion`
      -> LGN ON / OFF (Hz)          (N, C, H, W)       :mod:`.lgn`
      -> V1 simple (Hz)             (N, S, O, P, H, W) :mod:`.v1`
      -> V1 complex (Hz)            (N, S, O, H, W)

``C`` ganglion-cell channels (midget, parasol), ``S`` Gabor scales, ``O`` orientations,
``P`` phases. Static images (``dt=None``) are independent and treated as flashed (see
:func:`.bipolar.flash_gain`); with ``dt`` the first axis is time and the bipolar temporal
filter runs along it. The higher (HMAX) stages are in :mod:`.hmax`.

Every stage :meth:`RatePath.retina` and :meth:`RatePath.v1` return is checked to be finite
(:func:`neurosim.codegen.check_finite`); a NaN or infinity (from absurd parameters, e.g.
``I_dark = 0`` with a black image: 0/0 in the photoreceptors) is a one-line ``ValueError``
naming the stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..codegen import check_finite
from . import bipolar as bp
from .ganglion import MIDGET, PARASOL, ChannelParams, ganglion_rates
from .images import check_images
from .lgn import LGNParams, lgn_relay
from .opl import outer_plexiform
from .photoreceptors import PhotoreceptorParams, adapting_luminance, photoreceptors
from .v1 import (V1Params, base_drive, complex_from_base, complex_rates, simple_drive,
                 simple_rates)

__all__ = ["VisualParams", "RatePath", "STAGES"]

#: every stage the rate path can return, in order
STAGES = ("photoreceptors", "opl", "bipolar_on", "bipolar_off", "rgc_on", "rgc_off",
          "lgn_on", "lgn_off", "v1_drive", "v1_simple", "v1_complex")


@dataclass(frozen=True)
class VisualParams:
    photoreceptors: PhotoreceptorParams = field(default_factory=PhotoreceptorParams)
    channels: tuple = (MIDGET, PARASOL)
    lgn: LGNParams = field(default_factory=LGNParams)
    v1: V1Params = field(default_factory=V1Params)

    def channel_index(self, name: str) -> int:
        names = [c.name for c in self.channels]
        if name not in names:
            raise ValueError(f"channel {name!r}: not one of {names}")
        return names.index(name)


class RatePath:
    """Retina -> LGN -> V1 rate model.

    Parameters
    ----------
    params : VisualParams
    """

    def __init__(self, params: VisualParams = VisualParams()):
        self.params = params
        for name in params.v1.channels:
            params.channel_index(name)

    def retina(self, images, dt=None, I_adapt=None) -> dict:
        """Photoreceptors to LGN. Returns a dict of the first eight :data:`STAGES`."""
        I = check_images(images)
        P = self.params
        if I_adapt is None:
            I_adapt = adapting_luminance(I, time_axis=dt is not None)
        p = photoreceptors(I, I_adapt, P.photoreceptors)
        out = {k: [] for k in STAGES[1:8]}
        for ch in P.channels:
            o = outer_plexiform(p, ch.sigma_c, ch.sigma_s, ch.w_s)
            g = bp.contrast_gain_control(o, ch.c_half, ch.sigma_cg)
            if dt is None:
                b = g * np.float32(bp.flash_gain(ch.tau_fast, ch.tau_slow, ch.k))
            else:
                b = bp.biphasic(g, dt, ch.tau_fast, ch.tau_slow, ch.k, axis=0)
            on, off = bp.on_off(b)
            r_on, r_off = ganglion_rates(on, off, ch)
            for key, val in zip(STAGES[1:8], (o, on, off, r_on, r_off,
                                              lgn_relay(r_on, P.lgn), lgn_relay(r_off, P.lgn))):
                out[key].append(val)
        res = {"photoreceptors": p}
        res.update({k: np.stack(v, axis=1).astype(np.float32, copy=False) for k, v in out.items()})
        check_finite(res)
        return res

    def v1(self, lgn_on: np.ndarray, lgn_off: np.ndarray, complex_only: bool = False) -> dict:
        """V1 from LGN rates of shape ``(N, C, H, W)``: drive (mV), simple and complex rates
        (only ``v1_complex`` when ``complex_only``; same values, less memory)."""
        p = self.params.v1
        scales = [(s, self.params.channel_index(n)) for s, n in enumerate(p.channels)]
        if complex_only:
            cx = []
            for s, c in scales:
                u, index, sign = base_drive(lgn_on[:, c], lgn_off[:, c], p, s)
                cx.append(complex_from_base(u, index, sign, p))
            res = {"v1_complex": np.stack(cx, axis=1)}
        else:
            u = np.stack([simple_drive(lgn_on[:, c], lgn_off[:, c], p, s) for s, c in scales],
                         axis=1)
            r = simple_rates(u, p)
            res = {"v1_drive": u, "v1_simple": r, "v1_complex": complex_rates(r, phase_axis=3)}
        check_finite(res)
        return res

    def run(self, images, dt=None, stages=None, batch_size=1000, I_adapt=None) -> dict:
        """Run the pathway.

        Parameters
        ----------
        images : array_like, shape (N, H, W) or (H, W)
            Luminance in [0, 1]; ``uint8`` input is divided by 255.
        dt : float, optional
            Frame interval (s): the first axis is then time (one movie).
        stages : sequence of str, optional
            Which of :data:`STAGES` to return (default: all). Only these are kept, batch by
            batch, so a large set can be run up to V1 without storing every stage.
        batch_size : int
            Images per batch (ignored for movies, which run in one piece).
        I_adapt : float, optional
            Adapting luminance; default each image's mean (a movie's overall mean).

        Returns
        -------
        dict mapping stage name to a float32 array (shapes in the module docstring).
        """
        stages = STAGES if stages is None else tuple(stages)
        bad = [s for s in stages if s not in STAGES]
        if bad:
            raise ValueError(f"stage {bad[0]!r}: not one of {', '.join(STAGES)}")
        I = check_images(images)
        need_v1 = any(s.startswith("v1") for s in stages)
        step = len(I) if dt is not None else max(1, int(batch_size))
        parts = {s: [] for s in stages}
        for start in range(0, len(I), step):
            ret = self.retina(I[start:start + step], dt, I_adapt)
            if need_v1:
                only = not any(s in ("v1_drive", "v1_simple") for s in stages)
                ret.update(self.v1(ret["lgn_on"], ret["lgn_off"], complex_only=only))
            for s in stages:
                parts[s].append(ret[s])
        return {s: (v[0] if len(v) == 1 else np.concatenate(v)) for s, v in parts.items()}
