"""Populations of neuron models, Poisson sources and random initial values of a network.

A :class:`Population` is ``n`` neurons of one library model (:mod:`neurosim.neuron.library`)
with scalar or per-neuron parameters and a constant injected current ``I_e``; every model reads
``I_inj``, and in a network ``I_inj = I_e + Σ_s I_s`` (synapse channels ``s``,
:mod:`.synapses`).

Poisson sources. A :class:`PoissonInput` is ``n`` independent Poisson processes of one rate.
Connected ``one_to_one`` (without plasticity) each target neuron receives its own process,
which engines may realise as one generator per target (Brian2 ``PoissonInput`` with binomial
counts per step, NEST one ``poisson_generator`` connected all-to-all): the rate may then exceed
1/dt (several spikes in one step, as NEST delivers them).

:class:`Uniform` initial values are drawn per neuron from the network seed
(:func:`.connectivity.initial_values`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from ..checks import check_int, check_name, check_quantity, show
from .checks import resolve_model

if TYPE_CHECKING:  # pragma: no cover
    from neurosim.neuron.model import NeuronModel

__all__ = ["Uniform", "Population", "PoissonInput"]


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
