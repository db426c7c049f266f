"""The converted network's parameters: one immutable, typed record with one set of defaults.

:class:`SNNParams` holds what the simulators, the Brian2 and NIR exports and the reports read of a
converted network: the IF neurons' threshold ``θ`` (``v_th``), initial potential
(``V[0] = v_init·θ``) and reset, the readout, the max-pooling method, and how the weights were
normalised (recorded for the report). Its defaults are :func:`bridge.convert.convert`'s, so a
network built by hand and a converted one start from the same neuron.

Sources: reset by subtraction and the data-based normalisation (99.9th percentile) follow
Rueckauer et al. (2017), Front. Neurosci. 11:682, sec. 2.1–2.2; ``v_init = 0.5`` follows Bu et
al. (2022), ICLR ("Optimal ANN-SNN conversion"), which halves the rate code's quantisation error;
signed neurons (negative spikes that take back earlier ones) follow Wang et al. (2022), IJCAI
("Signed neuron with memory"); see :mod:`bridge.neuron`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import numpy as np

from .checks import is_real, one_of, positive_number
from .neuron import RESETS
from .spike_pool import MAX_POOLS

__all__ = ["SNNParams", "RESETS", "READOUTS", "MAX_POOLS"]

READOUTS = ("potential", "spikes")


@dataclass(frozen=True)
class SNNParams:
    """Parameters of a converted network (immutable; ``ValueError``, one line, for a bad value).

    v_th : firing threshold θ > 0 (the normalisation targets θ = 1).
    v_init : initial membrane potential of the spiking layers in units of θ, in [0, 1).
    reset : ``"subtract"`` (``V ← V − θ``) or ``"zero"`` (``V ← 0``) after a spike.
    signed : the neurons also send negative spikes, taking back earlier ones when their potential
        falls below zero (:mod:`bridge.neuron`); needs reset ``"subtract"``. ``None`` (default):
        on with reset by subtraction, off with reset to zero, resolved when the record is built
        (so ``replace(p, reset="zero")`` of a signed record also needs ``signed=False``). On
        the trained ResNet it brings the SNN to 99 % of the ANN's accuracy in 4 steps instead
        of 16.
    readout : ``"potential"`` (the output layer integrates without spiking; argmax of ``V``) or
        ``"spikes"`` (argmax of the output spike counts).
    max_pool : ``"count"`` (the pooled count follows the busiest input) or ``"gate"``
        (Rueckauer et al.'s gate); see :mod:`bridge.spike_pool`.
    norm, per_channel, norm_samples : how the weights were normalised (recorded, not used by
        the simulators).
    source : ``"neurosim"`` (converted here) or ``"NIR graph"`` (read from a graph neurosim did
        not write); ``dt`` : the graph's time step in seconds, if it has one.
    """

    v_th: float = 1.0
    v_init: float = 0.5
    reset: str = "subtract"
    signed: bool | None = None
    readout: str = "potential"
    max_pool: str = "count"
    norm: str = "p99.9"
    per_channel: bool = True
    norm_samples: int = 0
    source: str = "neurosim"
    dt: float | None = None

    def __post_init__(self):
        positive_number(self.v_th, "v_th")
        if not is_real(self.v_init) or not (math.isfinite(self.v_init) and 0 <= self.v_init < 1):
            raise ValueError(f"v_init must be in [0, 1) (units of the threshold), got "
                             f"{self.v_init!r}")
        for name in ("v_th", "v_init"):          # plain floats (JSON, Brian2), whatever came in
            object.__setattr__(self, name, float(getattr(self, name)))
        one_of("reset", self.reset, RESETS)
        if self.signed is None:
            object.__setattr__(self, "signed", self.reset == "subtract")
        if not isinstance(self.signed, (bool, np.bool_)):
            raise ValueError(f"signed must be True, False or None, got {self.signed!r}")
        object.__setattr__(self, "signed", bool(self.signed))
        if self.signed and self.reset != "subtract":
            raise ValueError(f"signed neurons reset by subtraction, got reset {self.reset!r}; "
                             "use reset 'subtract' or signed=False (--reset subtract or "
                             "--no-signed)")
        one_of("readout", self.readout, READOUTS)
        one_of("max_pool method", self.max_pool, MAX_POOLS)
        if self.dt is not None and not (is_real(self.dt) and self.dt > 0):
            raise ValueError(f"dt must be a positive number of seconds, got {self.dt!r}")

    def as_dict(self) -> dict:
        """Plain JSON-able values (for reports and the NIR metadata)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "SNNParams":
        """The record from :meth:`as_dict`'s form; ``ValueError`` naming unknown keys. A record
        without ``signed`` was written before signed neurons existed: it reads as unsigned."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown converted-network parameter(s): {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(known))}")
        return cls(**{"signed": False, **d})
