"""Synapse models and connections (rule, weight, delay, plasticity) of a network.

Neuron input. Every library model (:mod:`neurosim.neuron.library`) reads ``I_inj``; in a
network ``I_inj = I_e + Σ_s I_s`` where ``I_e`` is a constant current per neuron
(:attr:`Population.I_e`) and ``I_s`` is the current of each synapse channel ``s`` onto the
population. Synapse models (a spike of presynaptic neuron ``i`` at ``t_i`` arrives at
``t_i + d``, ``d`` the delay; ``w`` the weight; ``H`` the Heaviside step)::

    delta     v -> v + w                          (w in volt; dropped while refractory,
                                                   as NEST's iaf_psc_delta does)
    exp       I_s = Σ w exp(-(t - t_i - d)/tau) H(...)            (w in A or A/m²)
    alpha     I_s = Σ w (t - t_i - d)/tau exp(1 - (t - t_i - d)/tau) H(...)  (peak w at tau)
    cond_exp  I_s = g_s (E_rev - v),  g_s = Σ w exp(-(t - t_i - d)/tau) H(...)
                                                   (w in S or S/m²)

A channel is named by :attr:`Synapse.name`: the engine's state variables are ``I_<name>``
(exp, alpha; alpha also ``x_<name>``) and ``g_<name>`` (cond_exp), and they can be recorded.
Two connections onto one population with the same synapse name must have the same synapse.

Connection rules (drawn by :mod:`.connectivity`): ``all_to_all``, ``fixed_probability``
(each pair with probability ``p``), ``fixed_indegree`` (``indegree`` distinct partners per
target), ``one_to_one``; NEST's rules of the same names (Gewaltig & Diesmann 2007, NEST
documentation "Connection management").
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..checks import check_int, check_name, check_quantity, require_choice, show

if TYPE_CHECKING:  # pragma: no cover
    from neurosim.neuron.model import NeuronModel

    from .plasticity import STDP

__all__ = ["Synapse", "Connection", "SYNAPSE_KINDS", "RULES"]

SYNAPSE_KINDS = ("delta", "exp", "alpha", "cond_exp")
RULES = ("all_to_all", "fixed_probability", "fixed_indegree", "one_to_one")


@dataclass(frozen=True)
class Synapse:
    """A synapse model (see the module docstring for the equations).

    A spike of presynaptic neuron ``i`` at ``t_i`` arrives at ``t_i + d`` (``d`` the delay,
    ``w`` the weight, ``H`` the Heaviside step); the engines integrate these kernels
    (:func:`.brian2_groups.neuron_equations`, :func:`.brian2_synapses.synapse_target`)::

        delta     v -> v + w
        exp       I_s = Σ w exp(-(t - t_i - d)/tau) H(...)
        alpha     I_s = Σ w (t - t_i - d)/tau exp(1 - (t - t_i - d)/tau) H(...)
        cond_exp  I_s = g_s (E_rev - v),  g_s = Σ w exp(-(t - t_i - d)/tau) H(...)

    Attributes
    ----------
    kind : {"delta", "exp", "alpha", "cond_exp"}
    tau : Quantity or None
        Time constant (ms) of exp, alpha and cond_exp; must be None for delta.
    E_rev : Quantity or None
        Reversal potential of cond_exp (volt); None otherwise.
    name : str
        Channel name (state variables ``I_<name>``, ``g_<name>``); default ``kind``.
    """

    kind: str
    tau: Any = None
    E_rev: Any = None
    name: str = ""

    def __post_init__(self):
        from brian2 import ms, mV

        require_choice(self.kind, SYNAPSE_KINDS, f"synapse kind {self.kind!r}")
        if not self.name:
            object.__setattr__(self, "name", self.kind)
        check_name(self.name, "Synapse")
        if self.kind == "delta":
            if self.tau is not None or self.E_rev is not None:
                raise ValueError("synapse kind 'delta': takes no tau and no E_rev")
            return
        if self.tau is None:
            raise ValueError(f"synapse kind {self.kind!r}: needs tau (e.g. 5*ms)")
        check_quantity(self.tau, ms, f"Synapse {self.name!r} tau", positive=True)
        if self.kind == "cond_exp":
            if self.E_rev is None:
                raise ValueError("synapse kind 'cond_exp': needs E_rev (e.g. 0*mV)")
            check_quantity(self.E_rev, mV, f"Synapse {self.name!r} E_rev")
        elif self.E_rev is not None:
            raise ValueError(f"synapse kind {self.kind!r}: takes no E_rev (current-based)")

    def weight_units(self, model: "NeuronModel"):
        """The accepted weight dimension onto ``model``: volt (delta), the model's current
        unit (exp, alpha), siemens or S/m² (cond_exp)."""
        from brian2 import volt

        if self.kind == "delta":
            return volt
        if self.kind == "cond_exp":
            return model.current_unit / volt
        return model.current_unit


@dataclass(frozen=True)
class Connection:
    """Synapses from population (or Poisson input) ``pre`` onto population ``post``.

    Attributes
    ----------
    pre, post : str
        Names of the source (Population or PoissonInput) and target (Population).
    rule : {"all_to_all", "fixed_probability", "fixed_indegree", "one_to_one"}
    weight : Quantity
        Scalar; dimension by synapse kind (:meth:`Synapse.weight_units`); cond_exp >= 0.
    delay : Quantity
        Scalar transmission delay, >= dt (checked by :class:`Network`); engines round it to a
        multiple of dt.
    synapse : Synapse
    p : float or None
        Connection probability in [0, 1] (``fixed_probability`` only; independent per pair).
    indegree : int or None
        Presynaptic partners per target (``fixed_indegree`` only), drawn without replacement.
    allow_autapses : bool
        Whether a neuron may connect to itself when ``pre == post`` (default True, as NEST).
    plasticity : neurosim.network.plasticity.STDP or None
        Pair-based STDP (defined in :mod:`.plasticity`); ``weight`` is then the initial weight.
    name : str
        Default ``"<pre>-><post>"`` (a suffix ``#k`` is added for repeats by :class:`Network`).
    """

    pre: str
    post: str
    rule: str
    weight: Any
    delay: Any
    synapse: Synapse
    p: float | None = None
    indegree: int | None = None
    allow_autapses: bool = True
    plasticity: "STDP | None" = None
    name: str = ""

    def __post_init__(self):
        from brian2 import ms

        require_choice(self.rule, RULES, f"connection rule {self.rule!r}")
        if not self.name:
            object.__setattr__(self, "name", f"{self.pre}->{self.post}")
        label = f"Connection {self.name!r}"
        if not isinstance(self.synapse, Synapse):
            raise TypeError(f"{label} synapse={show(self.synapse)}: expected a Synapse")
        if self.rule == "fixed_probability":
            if isinstance(self.p, bool) or not isinstance(self.p, numbers.Real):
                raise TypeError(f"{label} p={show(self.p)}: fixed_probability needs a "
                                "probability p (a number in [0, 1])")
            if not (0.0 <= float(self.p) <= 1.0):
                raise ValueError(f"{label} p={self.p}: probability must be in [0, 1]")
        elif self.p is not None:
            raise ValueError(f"{label} p={self.p}: only rule 'fixed_probability' takes p")
        if self.rule == "fixed_indegree":
            if self.indegree is None:
                raise TypeError(f"{label}: fixed_indegree needs indegree (an integer)")
            check_int(self.indegree, f"{label} indegree", minimum=0)
        elif self.indegree is not None:
            raise ValueError(f"{label} indegree={self.indegree}: only rule 'fixed_indegree' "
                             "takes indegree")
        check_quantity(self.delay, ms, f"{label} delay", nonnegative=True)
        if self.plasticity is not None:
            _check_plasticity(self.plasticity, label)


def _check_plasticity(rule, label: str) -> None:
    try:
        from .plasticity import STDP
    except ImportError:  # pragma: no cover - the plasticity module ships with the package
        return
    if not isinstance(rule, STDP):
        raise TypeError(f"{label} plasticity={show(rule)}: expected a "
                        "neurosim.network.plasticity.STDP or None")
