"""Limit cycles found by simulation: integrate, let the transient die, measure the orbit.

A trajectory is judged on its last stretch (after ``t_settle``), sampled every ``dt_out``:

- it is at **rest** when V varies by less than ``amp_tol`` there;
- it is on a **cycle** when the last ``n_cycles`` periods agree to ``rtol`` and so do their
  V ranges (max − min). A period is the time between upward crossings of the mid-level
  ``(min V + max V) / 2`` (linear interpolation between samples); for integrate-and-fire
  models it is the time between spike resets;
- otherwise it is **unresolved** (a slow approach to a cycle or a fixed point, near a
  bifurcation, or an irregular or bursting orbit): the search continues from where it ended
  for up to ``max_rounds`` stretches (each twice as long), and if still unresolved, no cycle
  is reported.

The cycle found is stable (an attractor reached by simulation); unstable cycles are not found
this way. Cycles of several currents are integrated together (:func:`.trajectories.
integrate_ensemble`), which costs little more than one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import DynamicalModel
from .trajectories import integrate, integrate_ensemble

__all__ = ["LimitCycle", "detect_cycle", "find_limit_cycle", "cycle_sweep"]


@dataclass(frozen=True)
class LimitCycle:
    """A periodic orbit at one current.

    ``period`` (time unit), ``v_min`` / ``v_max`` (V's unit) over the last period, and that
    period's samples ``t`` (shape ``(K,)``, from 0) and ``x`` (shape ``(n_state, K)``).
    """

    current: float
    period: float
    v_min: float
    v_max: float
    t: np.ndarray
    x: np.ndarray

    @property
    def frequency(self) -> float:
        """``1 / period`` (1 / time unit: kHz for models in ms)."""
        return 1.0 / self.period

    @property
    def amplitude(self) -> float:
        """``v_max - v_min``."""
        return self.v_max - self.v_min


def _settings(model: DynamicalModel, t_settle, t_measure, dt_out, amp_tol):
    s = model.period_scale
    lo, hi = model.v_range
    return (10 * s if t_settle is None else float(t_settle),
            8 * s if t_measure is None else float(t_measure),
            s / 600 if dt_out is None else float(dt_out),
            1e-3 * (hi - lo) if amp_tol is None else float(amp_tol))


def detect_cycle(t, x, current: float, *, spike_times=None, amp_tol: float,
                 rtol: float = 1e-3, n_cycles: int = 3):
    """Judge one sampled trajectory: ``(status, cycle)`` with status ``"rest"``, ``"cycle"``
    or ``"unresolved"`` (module docstring); ``cycle`` is a :class:`LimitCycle` or ``None``.
    A period is the time between upward crossings of the mid-level ``(min V + max V) / 2``.

    ``t`` shape ``(K,)``, ``x`` shape ``(n_state, K)``; ``spike_times`` (reset models) replace
    the mid-level crossings.
    """
    t, x = np.asarray(t, dtype=float), np.asarray(x, dtype=float)
    v = x[0]
    marks = np.asarray([] if spike_times is None else spike_times, dtype=float)
    marks = marks[marks >= t[0]]
    if marks.size == 0 and np.ptp(v) < amp_tol:
        return "rest", None
    spiking = marks.size > 0
    if not spiking:
        level = 0.5 * (v.min() + v.max())
        k = np.flatnonzero((v[:-1] < level) & (v[1:] >= level))
        marks = t[k] + (level - v[k]) * (t[k + 1] - t[k]) / (v[k + 1] - v[k])
    if marks.size < n_cycles + 1:
        return "unresolved", None
    marks = marks[-(n_cycles + 1):]
    periods = np.diff(marks)
    lows, highs = [], []
    for a, b in zip(marks[:-1], marks[1:]):
        inside = (t >= a) & (t <= b)
        lows.append(v[inside].min() if inside.any() else np.nan)
        highs.append(v[inside].max() if inside.any() else np.nan)
    spans = np.asarray(highs) - np.asarray(lows)
    if not (np.ptp(periods) <= rtol * periods.mean() and np.all(np.isfinite(spans))
            and np.ptp(spans) <= rtol * max(spans.mean(), amp_tol)):
        return "unresolved", None
    if spiking:   # from the reset point after one spike to the cut-off of the next
        first = int(np.searchsorted(t, marks[-2], side="right")) - 1
        last = int(np.searchsorted(t, marks[-1], side="left"))
        inside = np.zeros(t.size, dtype=bool)
        inside[max(first, 0):last + 1] = True
    else:
        inside = (t >= marks[-2]) & (t <= marks[-1])
    v_max = max(highs[-1], float(v[inside].max())) if spiking else highs[-1]
    return "cycle", LimitCycle(current=float(current), period=float(periods[-1]),
                               v_min=float(lows[-1]), v_max=float(v_max),
                               t=t[inside] - marks[-2], x=x[:, inside])


def find_limit_cycle(model: DynamicalModel, current: float, x0, **kwargs):
    """The stable cycle reached from ``x0`` at ``current``, or ``None`` (rest or unresolved).

    Keyword arguments as :func:`cycle_sweep`.
    """
    return cycle_sweep(model, [current], [x0], **kwargs)[0][0]


def cycle_sweep(model: DynamicalModel, currents, initial_states, *, t_settle=None,
                t_measure=None, dt_out=None, amp_tol=None, rtol: float = 1e-3,
                n_cycles: int = 3, max_rounds: int = 3):
    """For each current, integrate from its initial state and look for a cycle.

    Parameters
    ----------
    model : DynamicalModel
    currents : array, shape (N,)
    initial_states : array, shape (N, n_state)
    t_settle, t_measure : float, optional
        Transient dropped, then stretch judged (time unit; defaults 10 and 8 times
        ``model.period_scale``). Unresolved copies get ``max_rounds - 1`` more stretches,
        each twice as long as the one before.
    dt_out : float, optional
        Sampling step (default ``period_scale / 600``).
    amp_tol : float, optional
        V range below which the state is at rest (default 1e-3 of ``model.v_range``'s width).

    Returns
    -------
    cycles : list of LimitCycle or None, length N
    status : list of str, length N
        ``"rest"``, ``"cycle"`` or ``"unresolved"``.
    """
    t_settle, t_measure, dt_out, amp_tol = _settings(model, t_settle, t_measure, dt_out,
                                                      amp_tol)
    i = np.asarray(currents, dtype=float).reshape(-1)
    x0 = np.atleast_2d(np.asarray(initial_states, dtype=float))
    if x0.shape != (i.size, model.n_state):
        raise ValueError(f"initial states of shape {x0.shape}: expected ({i.size}, "
                         f"{model.n_state})")
    cycles, status = [None] * i.size, ["unresolved"] * i.size
    todo, start, settle = list(range(i.size)), x0.copy(), t_settle
    for _ in range(max(1, int(max_rounds))):
        if not todo:
            break
        ends = _run(model, i[todo], start[todo], settle, t_measure, dt_out, amp_tol, rtol,
                    n_cycles)
        for k, (st, cyc, end) in zip(list(todo), ends):
            status[k], cycles[k] = st, cyc
            start[k] = end
        todo = [k for k in todo if status[k] == "unresolved"]
        settle, t_measure = 0.0, 2 * t_measure       # slow periods need a longer look
    return cycles, status


def _run(model, currents, x0, t_settle, t_measure, dt_out, amp_tol, rtol, n_cycles):
    """[(status, cycle, end state)] for one stretch of each copy."""
    t_end = t_settle + t_measure
    out = []
    if model.reset is None:
        t, xs = integrate_ensemble(model, x0, currents, t_end, dt_out=dt_out, t_record=t_settle)
        for k, c in enumerate(currents):
            st, cyc = detect_cycle(t, xs[k], c, amp_tol=amp_tol, rtol=rtol, n_cycles=n_cycles)
            out.append((st, cyc, xs[k][:, -1]))
        return out
    for c, y in zip(currents, x0):
        tr = integrate(model, y, c, t_end, dt_out=dt_out, rtol=1e-7, atol=1e-8)
        keep = tr.t >= t_settle
        st, cyc = detect_cycle(tr.t[keep], tr.x[:, keep], c, spike_times=tr.spike_times,
                               amp_tol=amp_tol, rtol=rtol, n_cycles=n_cycles)
        out.append((st, cyc, tr.x[:, -1]))
    return out
