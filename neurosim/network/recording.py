"""What a network run records: spikes, state variables of chosen neurons, population rates.

Checked against the network (known populations, variables, indices) by
:class:`.description.Network`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from ..checks import check_quantity, show

__all__ = ["Recording"]


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
