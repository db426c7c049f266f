"""Engine-independent description of a spiking network: frozen dataclasses with units.

A :class:`Network` is plain data — populations of the library's neuron models, Poisson
sources, connections with a synapse model, a rule, a weight and a delay, what to record, dt and
a seed. Engines (:mod:`.brian2_engine`, :mod:`.nest_engine`) build their own objects from it;
connectivity and random initial values are drawn by :mod:`.connectivity` from ``seed`` with
NumPy, so every engine can use the *same* synapses and start values.

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

Poisson sources. A :class:`PoissonInput` is ``n`` independent Poisson processes of one rate.
Connected ``one_to_one`` (without plasticity) each target neuron receives its own process,
which engines may realise as one generator per target (Brian2 ``PoissonInput`` with binomial
counts per step, NEST one ``poisson_generator`` connected all-to-all): the rate may then exceed
1/dt (several spikes in one step, as NEST delivers them).

Validation happens when an object is built: a ``TypeError`` or ``ValueError`` of one line
naming the bad value (unknown model, rule or synapse kind; a quantity of the wrong dimension;
a delay below dt or negative; a probability outside [0, 1]; an in-degree above the presynaptic
population size; an unknown population name).

Examples
--------
>>> from brian2 import ms, mV, Hz
>>> E = Population("E", "lif", 100, params=dict(tau=20*ms, E_L=0*mV, v_th=20*mV,
...                                             v_reset=10*mV, t_ref=2*ms))
>>> ext = PoissonInput("ext", 100, 10000*Hz)
>>> syn = Synapse("delta")
>>> net = Network([E], [ext],
...               [Connection("ext", "E", "one_to_one", weight=0.1*mV, delay=1.5*ms,
...                           synapse=syn),
...                Connection("E", "E", "fixed_indegree", indegree=10, weight=0.1*mV,
...                           delay=1.5*ms, synapse=syn)],
...               Recording(spikes=("E",)), dt=0.1*ms, seed=1)   # doctest: +SKIP
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from .checks import check_int, check_name, check_quantity, resolve_model, show

if TYPE_CHECKING:  # pragma: no cover
    from neurosim.neuron.model import NeuronModel

    from .plasticity import STDP

__all__ = ["Population", "PoissonInput", "Synapse", "Connection", "Recording", "Network",
           "Uniform", "SYNAPSE_KINDS", "RULES", "ENGINES", "resolve_model", "check_quantity"]

SYNAPSE_KINDS = ("delta", "exp", "alpha", "cond_exp")
RULES = ("all_to_all", "fixed_probability", "fixed_indegree", "one_to_one")
ENGINES = ("brian2", "nest")


# --------------------------------------------------------------------------- building blocks
@dataclass(frozen=True)
class Uniform:
    """Initial values drawn uniformly in ``[low, high)`` per neuron (from the network seed)."""

    low: Any
    high: Any

    def __post_init__(self):
        from brian2.units.fundamentalunits import have_same_dimensions

        if not have_same_dimensions(self.low, self.high):
            raise ValueError(f"Uniform({show(self.low)}, {show(self.high)}): low and high "
                             "need the same dimension")
        if not float(self.high) >= float(self.low):
            raise ValueError(f"Uniform({show(self.low)}, {show(self.high)}): high < low")


@dataclass(frozen=True)
class Population:
    """``n`` neurons of one model with per-neuron parameters.

    Attributes
    ----------
    name : str
        Identifier, unique in the network (``"E"``).
    model : str or NeuronModel
        Library name (``"lif"``, ``"izhikevich:RS"``, ``"adex:tonic"``, ``"hh"``) or a model.
    n : int
        Number of neurons, >= 1.
    params : mapping of str -> Quantity
        Parameter values (scalars or arrays of shape (n,)), checked by the model's
        :meth:`~neurosim.neuron.model.NeuronModel.check_parameters`.
    initial : mapping of str -> Quantity or Uniform
        Initial state values (scalar, shape (n,), or :class:`Uniform`); the model's
        ``initial`` fills the rest.
    I_e : Quantity
        Constant injected current (A, or A/m² for density models), scalar or shape (n,).
    """

    name: str
    model: Any
    n: int
    params: Mapping[str, Any] = field(default_factory=dict)
    initial: Mapping[str, Any] = field(default_factory=dict)
    I_e: Any = 0

    def __post_init__(self):
        check_name(self.name, "Population")
        check_int(self.n, f"Population {self.name!r} n")
        m = resolve_model(self.model)
        m.check_parameters(dict(self.params), prefix=f"Population {self.name!r} parameter ")
        for k, v in self.params.items():
            if np.ndim(v) not in (0, 1) or (np.ndim(v) == 1 and len(v) != self.n):
                raise ValueError(f"Population {self.name!r} parameter {k}: expected a scalar "
                                 f"or an array of length n={self.n}")
        for k, v in self.initial.items():
            if not isinstance(v, Uniform):
                if np.ndim(v) not in (0, 1) or (np.ndim(v) == 1 and len(v) != self.n):
                    raise ValueError(f"Population {self.name!r} initial {k}: expected a scalar,"
                                     f" an array of length n={self.n} or a Uniform")
        check_quantity(self.I_e, m.current_unit, f"Population {self.name!r} I_e", scalar=False,
                       n=self.n)

    @property
    def neuron_model(self) -> "NeuronModel":
        """The resolved NeuronModel (library lookup of a name)."""
        return resolve_model(self.model)


@dataclass(frozen=True)
class PoissonInput:
    """``n`` independent Poisson spike sources, each at ``rate`` (Hz, >= 0)."""

    name: str
    n: int
    rate: Any

    def __post_init__(self):
        from brian2 import Hz

        check_name(self.name, "PoissonInput")
        check_int(self.n, f"PoissonInput {self.name!r} n")
        check_quantity(self.rate, Hz, f"PoissonInput {self.name!r} rate", nonnegative=True)


@dataclass(frozen=True)
class Synapse:
    """A synapse model (see the module docstring for the equations).

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

        if self.kind not in SYNAPSE_KINDS:
            raise ValueError(f"synapse kind {self.kind!r}: unknown; choose from "
                             f"{', '.join(SYNAPSE_KINDS)}")
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

        if self.rule not in RULES:
            raise ValueError(f"connection rule {self.rule!r}: unknown; choose from "
                             f"{', '.join(RULES)}")
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


