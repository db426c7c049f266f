"""Engine-independent description of a spiking network: frozen dataclasses with units.

A :class:`Network` is plain data — populations of the library's neuron models, Poisson
sources, connections with a synapse model, a rule, a weight and a delay, what to record, dt and
a seed. Engines (:mod:`.brian2_engine`, :mod:`.nest_engine`) build their own objects from it;
connectivity and random initial values are drawn by :mod:`.connectivity` from ``seed`` with
NumPy, so every engine can use the *same* synapses and start values.

The parts live in their own modules and are re-exported here: :mod:`.populations`
(:class:`Population`, :class:`PoissonInput`, :class:`Uniform`), :mod:`.synapses`
(:class:`Synapse` and its equations, :class:`Connection`), :mod:`.recording`
(:class:`Recording`); this module holds :class:`Network`, which checks them together.

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

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..checks import check_int, check_quantity, show
from .checks import resolve_model
from .populations import PoissonInput, Population, Uniform
from .recording import Recording
from .synapses import RULES, SYNAPSE_KINDS, Connection, Synapse

__all__ = ["Population", "PoissonInput", "Synapse", "Connection", "Recording", "Network",
           "Uniform", "SYNAPSE_KINDS", "RULES", "ENGINES", "resolve_model", "check_quantity"]

ENGINES = ("brian2", "nest")


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
