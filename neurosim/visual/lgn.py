"""LGN relay: each LGN cell is driven by one retinal ganglion cell of its own class and sign.

The retinogeniculate synapse is strong: in the spiking path an RGC spike lifts the LGN
relay neuron above threshold, so it fires unless refractory. A Poisson input train through
an absolute refractory period ``tau_ref`` (dead time) gives the output rate

    r_lgn = r_rgc / (1 + r_rgc * tau_ref)

(the dead-time-modified Poisson process; e.g. Johnson (1996) J Acoust Soc Am 100:3221, and
the transmission ratio < 1 of retinogeniculate relay: Kaplan, Purpura & Shapley (1987)
J Physiol 391:267). The rate path uses this formula; the spiking path simulates it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LGNParams", "lgn_relay"]


@dataclass(frozen=True)
class LGNParams:
    tau_ref: float = 0.002      # s, absolute refractory period of the relay cell


def lgn_relay(r_rgc: np.ndarray, params: LGNParams = LGNParams()) -> np.ndarray:
    """LGN relay rates (Hz) from ganglion-cell rates (Hz), same shape (dead-time relay)::

        r_lgn = r_rgc / (1 + r_rgc * tau_ref)
    """
    return r_rgc / (1 + r_rgc * params.tau_ref)