@dataclass(frozen=True)
class Recording:
    """What to record.

    Attributes
    ----------
    spikes : tuple of str or "all"
        Populations whose spikes are recorded (times and neuron indices).
    state : mapping of str -> (tuple of str, tuple of int)
        ``{population: (variables, neuron indices)}``, sampled every ``state_dt``
        (variables: ``v``, model states, synaptic channels ``I_<name>``/``g_<name>``).
    rate : tuple of str or "all"
        Populations whose population rate (Hz, every dt) is recorded.
    state_dt : Quantity or None
        Sampling interval of ``state`` (default: the network's dt).
    """

    spikes: Any = "all"
    state: Mapping[str, Any] = field(default_factory=dict)
    rate: Any = ()
    state_dt: Any = None

    def __post_init__(self):
        from brian2 import ms

        for what in ("spikes", "rate"):
            value = getattr(self, what)
            if value == "all":
                continue
            if isinstance(value, str) or not all(isinstance(s, str) for s in value):
                raise TypeError(f"Recording {what}={show(value)}: expected 'all' or a tuple "
                                "of population names")
            object.__setattr__(self, what, tuple(value))
        for pop, spec in self.state.items():
            try:
                variables, indices = spec
            except (TypeError, ValueError):
                raise TypeError(f"Recording state[{pop!r}]={show(spec)}: expected "
                                "(variables, indices)") from None
            if isinstance(variables, str) or not all(isinstance(v, str) for v in variables):
                raise TypeError(f"Recording state[{pop!r}] variables={show(variables)}: "
                                "expected a tuple of names")
            idx = np.asarray(indices)
            if idx.ndim != 1 or (idx.size and idx.dtype.kind not in "iu"):
                raise TypeError(f"Recording state[{pop!r}] indices={show(indices)}: expected "
                                "a sequence of neuron indices")
        if self.state_dt is not None:
            check_quantity(self.state_dt, ms, "Recording state_dt", positive=True)


