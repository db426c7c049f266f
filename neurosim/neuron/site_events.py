"""Spikes and smaller depolarizing events at one recorded site of a multi-compartment cell.

A *spike* is an upward crossing of ``criterion`` (default 0 mV: the action potential
overshoots); an *event* is any local maximum of V that rises at least ``prominence`` (default
10 mV) above the surrounding troughs (:func:`scipy.signal.find_peaks`). Every spike is an
event; an event whose peak stays below the criterion is an attenuated depolarization, e.g. an
axonal spike seen back in the soma, or a somatic spike spreading into a passive dendrite.
Both are what the plot shows: the same numbers mark the trace.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SPIKE_CRITERION_MV", "EVENT_PROMINENCE_MV", "site_events"]

#: a spike crosses this voltage upwards (an overshoot)
SPIKE_CRITERION_MV = 0.0
#: an event rises at least this much above the troughs around it
EVENT_PROMINENCE_MV = 10.0


def site_events(t_ms, v_mV, criterion: float = SPIKE_CRITERION_MV,
                prominence: float = EVENT_PROMINENCE_MV) -> tuple[np.ndarray, list[dict]]:
    """Spike times and depolarizing events of one trace.

    Parameters
    ----------
    t_ms, v_mV : ndarray, shape (T,)
        Sample times (ms) and membrane potential (mV).
    criterion, prominence : float
        mV, see the module docstring.

    Returns
    -------
    spike_times_ms : ndarray, shape (S,)
        Upward crossings of ``criterion``, interpolated between samples.
    events : list of dict
        One per event, in time order: ``t_ms`` and ``peak_mV`` of its maximum, ``spike``
        (whether the peak reaches ``criterion``).
    """
    from scipy.signal import find_peaks

    from .analysis import detect_spikes

    t, v = np.asarray(t_ms, dtype=float), np.asarray(v_mV, dtype=float)
    spikes = detect_spikes(t, v, criterion)
    peaks, _ = find_peaks(v, prominence=prominence)
    events = [{"t_ms": float(t[k]), "peak_mV": float(v[k]), "spike": bool(v[k] >= criterion)}
              for k in peaks]
    return spikes, events
