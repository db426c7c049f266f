"""Features of membrane-potential traces and spike trains (pure NumPy; ms and mV throughout).

Definitions (each a common electrophysiology convention):

- spike times: upward crossings of ``threshold`` (default −20 mV), linearly interpolated;
- resting potential: mean V over a window without stimulus (default: before the stimulus);
- AP threshold: V where dV/dt first exceeds ``dvdt_mV_per_ms`` (default 20 mV/ms) on the way up
  to the peak (first-derivative criterion, Sekerli et al. 2004, IEEE TBME 51:1665);
- AP peak: maximum V of the spike; AP width: full width at half amplitude, halfway between
  threshold and peak ("half-width", Bean 2007, Nat Rev Neurosci 8:451);
- AHP minimum: minimum V between a spike's peak and the next spike (or the end of the trace);
  AHP depth = rest − AHP minimum (positive when the cell hyperpolarizes below rest);
- rate: spikes / time; steady-state rate: 1 / mean ISI of the ISIs starting after ``skip`` ms;
- adaptation index (Allen Cell Types Database, electrophysiology white paper 2017):
  ``A = mean_k (ISI[k+1] - ISI[k]) / (ISI[k+1] + ISI[k])`` (> 0 slowing, < 0 accelerating);
- bursts: runs of ≥ 2 spikes with short ISIs separated from the rest of the train by an ISI
  ≥ 3 × their mean (:func:`find_bursts`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["detect_spikes", "resting_potential", "isis", "firing_rate", "steady_state_rate",
           "adaptation_index", "cv_isi", "spike_shapes", "find_bursts", "train_features",
           "firing_pattern", "label_phases", "PHASES", "trace_summary"]

#: phase labels of :func:`label_phases`
PHASES = ("rest", "depolarization", "rising", "repolarization", "hyperpolarization",
          "refractory")


def _as_1d(name, x):
    a = np.asarray(x, dtype=float)
    if a.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got shape {a.shape}")
    return a


def detect_spikes(t_ms, v_mV, threshold: float = -20.0) -> np.ndarray:
    """Times (ms) where V crosses ``threshold`` upwards, interpolated between samples."""
    t, v = _as_1d("t_ms", t_ms), _as_1d("v_mV", v_mV)
    if t.shape != v.shape:
        raise ValueError(f"t_ms {t.shape} and v_mV {v.shape} differ in shape")
    k = np.flatnonzero((v[:-1] < threshold) & (v[1:] >= threshold))
    frac = (threshold - v[k]) / (v[k + 1] - v[k])
    return t[k] + frac * (t[k + 1] - t[k])


def resting_potential(t_ms, v_mV, window=None) -> float:
    """Mean V (mV) over ``window`` = (start, stop) ms (default: the whole trace)."""
    t, v = _as_1d("t_ms", t_ms), _as_1d("v_mV", v_mV)
    sel = np.ones_like(t, bool) if window is None else (t >= window[0]) & (t < window[1])
    if not sel.any():
        raise ValueError(f"window {window}: contains no samples")
    return float(v[sel].mean())


def isis(spike_times_ms) -> np.ndarray:
    """Inter-spike intervals (ms)."""
    return np.diff(np.sort(_as_1d("spike_times_ms", spike_times_ms)))


def firing_rate(spike_times_ms, start_ms: float, stop_ms: float) -> float:
    """Spikes per second in [start, stop)."""
    if stop_ms <= start_ms:
        raise ValueError(f"window ({start_ms}, {stop_ms}): stop must exceed start")
    s = _as_1d("spike_times_ms", spike_times_ms)
    return float(np.count_nonzero((s >= start_ms) & (s < stop_ms)) / (stop_ms - start_ms) * 1e3)


def steady_state_rate(spike_times_ms, start_ms: float, stop_ms: float,
                      skip_ms: float = 0.0) -> float:
    """Rate (Hz) from the mean ISI of spikes in [start + skip, stop); 0 with < 2 such spikes.

    Ignores the onset transient (first spike latency, initial burst) that a plain count would
    mix in; a neuron that fires once and stops has rate 0 (no repetitive firing).
    """
    s = _as_1d("spike_times_ms", spike_times_ms)
    s = np.sort(s[(s >= start_ms + skip_ms) & (s < stop_ms)])
    return 0.0 if len(s) < 2 else float(1e3 / np.mean(np.diff(s)))


def adaptation_index(spike_times_ms) -> float:
    """Mean normalized ISI change (Allen Institute definition); NaN with < 3 spikes."""
    d = isis(spike_times_ms)
    if len(d) < 2:
        return float("nan")
    return float(np.mean((d[1:] - d[:-1]) / (d[1:] + d[:-1])))


def cv_isi(spike_times_ms) -> float:
    """Coefficient of variation of the ISIs; NaN with < 3 spikes."""
    d = isis(spike_times_ms)
    return float(np.std(d) / np.mean(d)) if len(d) >= 2 else float("nan")


def find_bursts(spike_times_ms, gap_ratio: float = 3.0):
    """Bursts as a list of spike-index arrays (≥ 2 spikes each).

    Short ISIs are those below the geometric mean of the shortest and longest ISI (needs
    longest ≥ ``gap_ratio`` × shortest); a run of short ISIs is a burst only if the ISI that
    ends it (or, for a final run, the one before it) is ≥ ``gap_ratio`` × the run's mean ISI,
    so a smoothly lengthening (adapting) train has no bursts.
    """
    s = np.sort(_as_1d("spike_times_ms", spike_times_ms))
    d = np.diff(s)
    if len(d) < 2 or d.max() < gap_ratio * d.min():
        return []
    short = d < np.sqrt(d.min() * d.max())
    bursts, k = [], 0
    while k < len(d):
        if not short[k]:
            k += 1
            continue
        j = k
        while j < len(d) and short[j]:
            j += 1
        gaps = [d[x] for x in (j, k - 1) if 0 <= x < len(d)]
        if gaps and max(gaps) >= gap_ratio * d[k:j].mean():
            bursts.append(np.arange(k, j + 1))
        k = j
    return bursts


def train_features(spike_times_ms, start_ms: float, stop_ms: float) -> dict:
    """Spike-train features during a stimulus window [start, stop) (times in ms)."""
    s = np.sort(_as_1d("spike_times_ms", spike_times_ms))
    s = s[(s >= start_ms) & (s < stop_ms)]
    d = np.diff(s)
    bursts = find_bursts(s)
    dur = stop_ms - start_ms
    return {
        "n_spikes": int(len(s)),
        "rate_hz": float(len(s) / dur * 1e3),
        "latency_ms": float(s[0] - start_ms) if len(s) else float("nan"),
        "last_spike_ms": float(s[-1] - start_ms) if len(s) else float("nan"),
        "first_isi_ms": float(d[0]) if len(d) else float("nan"),
        "mean_isi_ms": float(d.mean()) if len(d) else float("nan"),
        "late_isi_ms": float(np.mean(d[-3:])) if len(d) else float("nan"),
        "adaptation_index": adaptation_index(s),
        "cv_isi": cv_isi(s),
        "cv_isi_late": cv_isi(s[len(s) // 2:]) if len(s) >= 6 else float("nan"),
        "n_bursts": len(bursts),
        "burst_sizes": [int(len(b)) for b in bursts],
        "burst_starts_ms": [float(s[b[0]] - start_ms) for b in bursts],
        "burst_period_cv": cv_isi([s[b[0]] for b in bursts]) if len(bursts) >= 3
        else float("nan"),
    }


def firing_pattern(f: dict, duration_ms: float) -> str:
    """Name the firing pattern of :func:`train_features` output (Naud et al. 2008 classes).

    Rules, in order: no spikes → ``silent``; fewer than 3 spikes, or none in the last quarter
    of the step → ``transient``; ≥ 2 bursts → ``irregular`` if the burst onsets are irregular
    (CV > 0.25), else ``bursting`` (``delayed_bursting`` if the first spike comes later than
    half a burst period); late ISIs < 0.8 × first ISI → ``accelerating``
    (``delayed_accelerating`` if the first-spike latency exceeds the first ISI); one burst at
    the onset → ``initial_burst``; late-ISI CV > 0.2 → ``irregular``; adaptation index > 0.02
    or first ISI < 0.6 × late ISI → ``adapting``; otherwise ``tonic``.
    """
    n = f["n_spikes"]
    if n == 0:
        return "silent"
    if n < 3 or f["last_spike_ms"] < 0.75 * duration_ms:
        return "transient"
    if f["n_bursts"] >= 2:
        if np.isfinite(f["burst_period_cv"]) and f["burst_period_cv"] > 0.25:
            return "irregular"
        period = np.median(np.diff(f["burst_starts_ms"]))
        return "delayed_bursting" if f["latency_ms"] > 0.5 * period else "bursting"
    if f["late_isi_ms"] < 0.8 * f["first_isi_ms"]:
        return "delayed_accelerating" if f["latency_ms"] > f["first_isi_ms"] else "accelerating"
    if f["n_bursts"] == 1 and f["burst_starts_ms"][0] <= f["latency_ms"] + 1e-9:
        return "initial_burst"
    if np.isfinite(f["cv_isi_late"]) and f["cv_isi_late"] > 0.2:
        return "irregular"
    if f["adaptation_index"] > 0.02 or f["first_isi_ms"] < 0.6 * f["late_isi_ms"]:
        return "adapting"
    return "tonic"


def spike_shapes(t_ms, v_mV, spike_times_ms, dvdt_mV_per_ms: float = 20.0,
                 rest_mV: float | None = None) -> dict:
    """Per-spike threshold, peak, half-width and AHP minimum (arrays, one value per spike).

    Each spike is located by its time (from :func:`detect_spikes` or a SpikeMonitor); its peak
    is the maximum V within 3 ms after that time (from 0.5 ms before).
    """
    t, v = _as_1d("t_ms", t_ms), _as_1d("v_mV", v_mV)
    s = np.sort(_as_1d("spike_times_ms", spike_times_ms))
    dvdt = np.gradient(v, t)
    out = {k: np.full(len(s), np.nan) for k in ("threshold_mV", "peak_mV", "width_ms",
                                                  "ahp_min_mV", "peak_ms")}
    for i, ts in enumerate(s):
        lo = np.searchsorted(t, ts - 0.5)
        hi = max(np.searchsorted(t, ts + 3.0), lo + 1)
        ip = lo + int(np.argmax(v[lo:hi]))
        out["peak_mV"][i], out["peak_ms"][i] = v[ip], t[ip]
        # threshold: walk back from the peak while dV/dt stays above the criterion
        prev_end = min(int(np.searchsorted(t, s[i - 1] + 3.0)), ip) if i else 0
        first = min(max(prev_end, lo), ip)
        j = first + int(np.argmax(dvdt[first:ip + 1]))
        while j > prev_end and dvdt[j - 1] >= dvdt_mV_per_ms:
            j -= 1
        out["threshold_mV"][i] = v[j]
        half = 0.5 * (v[j] + v[ip])
        a = ip
        while a > j and v[a - 1] >= half:
            a -= 1
        b = ip
        while b < len(v) - 1 and v[b + 1] >= half:
            b += 1
        out["width_ms"][i] = t[b] - t[a] + (t[1] - t[0] if a == b else 0.0)
        nxt = np.searchsorted(t, s[i + 1] - 0.5) if i + 1 < len(s) else len(v)
        if nxt > ip + 1:
            out["ahp_min_mV"][i] = v[ip + 1:nxt].min()
    if rest_mV is not None:
        out["ahp_depth_mV"] = rest_mV - out["ahp_min_mV"]
    return out


def label_phases(t_ms, v_mV, spike_times_ms, rest_mV: float, tol_mV: float = 1.0,
                 dvdt_mV_per_ms: float = 20.0, refractory_ms: float = 3.0,
                 reset: bool = False) -> np.ndarray:
    """Label each sample with an index into :data:`PHASES`.

    - ``rising``: from the AP threshold to the peak;
    - ``repolarization``: from the peak until V falls back to rest;
    - ``refractory``: the rest of the first ``refractory_ms`` after the peak (absolute
      refractoriness; for reset models the clamped period);
    - ``hyperpolarization``: V below rest − ``tol_mV`` otherwise (the afterhyperpolarization);
    - ``depolarization``: V above rest + ``tol_mV`` otherwise (subthreshold, or not a spike);
    - ``rest``: within ``tol_mV`` of rest.

    ``reset=True`` is for integrate-and-fire models (LIF, Izhikevich, AdEx), whose spike ends in
    a reset, not a repolarization: ``repolarization`` is then the one step from the drawn peak
    to the reset value, and ``refractory`` lasts ``refractory_ms`` (the model's refractory
    period; 0 for a model without one).
    """
    t, v = _as_1d("t_ms", t_ms), _as_1d("v_mV", v_mV)
    labels = np.zeros(len(v), dtype=np.int8)
    labels[v > rest_mV + tol_mV] = PHASES.index("depolarization")
    labels[v < rest_mV - tol_mV] = PHASES.index("hyperpolarization")
    s = np.sort(_as_1d("spike_times_ms", spike_times_ms))
    if len(s) == 0:
        return labels
    shp = spike_shapes(t, v, s, dvdt_mV_per_ms)
    for i in range(len(s)):
        ip = int(np.searchsorted(t, shp["peak_ms"][i]))
        j = int(np.searchsorted(t, t[ip] - 5.0))
        under = np.flatnonzero(v[j:ip + 1] < shp["threshold_mV"][i])
        j = j + int(under[-1]) + 1 if len(under) else j
        labels[j:ip] = PHASES.index("rising")
        if reset:
            end = min(ip + 1, len(v))
        else:
            below = np.flatnonzero(v[ip:] <= rest_mV)
            end = ip + (int(below[0]) if len(below) else len(v) - ip)
        labels[ip:end] = PHASES.index("repolarization")
        r_end = int(np.searchsorted(t, t[ip] + refractory_ms))
        if r_end > end:
            labels[end:r_end] = PHASES.index("refractory")
    return labels


def trace_summary(t_ms, v_mV, spike_times_ms, window_ms, spike_shape: bool = True) -> dict:
    """Headline numbers of one trace under a step: rest, first-spike shape, rate, ISIs.

    ``spike_shape=False`` (integrate-and-fire models, whose spikes are drawn, not computed)
    reports ``None`` for threshold, peak, width and AHP.
    """
    t, v = _as_1d("t_ms", t_ms), _as_1d("v_mV", v_mV)
    start, stop = window_ms
    rest = resting_potential(t, v, (t[0], start) if start > t[0] else None)
    s = np.sort(_as_1d("spike_times_ms", spike_times_ms))
    feats = train_features(s, start, stop)
    out = {"rest_mV": rest, "n_spikes": int(len(s)), "rate_hz": feats["rate_hz"],
           "spike_times_ms": s.tolist(), "isis_ms": isis(s).tolist(),
           "adaptation_index": _nan_to_none(feats["adaptation_index"]),
           "pattern": firing_pattern(feats, stop - start)}
    keys = ("threshold_mV", "peak_mV", "width_ms", "ahp_min_mV", "ahp_depth_mV")
    if spike_shape and len(s):
        shp = spike_shapes(t, v, s, rest_mV=rest)
        out.update({k: _nan_to_none(float(shp[k][0])) for k in keys})
        if not shape_is_resolved(shp):
            out["width_ms"] = None
    else:
        out.update({k: None for k in keys})
    return out


def shape_is_resolved(shp) -> bool:
    """False when widths are a single sample (a drawn spike of a reset model)."""
    return bool(np.all(shp["width_ms"][np.isfinite(shp["width_ms"])] > 0.05))


def _nan_to_none(x):
    return None if x is None or not np.isfinite(x) else float(x)
