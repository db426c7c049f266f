"""Bifurcation diagram in the injected current: equilibria, cycles, bistability.

For a grid of currents ``I_1 < ... < I_N``:

1. **Equilibria** — every fixed point at each current with its type
   (:func:`.fixed_points.fixed_points`), and the saddle-node and Hopf points of the branch
   inside ``[I_1, I_N]`` (:mod:`.continuation`).
2. **Cycles, by simulation** (:func:`.limit_cycles.cycle_sweep`), from two kinds of start:
   *from rest* — the resting state at ``I_1`` (a current step, as in an f–I experiment) — and
   *from the cycle* — a state on the cycle found at the lowest current that has no stable
   equilibrium (or at the highest current with a cycle), which follows the stable cycle down
   into the range where rest is stable too. Each cycle gives min V, max V and frequency.
3. **Bistability** — where a stable equilibrium and a stable cycle coexist, judged on the grid
   and at the currents of ``extra_cycles`` (cycles found by other searches, e.g. at the f–I
   onset), in order of current. A range's end where an equilibrium loses or gains stability
   is that saddle-node or Hopf current. An end where the cycle disappears (a fold of cycles) is
   refined between samples by :func:`cycle_edge`: ``k`` currents simulated together for a long
   ``horizon`` from the cycle, ``rounds`` times, each shrinking the bracket ``k + 1`` times.
   Near a fold an orbit lingers for a long time before it decays (the ghost of the fold:
   ~1/sqrt(distance) cycles), so an end found by simulation is low by the distance at which
   that lingering outlasts the simulated time (HH: ~0.003 µA/cm² for 1 s).
4. **Hopf criticality** — *subcritical* when a stable cycle persists just below the Hopf current
   (on the side where the equilibrium is still stable: a bistable range ends there, or a probe
   started on the cycle keeps oscillating), otherwise *supercritical*.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..checks import require_finite
from .continuation import Branch, equilibrium_branch, special_points
from .fixed_points import FixedPoint, fixed_points
from .limit_cycles import LimitCycle, cycle_sweep
from .model import DynamicalModel

__all__ = ["Diagram", "bifurcation_diagram", "check_currents", "rest_state", "kick_state",
           "cycle_edge"]


@dataclass(frozen=True)
class Diagram:
    """The bifurcation diagram on a current grid.

    Attributes
    ----------
    currents : array, shape (N,)
    equilibria : list (N) of list of FixedPoint
    branch : Branch
        The whole branch of equilibria (V grid over ``model.v_range``).
    points : list of BifurcationPoint
        Saddle-node and Hopf points with a current in ``[I_1, I_N]``, by increasing V.
    cycles : list (N) of LimitCycle or None
    bistable_ranges : list of (float, float)
        Current intervals where a stable equilibrium and a stable cycle coexist.
    criticality : dict
        Hopf current -> ``"subcritical"`` / ``"supercritical"`` (Hopf points where the rest
        loses stability, ``unstable_dims == 0``).
    onset : float or None
        The lowest current with a stable cycle (after refinement), or ``None``.
    """

    currents: np.ndarray
    equilibria: list
    branch: Branch
    points: list
    cycles: list
    bistable_ranges: list
    criticality: dict = field(default_factory=dict)
    onset: float | None = None

    @property
    def hopf_currents(self) -> list[float]:
        return [p.current for p in self.points if p.kind == "hopf"]

    @property
    def saddle_node_currents(self) -> list[float]:
        return [p.current for p in self.points if p.kind == "saddle-node"]


def check_currents(currents) -> np.ndarray:
    """The current grid as a float array; ``ValueError`` unless 1-D, finite, at least two
    values and strictly increasing."""
    i = np.asarray(currents, dtype=float)
    if i.ndim != 1 or i.size < 2:
        raise ValueError(f"currents: expected at least two values, got {i.size}")
    require_finite(i, "currents")
    if not np.all(np.diff(i) > 0):
        raise ValueError("currents: must increase strictly (START < STOP)")
    return i


def rest_state(model: DynamicalModel, current: float) -> np.ndarray | None:
    """The stable equilibrium of lowest V at ``current``, or ``None`` if there is none."""
    stable = [fp for fp in fixed_points(model, current) if fp.stable]
    return stable[0].state.copy() if stable else None


def kick_state(model: DynamicalModel, current: float) -> np.ndarray:
    """A far-from-rest start: the lowest equilibrium (or V's lower bound on its nullclines)
    with V moved to 3/4 of ``model.v_range`` — above threshold for every model here."""
    lo, hi = model.v_range
    fps = fixed_points(model, current)
    x = fps[0].state.copy() if fps else model.equilibrium_state(lo).astype(float)
    x[0] = lo + 0.75 * (hi - lo)
    return x


def _stable_any(fps: list[FixedPoint]) -> bool:
    return any(fp.stable for fp in fps)


def bifurcation_diagram(model: DynamicalModel, currents, *, refine: bool = True,
                        horizon: float | None = None, rounds: int = 1, k: int = 12,
                        from_rest: list | None = None, extra_cycles=(), **sweep) -> Diagram:
    """The diagram of the module docstring on the grid ``currents`` (model's unit).

    Parameters
    ----------
    refine : bool
        Refine fold-of-cycle ends of bistable ranges (:func:`cycle_edge`) and probe Hopf
        criticality; ``False`` keeps grid resolution (faster; ``extra_cycles`` still count,
        and a Hopf that ends a bistable range is still called subcritical).
    horizon : float, optional
        Simulated time before each refinement probe is judged (default ``40 *
        model.period_scale``: with the 8 periods judged, as long as an f–I step).
    rounds, k : int
        Refinement rounds and currents per round.
    from_rest : list (N) of LimitCycle or None, optional
        Cycles already found from rest on this grid (e.g. :attr:`.excitability.FICurve.cycles`
        of the f–I curve); they replace the from-rest sweep.
    extra_cycles : sequence of LimitCycle
        Stable cycles found by other searches between grid currents (e.g. the cycle at the
        f–I onset, :attr:`.excitability.Onset.cycle`); they count like grid currents for the
        bistable ranges and the onset.
    sweep
        Passed to :func:`.limit_cycles.cycle_sweep` (``t_settle``, ``t_measure``, ...).

    Raises
    ------
    ValueError
        A current grid that is not 1-D, finite and strictly increasing with >= 2 values.
    """
    i = check_currents(currents)
    branch = equilibrium_branch(model)
    points = [p for p in special_points(model, branch) if i[0] <= p.current <= i[-1]]
    equilibria = [fixed_points(model, c) for c in i]
    stable = np.array([_stable_any(f) for f in equilibria])

    if from_rest is None:
        rest = rest_state(model, i[0])
        start = rest if rest is not None else kick_state(model, i[0])
        cycles, _ = cycle_sweep(model, i, np.tile(start, (i.size, 1)), **sweep)
    else:
        if len(from_rest) != i.size:
            raise ValueError(f"from_rest: {len(from_rest)} cycles for {i.size} currents")
        cycles = list(from_rest)
    seed = _seed(model, i, cycles, stable, sweep)
    if seed is not None:
        below = [j for j in range(i.size) if cycles[j] is None and i[j] < seed.current]
        if below:
            found, _ = cycle_sweep(model, i[below], np.tile(seed.x[:, 0], (len(below), 1)),
                                   **sweep)
            for j, c in zip(below, found):
                cycles[j] = c
    horizon = 40 * model.period_scale if horizon is None else float(horizon)
    ranges, onset = _bistable_ranges(model, i, cycles, stable, points, extra_cycles,
                                     refine=refine, horizon=horizon, rounds=rounds, k=k)
    criticality = _criticality(model, points, i, cycles, ranges, horizon, probe=refine)
    return Diagram(currents=i, equilibria=equilibria, branch=branch, points=points,
                   cycles=cycles, bistable_ranges=ranges, criticality=criticality,
                   onset=onset)


def _seed(model, i, cycles, stable, sweep) -> LimitCycle | None:
    """The cycle to follow downwards: at the lowest current without a stable equilibrium,
    else the highest current with a cycle, else one reached from a kick at the top current."""
    unstable_cycle = [j for j in range(i.size) if cycles[j] is not None and not stable[j]]
    if unstable_cycle:
        return cycles[unstable_cycle[0]]
    found = [j for j in range(i.size) if cycles[j] is not None]
    if found:
        return cycles[found[-1]]
    cyc, _ = cycle_sweep(model, i[-1:], kick_state(model, i[-1])[None, :], **sweep)
    return cyc[0]


def _bistable_ranges(model, i, cycles, stable, points, extra_cycles, *, refine, horizon,
                     rounds, k):
    """Bistable ranges and the onset (lowest current with a cycle) from the grid and the
    extra cycles, merged in order of current (module docstring, step 3)."""
    samples = [(float(c), bool(s), cyc, True) for c, s, cyc in zip(i, stable, cycles)]
    for cyc in extra_cycles:
        if cyc is not None and i[0] <= cyc.current <= i[-1]:
            samples.append((cyc.current, _stable_any(fixed_points(model, cyc.current)), cyc,
                            False))
    samples.sort(key=lambda s: s[0])
    has = [s[2] is not None for s in samples]
    both = [s[1] and h for s, h in zip(samples, has)]
    onset = next((s[0] for s, h in zip(samples, has) if h), None)
    ranges = []
    for a, b in _runs(both):
        lo = samples[a][0]
        if a > 0 and not samples[a - 1][1]:          # an equilibrium gained stability
            lo = _change_current(points, samples[a - 1][0], lo, lo, last=True)
        elif a > 0 and not has[a - 1] and refine:     # the cycle ends: a fold of cycles
            lo = cycle_edge(model, samples[a - 1][0], lo, samples[a][2], horizon=horizon,
                            rounds=rounds, k=k)
        hi = samples[b][0]
        if b + 1 < len(samples) and not samples[b + 1][1]:   # the rest loses stability
            hi = _change_current(points, hi, samples[b + 1][0], hi, last=False)
        ranges.append((float(lo), float(hi)))
        if onset is not None and a == has.index(True):
            onset = min(onset, float(lo))
    return ranges, onset


def _runs(mask) -> list[tuple[int, int]]:
    """Index ranges [a, b] of the True runs of a boolean array."""
    out, a = [], None
    for j, m in enumerate(mask):
        if m and a is None:
            a = j
        if not m and a is not None:
            out.append((a, j - 1))
            a = None
    if a is not None:
        out.append((a, len(mask) - 1))
    return out


def _change_current(points, lo, hi, default, *, last: bool) -> float:
    """The saddle-node or Hopf current in ``[lo, hi]`` where an equilibrium loses (first
    such point, ``last=False``) or gains (last such point) stability; ``default`` if none."""
    inside = [p.current for p in points if lo <= p.current <= hi]
    if not inside:
        return default
    return max(inside) if last else min(inside)


def cycle_edge(model: DynamicalModel, i_without: float, i_with: float, cycle: LimitCycle, *,
               horizon: float, rounds: int = 1, k: int = 12) -> float:
    """The lowest current in ``(i_without, i_with]`` that keeps a stable cycle, by ``rounds``
    of ``k`` currents simulated together for ``horizon`` from the cycle at ``i_with`` (each
    round from the cycle at the bracket's new top); a current keeps the cycle when V still
    oscillates at the end.

    Returns the upper end of the final bracket (width ``(i_with - i_without) / (k+1)^rounds``).
    """
    lo, hi, x_cycle = float(i_without), float(i_with), cycle.x[:, 0]
    for _ in range(max(1, int(rounds))):
        probe = np.linspace(lo, hi, k + 2)[1:-1]
        cycles, status = cycle_sweep(model, probe, np.tile(x_cycle, (k, 1)),
                                     t_settle=horizon, max_rounds=1)
        alive = [st != "rest" for st in status]
        # the bracket's new top: the lowest probe above which every probe keeps the cycle
        top = k
        while top > 0 and alive[top - 1]:
            top -= 1
        if top < k and cycles[top] is not None:
            x_cycle = cycles[top].x[:, 0]
        lo, hi = (probe[top - 1] if top > 0 else lo), (probe[top] if top < k else hi)
    return float(hi)


def _criticality(model, points, i, cycles, ranges, horizon, probe: bool = True) -> dict:
    """Hopf current -> sub/supercritical, for Hopf points where the rest loses stability.

    Subcritical when a bistable range ends at the Hopf current; otherwise (if ``probe``) one
    probe at ``I_H - 1e-3 (I_N - I_1)`` from the nearest cycle above decides.
    """
    out = {}
    for p in points:
        if p.kind != "hopf" or p.unstable_dims != 0:
            continue
        if any(abs(hi - p.current) <= 1e-12 * max(1.0, abs(hi)) for _, hi in ranges):
            out[p.current] = "subcritical"
            continue
        above = [j for j in range(i.size) if i[j] > p.current and cycles[j] is not None]
        if not above or not probe:
            continue
        eps = 1e-3 * (i[-1] - i[0])
        _, status = cycle_sweep(model, [p.current - eps], cycles[above[0]].x[:, 0][None, :],
                                t_settle=horizon, max_rounds=1)
        out[p.current] = "subcritical" if status[0] != "rest" else "supercritical"
    return out
