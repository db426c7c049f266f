"""Fixed points, their Jacobian's eigenvalues, and their type.

Every model here has its non-voltage variables relax to functions of V
(:attr:`DynamicalModel.equilibrium`), and the current enters only ``dV/dt``, linearly. So the
equilibria at current I are the roots in V of

    g(V) = dV/dt(equilibrium(V), I) = (I - I_eq(V)) / C,
    I_eq(V) = -dV/dt(equilibrium(V), 0) / (dV/dt(equilibrium(V), 1) - dV/dt(equilibrium(V), 0))

``I_eq`` is the steady-state I–V curve: the current that holds V as an equilibrium. *All*
roots in a voltage interval are found: ``g`` is sampled on a grid, every sign change is refined
by :func:`scipy.optimize.brentq` (to 1e-12 in V). A tangential double root that the grid does
not see as a sign change is exactly a saddle-node point; :mod:`.continuation` finds those.

Type from the eigenvalues ``lambda`` of the Jacobian (Strogatz 1994, §5.2 and §6.3;
Izhikevich 2007, §4.2), with ``|Re lambda| <= 1e-9 * max|lambda|`` counted as zero:

- all ``Re < 0``: ``stable node`` (all real) or ``stable focus`` (a complex pair);
- all ``Re > 0``: ``unstable node`` / ``unstable focus``;
- both signs: ``saddle`` (``saddle-focus`` when a pair is complex, only in >= 3-D);
- some ``Re = 0``: ``non-hyperbolic`` (a bifurcation point).

In 2-D this is the trace–determinant rule: ``det < 0`` saddle; ``det > 0`` stable if
``tr < 0``, focus if ``tr^2 < 4 det``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from ..checks import require_finite
from .model import DynamicalModel

__all__ = ["FixedPoint", "equilibrium_current", "fixed_points", "fixed_point_at",
           "classify", "is_stable"]


@dataclass(frozen=True)
class FixedPoint:
    """One equilibrium: ``state`` (shape ``(n_state,)``, state units), the Jacobian's
    ``eigenvalues`` (complex, 1 / time unit, sorted by decreasing real part) and ``stability``
    (a type of the module docstring)."""

    state: np.ndarray
    eigenvalues: np.ndarray
    stability: str

    @property
    def v(self) -> float:
        """The voltage coordinate."""
        return float(self.state[0])

    @property
    def stable(self) -> bool:
        """All eigenvalues have a negative real part."""
        return is_stable(self.stability)


def equilibrium_current(model: DynamicalModel, v) -> np.ndarray:
    """``I_eq(V)``: the current (model's unit) at which voltage(s) ``v`` is an equilibrium.

    Exact (I enters ``dV/dt`` linearly); same shape as ``v``::

        I_eq(V) = -dV/dt(equilibrium(V), 0) / (dV/dt(equilibrium(V), 1) - dV/dt(equilibrium(V), 0))
    """
    x = model.equilibrium_state(v)
    f0 = model.f(x, 0.0)[0]
    slope = model.f(x, 1.0)[0] - f0        # d(dV/dt)/dI = 1/C
    return -f0 / slope


def classify(eigenvalues) -> str:
    """The type of an equilibrium from its eigenvalues (module docstring), ``Re`` their real
    parts::

        all Re < 0:  stable node (all real) or stable focus (a complex pair)
        all Re > 0:  unstable node / unstable focus
        both signs:  saddle (saddle-focus when a pair is complex, only in >= 3-D)
        some Re = 0: non-hyperbolic (a bifurcation point)

    In 2-D this is the trace–determinant rule::

        det < 0 saddle; det > 0 stable if tr < 0, focus if tr^2 < 4 det
    """
    lam = np.asarray(eigenvalues, dtype=complex)
    scale = max(float(np.max(np.abs(lam))), 1e-300)
    re = np.where(np.abs(lam.real) <= 1e-9 * scale, 0.0, lam.real)
    complex_pair = bool(np.any(np.abs(lam.imag) > 1e-9 * scale))
    if np.any(re == 0):
        return "non-hyperbolic"
    if np.all(re < 0):
        return "stable focus" if complex_pair else "stable node"
    if np.all(re > 0):
        return "unstable focus" if complex_pair else "unstable node"
    return "saddle-focus" if complex_pair and lam.size > 2 else "saddle"


def is_stable(stability: str) -> bool:
    """True for ``stable node`` and ``stable focus``."""
    return stability.startswith("stable")


def fixed_point_at(model: DynamicalModel, v: float, current: float) -> FixedPoint:
    """The equilibrium through voltage ``v`` (its other variables from ``equilibrium``),
    eigenvalues at current ``current``, and type."""
    x = model.equilibrium_state(float(v))
    lam = np.linalg.eigvals(model.jacobian_at(x, current))
    lam = lam[np.lexsort((-lam.imag, -lam.real))]
    return FixedPoint(state=x, eigenvalues=lam, stability=classify(lam))


def fixed_points(model: DynamicalModel, current: float, v_range=None,
                 n_grid: int = 4001) -> list[FixedPoint]:
    """Every equilibrium with V in ``v_range`` at current ``current``, sorted by V: the roots
    in V of ``g(V) = dV/dt(equilibrium(V), I) = (I - I_eq(V)) / C`` (module docstring).

    Parameters
    ----------
    model : DynamicalModel
    current : float
        Injected current in the model's unit (``model.current_unit``).
    v_range : (float, float), optional
        Voltage interval searched (V's unit); default ``model.v_range``.
    n_grid : int
        Grid points for the sign-change scan (spacing 0.04 mV over 160 mV by default).

    Returns
    -------
    list of FixedPoint
        Possibly empty: no equilibrium in the interval is a result, not an error.

    Raises
    ------
    ValueError
        ``v_range`` empty or reversed, not finite, or ``current`` not finite.
    """
    lo, hi = _check_range(model, v_range)
    require_finite(current, f"current {current!r}")
    v = np.linspace(lo, hi, int(n_grid))
    g = current - equilibrium_current(model, v)
    roots = [float(v[k]) for k in np.flatnonzero(g == 0)]
    for k in np.flatnonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0):
        roots.append(brentq(lambda u: current - float(equilibrium_current(model, u)),
                            v[k], v[k + 1], xtol=1e-12, rtol=4 * np.finfo(float).eps))
    return [fixed_point_at(model, r, current) for r in sorted(roots)]


def _check_range(model: DynamicalModel, v_range):
    lo, hi = model.v_range if v_range is None else v_range
    lo, hi = float(lo), float(hi)
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        raise ValueError(f"voltage range ({lo:g}, {hi:g}): expected finite LOW < HIGH")
    return lo, hi
