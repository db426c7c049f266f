"""The branch of equilibria in the injected current I, and its saddle-node and Hopf points.

Continuation bookkeeping. The equilibria of every model here form one curve
``{(I_eq(V), equilibrium(V))}`` (:func:`.fixed_points.equilibrium_current`), so V itself is a
parameter along the branch that never fails at a fold: where a predictor–corrector in I would
turn back (a saddle-node), V simply keeps increasing. The branch is sampled on a V grid; at each
point the Jacobian's eigenvalues give its stability. Bifurcations are sign changes along it,
each refined by :func:`scipy.optimize.brentq` in V (``xtol = 1e-12``), and reported at the
current ``I_eq(V*)``:

- **saddle-node** (fold): a real eigenvalue crosses 0, i.e. ``det J`` changes sign. There
  ``dI_eq/dV = 0``: two equilibria meet and vanish (the current is a local extremum of I_eq).
- **Hopf**: the real part of a complex-conjugate pair ``mu ± i omega`` crosses 0 (in 2-D:
  ``trace J = 0`` with ``det J > 0``). The cycle born there starts with frequency
  ``omega / 2 pi``. Only crossings where the pair stays complex on both sides count, so a
  real pair passing through ``lambda_1 = -lambda_2`` (a "neutral saddle") is not reported.

Whether the Hopf is super- or subcritical (a small stable cycle born, or an unstable one dying)
is decided by simulation in :mod:`.diagram`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from .fixed_points import (FixedPoint, _check_range, classify, equilibrium_current,
                           fixed_point_at)
from .model import DynamicalModel

__all__ = ["Branch", "BifurcationPoint", "equilibrium_branch", "saddle_nodes", "hopf_points",
           "special_points"]


@dataclass(frozen=True)
class Branch:
    """The equilibria along a V grid: ``v`` (shape ``(N,)``), ``current`` (``I_eq(v)``, the
    model's current unit), ``states`` (shape ``(N, n_state)``), ``eigenvalues`` (shape
    ``(N, n_state)``, complex, decreasing real part) and ``stability`` (N type names)."""

    v: np.ndarray
    current: np.ndarray
    states: np.ndarray
    eigenvalues: np.ndarray
    stability: tuple[str, ...]

    @property
    def stable(self) -> np.ndarray:
        """Boolean mask of stable points, shape ``(N,)``."""
        return np.array([s.startswith("stable") for s in self.stability])


@dataclass(frozen=True)
class BifurcationPoint:
    """A saddle-node (``kind="saddle-node"``) or Hopf (``kind="hopf"``) point of the branch.

    ``current`` (model's unit), ``point`` (the equilibrium there), ``frequency`` (Hopf only:
    ``omega / 2 pi`` in 1 / time unit, i.e. kHz for models in ms; ``None`` for a
    saddle-node) and ``unstable_dims`` (eigenvalues with a positive real part just before the
    crossing, on the side of lower V).
    """

    kind: str
    current: float
    point: FixedPoint
    frequency: float | None
    unstable_dims: int

    @property
    def v(self) -> float:
        """The voltage of the equilibrium at the bifurcation."""
        return self.point.v


def equilibrium_branch(model: DynamicalModel, v_range=None, n: int = 1601) -> Branch:
    """The equilibria with V on ``n`` points of ``v_range`` (default ``model.v_range``).

    Raises ``ValueError`` for an empty, reversed or infinite range.
    """
    lo, hi = _check_range(model, v_range)
    v = np.linspace(lo, hi, int(n))
    current = equilibrium_current(model, v)
    states = model.equilibrium_state(v).T
    eig = np.array([_eigs(model, x, c) for x, c in zip(states, current)])
    return Branch(v=v, current=current, states=states, eigenvalues=eig,
                  stability=tuple(classify(e) for e in eig))


def _eigs(model, x, current):
    lam = np.linalg.eigvals(model.jacobian_at(x, current))
    return lam[np.lexsort((-lam.imag, -lam.real))]


def _det(model: DynamicalModel, v: float) -> float:
    x = model.equilibrium_state(v)
    return float(np.linalg.det(model.jacobian_at(x, float(equilibrium_current(model, v)))))


def _pair_real(eigenvalues) -> float:
    """Real part of the leading complex pair (NaN if all eigenvalues are real)."""
    lam = np.asarray(eigenvalues)
    scale = max(float(np.max(np.abs(lam))), 1e-300)
    pair = lam[np.abs(lam.imag) > 1e-9 * scale]
    return float(pair.real.max()) if pair.size else float("nan")


def _hopf_function(model: DynamicalModel, v: float) -> float:
    x = model.equilibrium_state(v)
    return _pair_real(_eigs(model, x, float(equilibrium_current(model, v))))


def _point(model, kind, v, branch_eigs_below) -> BifurcationPoint:
    current = float(equilibrium_current(model, v))
    fp = fixed_point_at(model, v, current)
    freq = None
    if kind == "hopf":
        freq = float(np.max(np.abs(fp.eigenvalues.imag))) / (2 * np.pi)
    unstable = int(np.sum(np.asarray(branch_eigs_below).real > 0))
    return BifurcationPoint(kind=kind, current=current, point=fp, frequency=freq,
                            unstable_dims=unstable)


def _brackets(values) -> list[tuple[int, int]]:
    """Index pairs (j, k) around each sign change of ``values``: neighbours of opposite sign,
    or the two neighbours of an exact zero on the grid (NaN never brackets)."""
    s = np.sign(np.asarray(values, dtype=float))
    out = [(k, k + 1) for k in np.flatnonzero(s[:-1] * s[1:] < 0)]
    out += [(k - 1, k + 1) for k in np.flatnonzero(s[1:-1] == 0) + 1 if s[k - 1] * s[k + 1] < 0]
    return sorted(out)


def saddle_nodes(model: DynamicalModel, branch: Branch) -> list[BifurcationPoint]:
    """Saddle-node points: sign changes of ``det J`` along ``branch``, refined in V (a real
    eigenvalue crosses 0; there ``dI_eq/dV = 0``)."""
    det = np.prod(branch.eigenvalues, axis=1).real
    out = []
    for j, k in _brackets(det):
        v = brentq(lambda u: _det(model, u), branch.v[j], branch.v[k], xtol=1e-12)
        out.append(_point(model, "saddle-node", v, branch.eigenvalues[j]))
    return out


def hopf_points(model: DynamicalModel, branch: Branch) -> list[BifurcationPoint]:
    """Hopf points: the real part of a complex pair changes sign between two branch points
    that both have the pair; refined in V by ``brentq``. The pair ``mu ± i omega`` crosses
    ``mu = 0`` (in 2-D: ``trace J = 0`` with ``det J > 0``); the cycle born there starts with
    frequency ``omega / 2 pi``."""
    h = np.array([_pair_real(e) for e in branch.eigenvalues])
    out = []
    for j, k in _brackets(h):
        a, b = branch.v[j], branch.v[k]
        if not (np.isfinite(_hopf_function(model, a)) and np.isfinite(_hopf_function(model, b))):
            continue
        try:
            v = brentq(lambda u: _nan_guard(_hopf_function(model, u)), a, b, xtol=1e-12)
        except ValueError:   # the pair turned real inside the interval: not a Hopf crossing
            continue
        out.append(_point(model, "hopf", v, branch.eigenvalues[j]))
    return out


def _nan_guard(value: float) -> float:
    if not np.isfinite(value):
        raise ValueError("complex pair lost")
    return value


def special_points(model: DynamicalModel, branch: Branch) -> list[BifurcationPoint]:
    """Saddle-node and Hopf points of ``branch``, in order of increasing V."""
    return sorted(saddle_nodes(model, branch) + hopf_points(model, branch), key=lambda p: p.v)
