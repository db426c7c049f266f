"""Pair-based spike-timing-dependent plasticity (STDP) with traces, additive or multiplicative.

Every pre-synaptic spike raises a trace ``x_pre`` by 1, every post-synaptic spike a trace
``x_post`` by 1; both decay exponentially (all-to-all pairing, Song, Miller & Abbott 2000,
*Nat Neurosci* 3:919, Methods; Morrison, Diesmann & Gerstner 2008, *Biol Cybern* 98:459, §4.1)::

    dx_pre/dt  = -x_pre / tau_plus        x_pre  += 1 at a pre spike
    dx_post/dt = -x_post / tau_minus      x_post += 1 at a post spike

    at a post spike (potentiation):   w += A_plus  * f_plus(w)  * x_pre
    at a pre spike  (depression):     w -= A_minus * f_minus(w) * x_post
    then w is clipped to [0, w_max]

with the weight dependence of Gütig, Aharonov, Rotter & Sompolinsky (2003, *J Neurosci*
23:3697, eq. 2), exponent mu:

- ``rule="additive"`` (mu = 0; Song et al. 2000): ``f_plus = f_minus = w_max``. The weights
  are pushed to the bounds: the bimodal distribution of Song et al. Fig. 2.
- ``rule="multiplicative"`` (mu = 1; weight-dependent, soft bounds: van Rossum, Bi &
  Turrigiano 2000, *J Neurosci* 20:8812, made symmetric by Rubin, Lee & Sompolinsky 2001 and
  Gütig et al. 2003): ``f_plus = w_max - w``, ``f_minus = w``. The weights settle to a
  unimodal distribution.

``A_plus`` and ``A_minus`` are dimensionless (fractions of ``w_max`` per pairing). One pairing
pre → post with Δt = t_post − t_pre, far from any other spike, changes the weight by

    Δw / f_plus(w)  = + A_plus  exp(-Δt / tau_plus)     (Δt > 0)
    Δw / f_minus(w) = - A_minus exp(+Δt / tau_minus)    (Δt < 0)

the exponential window fitted by Bi & Poo (1998, *J Neurosci* 18:10464, Fig. 7) and used by
Song et al. 2000 (A_plus = 0.005, A_minus / A_plus = 1.05, tau± = 20 ms: :func:`song2000`).

Engines. :func:`brian2_stdp_model` gives Brian2 statements; :func:`nest_stdp_synapse` maps the
record onto NEST's ``stdp_synapse`` (Gütig et al. 2003 form: ``lambda = A_plus``, ``alpha =
A_minus / A_plus``, ``mu_plus = mu_minus = 0`` or ``1``, ``Wmax = w_max``; NEST keeps
``tau_minus`` on the *post-synaptic neuron*, so every plastic connection onto one population
must share it). NEST treats a connection's whole delay ``d`` as dendritic: a post spike is seen
at the synapse at ``t_post + d`` and a pre spike at ``t_pre``, so NEST's Δt is ``t_post + d -
t_pre`` (NEST docs, ``stdp_synapse``). :func:`pair_dt` gives the Δt of each convention.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..checks import require_choice, require_finite_number, require_positive_finite

__all__ = ["STDP", "RULES", "song2000", "window", "pair_dt", "brian2_stdp_model",
           "nest_stdp_synapse"]

#: weight-dependence rules and their Gütig et al. (2003) exponent mu
RULES = {"additive": 0.0, "multiplicative": 1.0}


def _ms(value, name: str) -> float:
    """A time as a float in ms: a Brian2 quantity with the dimension of time, or a plain
    number (taken as ms). One-line ValueError / TypeError otherwise."""
    from brian2 import second
    from brian2.units.fundamentalunits import Quantity, have_same_dimensions

    if isinstance(value, Quantity):
        if not have_same_dimensions(value, second):
            raise ValueError(f"STDP {name}={value!r}: needs a time (e.g. 20*ms)")
        x = float(value / second) * 1e3
    elif isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
        x = float(value)
    else:
        raise TypeError(f"STDP {name}={value!r}: expected a time such as 20*ms")
    require_positive_finite(x, f"STDP {name}={value!r}")
    return x


@dataclass(frozen=True)
class STDP:
    """Parameters of pair-based STDP with traces (module docstring for the equations).

    Attributes
    ----------
    tau_plus, tau_minus : Quantity (time)
        Decay of the pre-synaptic (potentiation) and post-synaptic (depression) traces.
    A_plus, A_minus : float
        Weight change per pairing at Δt → 0±, as a fraction of ``f_plus(w)`` / ``f_minus(w)``
        (``w_max`` for the additive rule). Non-negative.
    w_max : Quantity
        Upper bound of the weight, in the connection weight's unit (mV for a delta synapse,
        A for a current synapse, S for a conductance). Positive: STDP acts on excitatory
        (non-negative) weights here, as in Song et al. 2000 and NEST's ``stdp_synapse``.
    rule : {"additive", "multiplicative"}
        Weight dependence (mu = 0 or 1 of Gütig et al. 2003).

    Raises
    ------
    ValueError
        One line naming the value: unknown rule, a non-positive or non-finite time constant
        or ``w_max``, a negative or non-finite ``A``.
    TypeError
        A time constant that is not a time, a ``w_max`` that is not a Brian2 quantity.
    """

    tau_plus: object
    tau_minus: object
    A_plus: float
    A_minus: float
    w_max: object
    rule: str = "additive"

    def __post_init__(self):
        from brian2.units.fundamentalunits import Quantity

        require_choice(self.rule, RULES, f"STDP rule={self.rule!r}")
        _ms(self.tau_plus, "tau_plus")
        _ms(self.tau_minus, "tau_minus")
        for name in ("A_plus", "A_minus"):
            a = getattr(self, name)
            if isinstance(a, bool) or not isinstance(a, (int, float, np.floating, np.integer)):
                raise TypeError(f"STDP {name}={a!r}: expected a dimensionless number")
            require_finite_number(a, f"STDP {name}={a!r}", ">=")
        if not isinstance(self.w_max, Quantity) and not isinstance(self.w_max, (int, float)):
            raise TypeError(f"STDP w_max={self.w_max!r}: expected a quantity (e.g. 1*mV)")
        w = float(np.asarray(self.w_max))
        require_positive_finite(w, f"STDP w_max={self.w_max!r}")

    @property
    def mu(self) -> float:
        """Gütig et al. (2003) exponent of the weight dependence (0 additive, 1 multiplicative)."""
        return RULES[self.rule]

    @property
    def tau_plus_ms(self) -> float:
        return _ms(self.tau_plus, "tau_plus")

    @property
    def tau_minus_ms(self) -> float:
        return _ms(self.tau_minus, "tau_minus")

    def check_weight(self, weight) -> None:
        """Check that a connection weight fits this rule: same dimension as ``w_max`` and in
        ``[0, w_max]``. One-line ValueError otherwise."""
        from brian2.units.fundamentalunits import have_same_dimensions

        if not have_same_dimensions(weight, self.w_max):
            raise ValueError(f"STDP w_max={self.w_max!r}: not in the unit of the connection "
                             f"weight {weight!r}")
        w = np.asarray(weight, dtype=float)
        if np.any(w < 0) or np.any(w > float(np.asarray(self.w_max)) * (1 + 1e-12)):
            raise ValueError(f"STDP on weight {weight!r}: weights must lie in [0, w_max = "
                             f"{self.w_max!r}]")


def song2000(w_max, rule: str = "additive", *, A_plus: float = 0.005) -> STDP:
    """Song, Miller & Abbott (2000) parameters: tau± = 20 ms, A_minus / A_plus = 1.05
    (depression slightly dominates, Methods), A_plus = 0.005 by default."""
    from brian2 import ms

    return STDP(tau_plus=20 * ms, tau_minus=20 * ms, A_plus=A_plus, A_minus=1.05 * A_plus,
                w_max=w_max, rule=rule)


def window(stdp: STDP, dt_ms) -> np.ndarray:
    """Closed-form weight change of one isolated pairing, per unit of ``f±(w)``.

    ``A_plus exp(-Δt/tau_plus)`` for Δt > 0 (post after pre), ``-A_minus exp(Δt/tau_minus)``
    for Δt < 0, ``nan`` at Δt = 0 (both traces are updated in the same step: the order is an
    engine detail). Shape of ``dt_ms`` (ms, Δt = t_post − t_pre at the synapse).
    """
    dt = np.asarray(dt_ms, dtype=float)
    out = np.full(dt.shape, np.nan)
    pos, neg = dt > 0, dt < 0
    out[pos] = stdp.A_plus * np.exp(-dt[pos] / stdp.tau_plus_ms)
    out[neg] = -stdp.A_minus * np.exp(dt[neg] / stdp.tau_minus_ms)
    return out


def pair_dt(t_pre_ms, t_post_ms, delay_ms, engine: str):
    """Δt at the synapse for a pre spike at ``t_pre`` and a post spike at ``t_post`` over a
    connection of delay ``d``: Brian2 (delay on the pre pathway, as neurosim's Brian2 engine
    wires it) sees ``t_post - (t_pre + d)``; NEST (delay all dendritic) ``t_post + d - t_pre``.
    """
    if engine == "brian2":
        return np.asarray(t_post_ms) - np.asarray(t_pre_ms) - delay_ms
    if engine == "nest":
        return np.asarray(t_post_ms) + delay_ms - np.asarray(t_pre_ms)
    raise ValueError(f"engine {engine!r}: unknown; choose from brian2, nest")


def _literal(quantity) -> str:
    """A Brian2 expression for a quantity: its SI value times its SI unit."""
    from ..neuron.model import unit_string

    unit = unit_string(quantity)
    value = repr(float(np.asarray(quantity)))
    return value if unit == "1" else f"({value} * {unit})"


def brian2_stdp_model(stdp: STDP, w: str = "w") -> tuple[str, str, str]:
    """Brian2 ``Synapses`` equations and statements for ``stdp`` on the weight variable ``w``.

    The traces and updates of the module docstring::

        dx_pre/dt  = -x_pre / tau_plus        x_pre  += 1 at a pre spike
        dx_post/dt = -x_post / tau_minus      x_post += 1 at a post spike
        at a post spike (potentiation):   w += A_plus  * f_plus(w)  * x_pre
        at a pre spike  (depression):     w -= A_minus * f_minus(w) * x_post
        then w is clipped to [0, w_max]

    with ``f_plus = f_minus = w_max`` (additive) or ``f_plus = w_max - w``, ``f_minus = w``
    (multiplicative).

    Returns
    -------
    model : str
        Declares ``w`` (the weight, unit of ``w_max``, per synapse) and the event-driven
        traces ``x_pre_stdp``, ``x_post_stdp`` (dimensionless).
    on_pre : str
        Depression and trace update; the engine appends its transmission statement *after*
        these lines (``v_post += w``), so the spike carries the updated weight, as in NEST.
    on_post : str
        Potentiation and trace update.

    Parameter values are written into the strings as literals (one code object per parameter
    set; Brian2 caches each).
    """
    if not isinstance(stdp, STDP):
        raise TypeError(f"plasticity {stdp!r}: expected an STDP record")
    if not w.isidentifier():
        raise ValueError(f"weight variable {w!r}: not an identifier")
    from ..neuron.model import unit_string

    wmax = _literal(stdp.w_max)
    zero = _literal(0 * stdp.w_max)
    tau_p = f"({stdp.tau_plus_ms!r} * ms)"
    tau_m = f"({stdp.tau_minus_ms!r} * ms)"
    model = (f"{w} : {unit_string(stdp.w_max)}\n"
             f"dx_pre_stdp/dt = -x_pre_stdp / {tau_p} : 1 (event-driven)\n"
             f"dx_post_stdp/dt = -x_post_stdp / {tau_m} : 1 (event-driven)\n")
    if stdp.rule == "additive":
        f_plus, f_minus = wmax, wmax
    else:
        f_plus, f_minus = f"({wmax} - {w})", w
    on_pre = (f"x_pre_stdp += 1\n"
              f"{w} = clip({w} - {stdp.A_minus!r} * {f_minus} * x_post_stdp, {zero}, {wmax})\n")
    on_post = (f"x_post_stdp += 1\n"
               f"{w} = clip({w} + {stdp.A_plus!r} * {f_plus} * x_pre_stdp, {zero}, {wmax})\n")
    return model, on_pre, on_post


def nest_stdp_synapse(stdp: STDP, w_max_nest: float) -> tuple[dict, dict]:
    """NEST ``stdp_synapse`` parameters for ``stdp``, and the post-synaptic neuron's.

    Parameters
    ----------
    stdp : STDP
    w_max_nest : float
        ``w_max`` in NEST's unit for the connection (mV, pA or nS: the engine converts).

    Returns
    -------
    syn : dict
        ``{"synapse_model": "stdp_synapse", "tau_plus", "lambda", "alpha", "mu_plus",
        "mu_minus", "Wmax"}`` (tau in ms). NEST: potentiation ``w/Wmax += lambda (1 -
        w/Wmax)^mu_plus K+``, depression ``w/Wmax -= alpha lambda (w/Wmax)^mu_minus K-``.
    neuron : dict
        ``{"tau_minus": ms}``: NEST keeps the depression trace on the post-synaptic neuron.

    Raises
    ------
    ValueError
        ``A_plus = 0`` with ``A_minus > 0`` (NEST writes A_minus as ``alpha * lambda``).
    """
    if stdp.A_plus == 0 and stdp.A_minus > 0:
        raise ValueError("STDP A_plus=0 with A_minus>0: NEST's stdp_synapse writes A_minus as "
                         "alpha*lambda and cannot express it")
    alpha = stdp.A_minus / stdp.A_plus if stdp.A_plus > 0 else 1.0
    syn = {"synapse_model": "stdp_synapse", "tau_plus": stdp.tau_plus_ms,
           "lambda": float(stdp.A_plus), "alpha": float(alpha), "mu_plus": stdp.mu,
           "mu_minus": stdp.mu, "Wmax": float(w_max_nest)}
    return syn, {"tau_minus": stdp.tau_minus_ms}
