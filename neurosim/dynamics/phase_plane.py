"""The phase plane of a planar model (state ``(v, y)``): nullclines, flow, orbits.

- **Nullclines**: the curves ``dv/dt = 0`` and ``dy/dt = 0``. For each ``v`` of a grid, every
  root in ``y`` inside the window is found (sign changes on a ``y`` grid, each refined by
  :func:`scipy.optimize.brentq`), so folded nullclines (the cubic ``dv/dt = 0`` of
  FitzHugh–Nagumo, Morris–Lecar's N shape, Rinzel's quartic in n) come out whole. Fixed points
  are where they cross.
- **Vector field**: ``(dv/dt, dy/dt)`` on a grid.
- **Threshold**: the smallest kick in V from rest that makes a spike (V rising above half way
  from rest to the top of the window), by bisection (``brentq`` on the peak V reached).
- :func:`phase_portrait` bundles all of these with the fixed points, a sub- and a
  supra-threshold trajectory from rest, and the limit cycle at that current.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from ..checks import require_finite
from .diagram import kick_state
from .fixed_points import FixedPoint, fixed_points
from .limit_cycles import LimitCycle, find_limit_cycle
from .model import DynamicalModel
from .trajectories import Trajectory, integrate

__all__ = ["Nullcline", "VectorField", "PhasePortrait", "require_planar", "nullclines",
           "vector_field", "threshold_kick", "phase_portrait"]


@dataclass(frozen=True)
class Nullcline:
    """``d(state[index])/dt = 0``: ``v`` (shape ``(K,)``) and ``y`` (shape ``(K, R)``: the R
    roots at each v, ascending, NaN where fewer). Plot ``y[:, r]`` against ``v``."""

    index: int
    v: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class VectorField:
    """``v``, ``y`` (grids, shape ``(ny, nv)``) and ``dv``, ``dy`` (per time unit)."""

    v: np.ndarray
    y: np.ndarray
    dv: np.ndarray
    dy: np.ndarray


@dataclass(frozen=True)
class PhasePortrait:
    """Everything :func:`phase_portrait` computes at one current."""

    current: float
    window: tuple
    fixed_points: list
    nullclines: tuple
    field: VectorField
    trajectories: dict
    cycle: LimitCycle | None
    threshold: float | None


def require_planar(model: DynamicalModel) -> None:
    """``ValueError`` unless the model has exactly two state variables."""
    if model.n_state != 2:
        raise ValueError(f"model {model.name!r} has {model.n_state} state variables "
                         f"({', '.join(model.state)}); the phase plane needs 2 "
                         "(use hh-rinzel for HH's planar reduction)")


def _window(model, window):
    w = model.window[:2] if window is None else window
    (a, b), (c, d) = ((float(w[0][0]), float(w[0][1])), (float(w[1][0]), float(w[1][1])))
    if not all(np.isfinite([a, b, c, d])) or b <= a or d <= c:
        raise ValueError(f"window {w!r}: expected ((v_low, v_high), (y_low, y_high)), "
                         "each low < high")
    return (a, b), (c, d)


def nullclines(model: DynamicalModel, current: float, window=None, n: int = 400
               ) -> tuple[Nullcline, Nullcline]:
    """The v- and y-nullclines inside ``window`` (default ``model.window``) at ``current``:
    the curves ``dv/dt = 0`` and ``dy/dt = 0``."""
    require_planar(model)
    (a, b), (c, d) = _window(model, window)
    p = model.values
    v, y = np.linspace(a, b, n), np.linspace(c, d, n)
    V, Y = np.meshgrid(v, y, indexing="ij")                 # (nv, ny)
    F = model.rhs(np.stack([V, Y]), current, p)
    out = []
    for k in (0, 1):
        roots = []
        for j, vj in enumerate(v):
            g = F[k, j]
            col = [float(y[i]) for i in np.flatnonzero(g == 0)]
            for i in np.flatnonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0):
                col.append(brentq(lambda u: float(model.rhs(np.array([vj, u]), current, p)[k]),
                                  y[i], y[i + 1], xtol=1e-12))
            roots.append(sorted(col))
        width = max((len(r) for r in roots), default=0)
        Ymat = np.full((n, max(width, 1)), np.nan)
        for j, r in enumerate(roots):
            Ymat[j, :len(r)] = r
        out.append(Nullcline(index=k, v=v, y=Ymat))
    return out[0], out[1]


def vector_field(model: DynamicalModel, current: float, window=None, n: int = 25) -> VectorField:
    """``(dv/dt, dy/dt)`` on an ``n`` x ``n`` grid of ``window``."""
    require_planar(model)
    (a, b), (c, d) = _window(model, window)
    V, Y = np.meshgrid(np.linspace(a, b, n), np.linspace(c, d, n))
    F = model.rhs(np.stack([V, Y]), current, model.values)
    return VectorField(v=V, y=Y, dv=F[0], dy=F[1])


def _peak(model, x0, current, t_end) -> float:
    tr = integrate(model, x0, current, t_end, rtol=1e-6, atol=1e-8)
    return float(tr.v.max())


def threshold_kick(model: DynamicalModel, current: float, rest: np.ndarray, *,
                   t_end: float | None = None) -> float | None:
    """The smallest V kick from ``rest`` that fires a spike within ``t_end`` (default 4
    ``model.period_scale``), to 1e-3 of ``model.v_range`` (module docstring), or ``None``
    when even a kick to the top of ``model.v_range`` does not."""
    lo_v, hi_v = model.v_range
    level = rest[0] + 0.5 * (model.window[0][1] - rest[0])
    t_end = 4 * model.period_scale if t_end is None else float(t_end)

    def excess(kick):
        x = rest.copy()
        x[0] += kick
        return _peak(model, x, current, t_end) - level

    top = hi_v - rest[0]
    if excess(top) <= 0:
        return None
    return float(brentq(excess, 0.0, top, xtol=1e-3 * (hi_v - lo_v)))


def phase_portrait(model: DynamicalModel, current: float, *, starts=None, window=None,
                   t_end: float | None = None, n_field: int = 25,
                   n_nullcline: int = 400) -> PhasePortrait:
    """Fixed points, nullclines, flow, trajectories and the cycle at ``current``.

    Parameters
    ----------
    starts : array, shape (K, 2), optional
        Initial states of extra trajectories (state units), labelled ``"start 1"``, ...
    window : ((v_low, v_high), (y_low, y_high)), optional
        Default ``model.window``.
    t_end : float, optional
        Length of each trajectory (default ``6 * model.period_scale``).
    n_field, n_nullcline : int
        Grid sizes of the vector field and of the nullclines' v grid.

    The default trajectories start at the stable rest (lowest-V stable fixed point) kicked
    in V by 0.8 and 1.25 times :func:`threshold_kick` (``"subthreshold"``,
    ``"suprathreshold"``); without a stable rest, one starts beside the lowest fixed point.

    Raises
    ------
    ValueError
        A model without two state variables, a bad window, a non-finite current, starts of
        the wrong shape.
    """
    require_planar(model)
    win = _window(model, window)
    require_finite(current, f"current {current!r}")
    t_end = 6 * model.period_scale if t_end is None else float(t_end)
    fps: list[FixedPoint] = fixed_points(model, current)
    stable = [f for f in fps if f.stable]
    runs: dict[str, Trajectory] = {}
    threshold = None
    if stable:
        rest = stable[0].state.copy()
        threshold = threshold_kick(model, current, rest)
        if threshold is not None:
            for label, factor in (("subthreshold", 0.8), ("suprathreshold", 1.25)):
                x = rest.copy()
                x[0] += factor * threshold
                runs[label] = integrate(model, x, current, t_end, dt_out=t_end / 2000)
    elif fps:
        x = fps[0].state.copy()
        x[0] += 1e-3 * (model.v_range[1] - model.v_range[0])
        runs["from the unstable fixed point"] = integrate(model, x, current, t_end,
                                                           dt_out=t_end / 2000)
    if starts is not None:
        s = np.atleast_2d(np.asarray(starts, dtype=float))
        if s.ndim != 2 or s.shape[1] != 2:
            raise ValueError(f"starts of shape {s.shape}: expected (K, 2) states (v, y)")
        for k, x in enumerate(s, start=1):
            runs[f"start {k}"] = integrate(model, x, current, t_end, dt_out=t_end / 2000)
    cycle = find_limit_cycle(model, current, kick_state(model, current))
    return PhasePortrait(current=float(current), window=win, fixed_points=fps,
                         nullclines=nullclines(model, current, win, n_nullcline),
                         field=vector_field(model, current, win, n_field), trajectories=runs,
                         cycle=cycle, threshold=threshold)
