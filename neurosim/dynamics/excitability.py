"""Hodgkin's (1948) excitability classes, decided two independent ways.

Hodgkin (1948), J Physiol 107:165; in dynamical terms Rinzel & Ermentrout (1989) and
Izhikevich (2007), §1.2 and ch. 7:

- **class I** — repetitive firing starts at an arbitrarily low rate: the f–I curve is
  continuous from 0 Hz. The rest disappears in a saddle-node *on* an invariant circle (SNIC):
  the orbit leaving the saddle returns to the node, so just past the fold the orbit is a cycle
  whose period diverges at the fold.
- **class II** — firing starts at a non-zero rate (a jump in the f–I curve). The rest loses
  stability in a Hopf bifurcation, or disappears in a saddle-node *off* an invariant circle
  (the orbit leaving the saddle goes elsewhere: to a cycle that already exists).

**From the f–I curve** (:func:`fi_curve`, :func:`fi_onset`): steps from rest at ``i_rest`` to
each current; rate = 1 / period of the cycle reached (0 at rest). The onset is bracketed on the
grid, then narrowed by rounds of ``k`` currents simulated together. A measurement that sees
``n_cycles + 1`` spikes in a window ``t_measure`` cannot see rates below
``f_res = n_cycles / t_measure``. The curve is *continuous from 0* when the rate at the onset
found is below ``2 f_res`` — it was still falling when it fell below what the window
resolves — and a *jump* otherwise (the onset rate is then reported: e.g. ~50 Hz for HH).

**From the bifurcation** (:func:`bifurcation_class`): follow the branch of equilibria upwards in
V from the rest at ``i_rest``; the first saddle-node or Hopf point where the rest loses
stability decides. For a saddle-node, at ``I_SN - eps`` the trajectory leaving the saddle along
its unstable eigenvector, away from the node, is integrated (with the spike reset of
integrate-and-fire models): back at the node means an invariant circle (class I).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .continuation import equilibrium_branch, special_points
from .diagram import check_currents, rest_state
from .fixed_points import fixed_points
from .limit_cycles import cycle_sweep
from .model import DynamicalModel
from .trajectories import integrate

__all__ = ["FICurve", "Onset", "BifurcationClass", "fi_curve", "fi_onset", "bifurcation_class",
           "excitability"]


@dataclass(frozen=True)
class FICurve:
    """``currents`` (shape ``(N,)``, model's unit) and steady ``rates`` (shape ``(N,)``,
    1 / time unit: kHz for models in ms; 0 where the model rests or does not settle), from
    rest at ``i_rest``; ``f_res`` is the lowest rate the window resolves; ``cycles`` the
    :class:`~.limit_cycles.LimitCycle` (or ``None``) behind each rate."""

    currents: np.ndarray
    rates: np.ndarray
    i_rest: float
    f_res: float
    cycles: list


@dataclass(frozen=True)
class Onset:
    """Onset of repetitive firing: first firing ``current`` (bracket ``(below, current]``),
    its ``rate`` (1 / time unit) and ``cycle``, ``f_res`` and the verdict ``continuous``
    (class I) or not."""

    current: float
    below: float
    rate: float
    f_res: float
    continuous: bool
    cycle: object = None

    @property
    def excitability_class(self) -> str:
        return "I" if self.continuous else "II"


@dataclass(frozen=True)
class BifurcationClass:
    """How the rest loses stability: ``kind`` (``"hopf"``, ``"saddle-node on invariant
    circle"``, ``"saddle-node off invariant circle"``), at ``current``, and the class."""

    kind: str
    current: float

    @property
    def excitability_class(self) -> str:
        return "I" if self.kind == "saddle-node on invariant circle" else "II"


def _fi_settings(model, t_settle, t_measure):
    s = model.period_scale
    return (10 * s if t_settle is None else float(t_settle),
            40 * s if t_measure is None else float(t_measure))


def _rest(model, i_rest):
    x = rest_state(model, i_rest)
    if x is None:
        raise ValueError(f"no stable rest at I = {i_rest:g} {model.current_unit} to step from")
    return x


def fi_curve(model: DynamicalModel, currents, *, i_rest: float = 0.0, t_settle=None,
             t_measure=None, n_cycles: int = 3) -> FICurve:
    """Steady firing rate after a step from rest at ``i_rest`` to each current.

    ``t_settle`` / ``t_measure`` default to 10 and 40 ``model.period_scale``. Raises
    ``ValueError`` for a bad current grid or when there is no stable rest at ``i_rest``.
    """
    i = check_currents(currents)
    t_settle, t_measure = _fi_settings(model, t_settle, t_measure)
    x0 = _rest(model, i_rest)
    cycles, _ = cycle_sweep(model, i, np.tile(x0, (i.size, 1)), t_settle=t_settle,
                            t_measure=t_measure, n_cycles=n_cycles, max_rounds=1)
    rates = np.array([0.0 if c is None else c.frequency for c in cycles])
    return FICurve(currents=i, rates=rates, i_rest=float(i_rest), f_res=n_cycles / t_measure,
                   cycles=list(cycles))


def fi_onset(model: DynamicalModel, fi: FICurve, *, rounds: int = 2, k: int = 12,
             t_settle=None, t_measure=None, n_cycles: int = 3) -> Onset | None:
    """The onset of repetitive firing, narrowed from the f–I grid (module docstring): the
    window resolves rates down to ``f_res = n_cycles / t_measure``, and the onset is
    *continuous* (class I) when its rate is below ``2 f_res``.

    ``None`` when no grid current fires or the lowest already does (onset outside the grid).
    """
    firing = np.flatnonzero(fi.rates > 0)
    if firing.size == 0 or firing[0] == 0:
        return None
    j = firing[0]
    lo, hi, rate = float(fi.currents[j - 1]), float(fi.currents[j]), float(fi.rates[j])
    cycle = fi.cycles[j]
    t_settle, t_measure = _fi_settings(model, t_settle, t_measure)
    x0 = _rest(model, fi.i_rest)
    for _ in range(max(0, int(rounds))):
        probe = np.linspace(lo, hi, k + 2)[1:-1]
        cycles, _ = cycle_sweep(model, probe, np.tile(x0, (k, 1)), t_settle=t_settle,
                                t_measure=t_measure, n_cycles=n_cycles, max_rounds=1)
        fires = [c is not None for c in cycles]
        top = k                      # lowest probe above which every probe fires
        while top > 0 and fires[top - 1]:
            top -= 1
        if top < k:
            hi, rate, cycle = float(probe[top]), float(cycles[top].frequency), cycles[top]
        if top > 0:
            lo = float(probe[top - 1])
    f_res = n_cycles / t_measure
    return Onset(current=hi, below=lo, rate=rate, f_res=f_res, continuous=rate < 2 * f_res,
                 cycle=cycle)


def _scaled(model, x):
    spans = np.array([b - a for a, b in model.window[:model.n_state]], dtype=float)
    return np.asarray(x, dtype=float) / spans


def bifurcation_class(model: DynamicalModel, i_rest: float = 0.0, *,
                      eps: float | None = None, t_end: float | None = None
                      ) -> BifurcationClass | None:
    """How the rest at ``i_rest`` loses stability as I increases (module docstring).

    ``eps`` (default ``1e-3 * max(1, |I_SN|)``) is the distance below the saddle-node at which
    the saddle's unstable manifold is followed for ``t_end`` (default ``50 *
    model.period_scale``). ``None`` when the rest never loses stability in ``model.v_range``.

    Raises
    ------
    ValueError
        No stable rest at ``i_rest``.
    """
    x_rest = _rest(model, i_rest)
    branch = equilibrium_branch(model)
    loss = [p for p in special_points(model, branch)
            if p.v > x_rest[0] and p.unstable_dims == 0 and p.current > i_rest]
    if not loss:
        return None
    p = loss[0]
    if p.kind == "hopf":
        return BifurcationClass("hopf", p.current)
    eps = 1e-3 * max(1.0, abs(p.current)) if eps is None else float(eps)
    i_near = p.current - eps
    fps = fixed_points(model, i_near)
    node = min((f for f in fps if f.stable and f.v < p.v), key=lambda f: p.v - f.v, default=None)
    saddle = min((f for f in fps if f.stability == "saddle" and f.v > p.v - 1e-9),
                 key=lambda f: f.v - p.v, default=None)
    if node is None or saddle is None:
        return BifurcationClass("saddle-node off invariant circle", p.current)
    J = model.jacobian_at(saddle.state, i_near)
    lam, vec = np.linalg.eig(J)
    e_u = np.real(vec[:, int(np.argmax(lam.real))])
    if np.dot(_scaled(model, e_u), _scaled(model, node.state - saddle.state)) > 0:
        e_u = -e_u                                   # leave the saddle away from the node
    step = 1e-3 * np.linalg.norm(_scaled(model, node.state - saddle.state)) \
        / np.linalg.norm(_scaled(model, e_u))
    t_end = 50 * model.period_scale if t_end is None else float(t_end)
    tr = integrate(model, saddle.state + step * e_u, i_near, t_end)
    back = np.linalg.norm(_scaled(model, tr.x[:, -1] - node.state)) \
        < 0.05 * np.linalg.norm(_scaled(model, saddle.state - node.state)) + 1e-6
    kind = "saddle-node on invariant circle" if back else "saddle-node off invariant circle"
    return BifurcationClass(kind, p.current)


def excitability(model: DynamicalModel, currents, *, i_rest: float = 0.0, fi: FICurve | None
                 = None, **onset_kwargs) -> dict:
    """Both verdicts and whether they agree.

    Returns ``{"from_fi": Onset or None, "from_bifurcation": BifurcationClass or None,
    "fi": FICurve, "excitability_class": "I" / "II" / None}`` — the class only when both
    methods decided and agree. Raises ``ValueError`` for a bad current grid or no stable rest
    at ``i_rest``.
    """
    fi = fi_curve(model, currents, i_rest=i_rest) if fi is None else fi
    onset = fi_onset(model, fi, **onset_kwargs)
    bif = bifurcation_class(model, i_rest)
    agree = onset is not None and bif is not None \
        and onset.excitability_class == bif.excitability_class
    return {"from_fi": onset, "from_bifurcation": bif, "fi": fi,
            "excitability_class": onset.excitability_class if agree else None}
