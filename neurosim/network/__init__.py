"""Networks of spiking neurons: an engine-independent description, Brian2 and NEST engines,
analysis, mean-field theory and canonical models (Brunel 2000, Vogels & Abbott 2005).

>>> from neurosim.network import simulate                 # doctest: +SKIP
>>> from neurosim.network.models import brunel
>>> res = simulate(brunel(order=100), duration=500*ms, warmup=200*ms)
"""

from .description import (ENGINES, RULES, SYNAPSE_KINDS, Connection, Network, PoissonInput,
                          Population, Recording, Synapse, Uniform)
from .result import NetworkResult
from .simulate import simulate  # the function (binds over the submodule's name)

__all__ = ["Population", "PoissonInput", "Synapse", "Connection", "Recording", "Network",
           "Uniform", "NetworkResult", "SYNAPSE_KINDS", "RULES", "ENGINES", "simulate"]
