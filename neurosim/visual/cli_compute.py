"""What ``neurosim visual`` computes for one stimulus: every stage's map and a JSON-able report.

* **Static image, rate mode**: :class:`.pathway.RatePath` (the image treated as flashed, see
  :func:`.bipolar.flash_gain`), then HMAX (C1, S2/C2, S3/C3) with templates imprinted from a
  fixed set of synthetic shapes (seed 0), so results do not depend on any data set.
* **Movie (flash, drifting grating), rate mode**: the retina runs along time (frame interval
  :data:`.cli_images.FRAME_DT`, the bipolar cells' biphasic filter: ON cells answer the
  switch-on, OFF cells the switch-off); V1 runs frame by frame; the maps are the
  **time-averaged** rates over ``--duration`` (what the spiking path counts), HMAX runs on the
  averaged V1 map, and the report adds the time course of the ganglion cells at the image
  centre (peak rate and its time).
* **Spiking mode**: :func:`.spiking.simulate` in Brian2 (movies played frame by frame), spike
  counts over the run as rates, every spike recorded for the raster, and the correlation of
  each stage with the (time-averaged) rate path.

Returns data only; :mod:`.cli` prints and :mod:`.cli_plots` draws.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["compute", "UNITS", "MAX_MOVIE_MS", "OSI_THRESHOLD"]

UNITS = {"photoreceptors": "1", "opl": "1", "bipolar_on": "1", "bipolar_off": "1",
         "rgc_on": "Hz", "rgc_off": "Hz", "lgn_on": "Hz", "lgn_off": "Hz", "v1_drive": "mV",
         "v1_simple": "Hz", "v1_complex": "Hz", "c1": "Hz", "s2": "1", "c2": "1", "s3": "1",
         "c3": "1"}
#: longest movie the rate path runs (frames are 1 ms; memory grows with the frame count)
MAX_MOVIE_MS = 2000.0
_CHUNK = 50   # frames per V1 batch
#: orientation selectivity index (1 - circular variance of the V1 complex cells' energy per
#: orientation, :func:`.analysis.circular_variance`) below which no dominant orientation is
#: named. Measured on 28 px stimuli: round ones (spot, annulus, flash) 0.000 in rate mode and
#: 0.003-0.060 in spiking mode (200 ms, seeds 0 and 1); MNIST digits 0.14-0.73; bars and
#: gratings 0.68-0.96.
OSI_THRESHOLD = 0.1


def _templates_shapes(size: int) -> np.ndarray:
    """Synthetic shapes the HMAX templates are imprinted from."""
    from . import stimuli as st

    L = max(4.0, size / 2)
    w = max(1.5, size / 10)
    shapes = [st.bar(size, L, w, th, 1.0, 0.0) for th in range(0, 180, 30)]
    shapes += [np.maximum(st.bar(size, L, w, th, 1.0, 0.0), st.bar(size, L, w, th + 90, 1.0, 0.0))
               for th in (0, 45)]
    shapes += [st.annulus(size, L / 2, L, 1.0, 0.0), st.spot(size, L / 2, 1.0, 0.0)]
    return np.stack(shapes)


def _movie_rates(model, frames: np.ndarray, dt: float) -> tuple[dict, dict]:
    """Time-averaged maps of every stage for a movie, and the centre pixel's ganglion-cell
    rates per frame (``{"t_ms", "rgc_on", "rgc_off"}``, rates ``(T, C)`` in Hz)."""
    ret = model.retina(frames, dt=dt)
    T, _, H, W = ret["rgc_on"].shape
    maps = {k: v.mean(axis=0) for k, v in ret.items()}
    sums = {}
    for start in range(0, T, _CHUNK):
        part = model.v1(ret["lgn_on"][start:start + _CHUNK], ret["lgn_off"][start:start + _CHUNK])
        for k, v in part.items():
            sums[k] = sums.get(k, 0) + v.sum(axis=0, dtype=np.float64)
    maps.update({k: (v / T).astype(np.float32) for k, v in sums.items()})
    cy, cx = H // 2, W // 2
    course = {"t_ms": np.arange(T) * dt * 1e3, "rgc_on": ret["rgc_on"][:, :, cy, cx],
              "rgc_off": ret["rgc_off"][:, :, cy, cx], "pixel": (cy, cx)}
    return maps, course


def _course_summary(course: dict, channels) -> dict:
    t = course["t_ms"]
    out = {"pixel_yx": list(course["pixel"])}
    for key in ("rgc_on", "rgc_off"):
        for c, name in enumerate(channels):
            r = course[key][:, c]
            k = int(np.argmax(r))
            out[f"{key}_{name}"] = {"peak_hz": float(r[k]), "peak_ms": float(t[k]),
                                    "mean_hz": float(r.mean())}
    return out


def _hmax(model, maps: dict, size: int) -> None:
    from .hmax import HMAX, c1_layer

    c1 = c1_layer(maps["v1_complex"][None])
    c1_shapes = c1_layer(model.run(_templates_shapes(size), stages=["v1_complex"])["v1_complex"])
    h = HMAX(n_s2=32, n_s3=16).fit(c1_shapes, np.random.default_rng(0))
    maps["c1"] = c1[0]
    maps.update({k: v[0] for k, v in h.transform(c1).items()})


def _summary(name, a, unit):
    a = np.asarray(a, float)
    return {"stage": name, "shape": list(a.shape), "mean": float(a.mean()),
            "max": float(a.max()), "min": float(a.min()), "unit": unit}


def compute(stim, mode: str, duration_ms: float, seed: int) -> tuple[dict, dict, dict]:
    """Maps of every stage, the report, and extras for the plot.

    Parameters
    ----------
    stim : :class:`.cli_images.Stimulus`
    mode : ``"rate"`` or ``"spiking"``
    duration_ms : run length, ms (movies in both modes; the spiking run of a static image)
    seed : seed of the Poisson spike trains (spiking mode)

    Returns
    -------
    maps : dict stage -> per-image array (shapes of :mod:`.pathway`; spiking V1 on its grid)
    report : dict, JSON-able (not yet rounded); ``v1_orientation_selectivity`` is the OSI,
        ``v1_dominant_orientation_deg`` the orientation of largest energy, or ``None`` when
        the OSI is below :data:`OSI_THRESHOLD` (a round stimulus has no orientation)
    extras : ``{"course": ...}`` for movies in rate mode, ``{"spikes": ..., "grid_shape": ...}``
        in spiking mode.
    """
    from .analysis import circular_variance
    from .pathway import RatePath

    model = RatePath()
    movie = stim.frame_dt is not None
    if movie and mode == "rate" and duration_ms > MAX_MOVIE_MS:
        raise ValueError(f"--duration {duration_ms:g} ms: a movie ({stim.kind}) runs at most "
                         f"{MAX_MOVIE_MS:g} ms in the rate path (one frame per ms)")
    channels = [c.name for c in model.params.channels]
    t0 = time.perf_counter()
    extras: dict = {}
    if movie:
        maps, course = _movie_rates(model, stim.frames, stim.frame_dt)
    else:
        maps = {k: v[0] for k, v in model.run(stim.frames).items()}
    report = {"mode": mode, "image_shape": list(stim.frames.shape[-2:])}
    if movie:
        report["movie"] = {"frames": int(stim.frames.shape[0]), "frame_ms": stim.frame_dt * 1e3,
                           "maps": "time-averaged over the run"}
        if stim.window_ms is not None:
            report["movie"]["on_off_ms"] = list(stim.window_ms)
    if mode == "rate":
        try:
            _hmax(model, maps, stim.frames.shape[-1])
        except ValueError as e:
            if "smaller than templates" not in str(e):
                raise
            h, w = stim.frames.shape[-2:]
            raise ValueError(f"--image {stim.spec}: {h}x{w} px is too small for the rate mode's "
                             f"HMAX stages (S2/S3 templates; 14x14 px is enough); use a larger "
                             f"image or --mode spiking") from None
        if movie:
            extras["course"] = course
            report["centre_time_course"] = _course_summary(course, channels)
    else:
        maps, sp, extras = _spiking(model, stim, maps, duration_ms, seed)
        report["spiking"] = sp
    report["seconds"] = time.perf_counter() - t0
    report["stages"] = [_summary(k, v, UNITS[k]) for k, v in maps.items()]
    cx = maps["v1_complex"]                                   # (S, O, h, w)
    ori = np.arange(cx.shape[1]) * 180.0 / cx.shape[1]
    energy = cx.sum(axis=(0, 2, 3))
    report["v1_orientation_energy"] = {f"{o:g}": float(e) for o, e in zip(ori, energy)}
    osi = 1.0 - circular_variance(ori, energy)
    report["v1_orientation_selectivity"] = osi
    report["v1_dominant_orientation_deg"] = (float(ori[int(np.argmax(energy))])
                                             if osi >= OSI_THRESHOLD else None)
    if "c3" in maps:
        report["it_c3"] = [float(v) for v in maps["c3"]]
    extras["channels"] = channels
    return maps, report, extras


def _spiking(model, stim, rate_maps: dict, duration_ms: float, seed: int):
    from .spiking import SpikingParams, simulate

    if not 1 <= duration_ms <= 10000:
        raise ValueError(f"--duration {duration_ms:g} ms: must lie in 1..10000 ms")
    movie = stim.frame_dt is not None
    sim = simulate(model, stim.frames, np.random.default_rng(seed),
                   SpikingParams(duration=duration_ms / 1000),
                   frame_dt=stim.frame_dt if movie else None, record_spikes=True)
    st = SpikingParams().stride
    sl = (Ellipsis, slice(None, None, st), slice(None, None, st))
    corr = {}
    for key in ("rgc_on", "rgc_off", "lgn_on", "lgn_off", "v1_simple", "v1_complex"):
        ref = rate_maps[key][sl] if key.startswith("v1") else rate_maps[key]
        a, b = sim[key].ravel(), ref.ravel()
        ok = a.std() > 0 and b.std() > 0
        corr[key] = float(np.corrcoef(a, b)[0, 1]) if ok else None
    maps = {"photoreceptors": rate_maps["photoreceptors"], "opl": rate_maps["opl"],
            **{k: sim[k] for k in corr}}
    n_spikes = {k: int(len(v[0])) for k, v in sim["spikes"].items()}
    report = {"target": sim["target"], "n_synapses": sim["n_synapses"],
              "duration_ms": sim["duration"] * 1e3, "v1_stride_px": st,
              "n_spikes": n_spikes, "corr_with_rate_path": corr}
    extras = {"spikes": sim["spikes"], "duration_ms": sim["duration"] * 1e3,
              "shapes": {"rgc": sim["rgc_on"].shape, "v1_simple": sim["v1_simple"].shape,
                         "v1_complex": sim["v1_complex"].shape}}
    return maps, report, extras