@dataclass(frozen=True)
class Network:
    """A whole network: populations, Poisson inputs, connections, recording, dt, seed.

    Checks that names are unique and known, that weights have the synapse's dimension for the
    target model, that delays are >= dt, that ``one_to_one`` joins equal sizes, that an
    in-degree does not exceed the presynaptic size, and that recorded populations, variables
    and indices exist.

    Attributes
    ----------
    populations : tuple of Population
    inputs : tuple of PoissonInput
    connections : tuple of Connection
    recording : Recording
    dt : Quantity
        Integration step (default 0.1 ms).
    seed : int
        Seed of connectivity and random initial values (:mod:`.connectivity`) and of the
        engine's own random numbers (Poisson inputs).
    """

    populations: tuple
    inputs: tuple = ()
    connections: tuple = ()
    recording: Recording = field(default_factory=Recording)
    dt: Any = None
    seed: int = 0

    def __post_init__(self):
        from brian2 import ms

        for what in ("populations", "inputs", "connections"):
            object.__setattr__(self, what, tuple(getattr(self, what)))
        if self.dt is None:
            object.__setattr__(self, "dt", 0.1 * ms)
        check_quantity(self.dt, ms, "Network dt", positive=True)
        check_int(self.seed, "Network seed", minimum=0)
        if not self.populations:
            raise ValueError("Network: needs at least one Population")
        for p in self.populations:
            if not isinstance(p, Population):
                raise TypeError(f"Network populations: {show(p)} is not a Population")
        for p in self.inputs:
            if not isinstance(p, PoissonInput):
                raise TypeError(f"Network inputs: {show(p)} is not a PoissonInput")
        names = [p.name for p in self.populations + self.inputs]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"Network: name {dup[0]!r} used twice")
        self._check_connections()
        self._check_recording()

    # -- lookups
    def population(self, name: str) -> Population:
        """The Population called ``name`` (``ValueError`` if none)."""
        for p in self.populations:
            if p.name == name:
                return p
        raise ValueError(f"population {name!r}: unknown; known: "
                         f"{', '.join(p.name for p in self.populations)}")

    def source(self, name: str):
        """The Population or PoissonInput called ``name``."""
        for p in self.populations + self.inputs:
            if p.name == name:
                return p
        raise ValueError(f"connection source {name!r}: unknown; known: "
                         f"{', '.join(p.name for p in self.populations + self.inputs)}")

    @property
    def n_neurons(self) -> int:
        """Number of model neurons (Poisson sources not counted)."""
        return sum(p.n for p in self.populations)

    # -- checks
    def _check_connections(self):
        names = []
        channels: dict[tuple[str, str], Synapse] = {}
        for c in self.connections:
            if not isinstance(c, Connection):
                raise TypeError(f"Network connections: {show(c)} is not a Connection")
            label = f"Connection {c.name!r}"
            pre = self.source(c.pre)
            post = self.population(c.post)
            model = post.neuron_model
            check_quantity(c.weight, c.synapse.weight_units(model), f"{label} weight",
                           nonnegative=c.synapse.kind == "cond_exp")
            if float(c.delay) < float(self.dt) * (1 - 1e-9):
                raise ValueError(f"{label} delay={show(c.delay)}: must be >= dt "
                                 f"({float(self.dt) * 1e3:g} ms)")
            if c.rule == "one_to_one" and pre.n != post.n:
                raise ValueError(f"{label}: one_to_one needs equal sizes, not {pre.n} -> "
                                 f"{post.n}")
            if c.rule == "fixed_indegree":
                n_avail = pre.n - (0 if c.allow_autapses or c.pre != c.post else 1)
                if c.indegree > n_avail:
                    raise ValueError(f"{label} indegree={c.indegree}: above the {n_avail} "
                                     f"available presynaptic neurons of {c.pre!r}")
            key = (c.post, c.synapse.name)
            if key in channels and channels[key] != c.synapse:
                raise ValueError(f"{label}: synapse name {c.synapse.name!r} onto {c.post!r} "
                                 "is already used by another synapse model; give it another "
                                 "name")
            channels[key] = c.synapse
            names.append(c.name)
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"Network: connection name {dup[0]!r} used twice; pass name=")

    def channels(self, population: str) -> dict[str, Synapse]:
        """Synapse channels onto ``population``: ``{synapse name: Synapse}`` (delta too)."""
        return {c.synapse.name: c.synapse for c in self.connections if c.post == population}

    def _check_recording(self):
        rec = self.recording
        if not isinstance(rec, Recording):
            raise TypeError(f"Network recording={show(rec)}: expected a Recording")
        for what in ("spikes", "rate"):
            value = getattr(rec, what)
            if value != "all":
                for name in value:
                    self.population(name)
        for pop, (variables, indices) in rec.state.items():
            p = self.population(pop)
            known = set(p.neuron_model.initial) | {"v"}
            for s in self.channels(pop).values():
                if s.kind in ("exp", "alpha"):
                    known.add(f"I_{s.name}")
                if s.kind == "alpha":
                    known.add(f"x_{s.name}")
                if s.kind == "cond_exp":
                    known.add(f"g_{s.name}")
            for v in variables:
                if v not in known:
                    raise ValueError(f"Recording state[{pop!r}] variable {v!r}: unknown; known:"
                                     f" {', '.join(sorted(known))}")
            idx = np.asarray(indices, dtype=int)
            if idx.size and (idx.min() < 0 or idx.max() >= p.n):
                raise ValueError(f"Recording state[{pop!r}] indices: outside 0..{p.n - 1}")

    def recorded(self, what: str) -> tuple[str, ...]:
        """Population names recorded for ``"spikes"`` or ``"rate"``."""
        value = getattr(self.recording, what)
        return tuple(p.name for p in self.populations) if value == "all" else tuple(value)
